// Three server instances on one PostgreSQL, phones spread over them (issue 12): gossip
// crosses instances in order, first scan wins across them, a partitioned double admission
// is one conflict told on every instance, a phone's instance killed mid-scan loses nothing
// acknowledged, and catching up from any instance gives the same scans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { skippedScans } from '../support/gossip-order.ts';
import { usePostgres } from '../support/postgres.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const RACES = 1_000;
const db = usePostgres();
let instances: TestServer[] = [];
/** Plain paid tickets (no ID check, no window), handed out in order: each test takes its own. */
let tickets: TicketId[] = [];
const take = (n: number) => tickets.splice(0, n);
/** Every scan some instance acknowledged, by id: catch-up must give all of them. */
const acknowledged = new Set<string>();

const phoneOn = async (server: { url: string }, i: number, role: 'inspector' | 'supervisor' = 'inspector') => {
  const who = login(role === 'supervisor' ? 'supervisor' : i % 2 ? 'inspector2' : 'inspector');
  return ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
};

/** Send an online scan; its verdict, or an error answer as a thrown error saying what it said. */
async function answer(p: ScannerClient, req: ReturnType<ScannerClient['request']>): Promise<DownOf<'verdict'>> {
  const answered = p.waitFor<DownOf<'verdict'> | DownOf<'error'>>((m) => (m.type === 'verdict' && m.scanId === req.id) || (m.type === 'error' && m.ref === req.id), 120_000);
  p.send({ type: 'scan', scan: req });
  const got = await answered;
  if (got.type === 'error') throw new Error(`scan answered ${got.code}: ${got.message}`);
  return got;
}

const scanTicket = (p: ScannerClient, ticket: TicketId) => answer(p, p.request(ticket, ticket));

beforeAll(async () => {
  // One after the other: the first seeds the demo, the others find it.
  for (let i = 0; i < 3; i++) instances.push(await startTestServer({ databaseUrl: db.url(), demoTickets: 1_400 }));
  tickets = (await instances[0]!.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null).map((t) => t.id);
}, 180_000);
afterAll(async () => { await Promise.all(instances.map((s) => s.close())); });

describe('three instances on one PostgreSQL', () => {
  it('gossips the scans accepted on one instance to the phones on the other two, in order, never telling a cursor past one unsent', async () => {
    const [a, b, c] = [await phoneOn(instances[0]!, 0), await phoneOn(instances[1]!, 1), await phoneOn(instances[2]!, 2)];
    try {
      const verdicts = await Promise.all(take(20).map((t) => scanTicket(a, t)));
      for (const v of verdicts) acknowledged.add(v.scanId);
      const stored = (await instances[0]!.storage.scansAfter(DEMO_EVENT, 0, 10_000)).scans;
      for (const p of [b, c]) {
        await until(() => verdicts.every((v) => p.heard.has(v.scanId)), 'the other instances\' phones to hear every scan');
        const order = p.received.flatMap((m) => (m.type === 'scans' ? m.scans.map((s) => s.id) : []));
        expect(order.filter((id) => verdicts.some((v) => v.scanId === id))).toEqual(stored.map((s) => s.scan.id).filter((id) => verdicts.some((v) => v.scanId === id)));
        expect(skippedScans(p.received, stored)).toEqual([]);
      }
    } finally {
      await Promise.all([a, b, c].map((p) => p.close()));
    }
  });

  it(`admits one of ten phones over three instances in each of ${RACES} races of one ticket`, async () => {
    const phones = await Promise.all(Array.from({ length: 10 }, (_, i) => phoneOn(instances[i % 3]!, i)));
    try {
      const raced = take(RACES);
      expect(raced).toHaveLength(RACES);
      // A hundred races at a time: every ticket's ten scans sent at the same instant (each
      // socket's messages are answered in order, so a phone has one scan in hand at a time).
      for (let i = 0; i < RACES; i += 100) {
        const rounds = await Promise.all(raced.slice(i, i + 100).map((t) => Promise.all(phones.map((p) => scanTicket(p, t)))));
        for (const verdicts of rounds) {
          const valid = verdicts.filter((v) => v.verdict.outcome === 'valid');
          expect(valid).toHaveLength(1);
          expect(verdicts.filter((v) => v.verdict.outcome === 'already_used')).toHaveLength(9);
          for (const v of verdicts) acknowledged.add(v.scanId);
        }
      }
      expect(await instances[1]!.storage.listConflicts(DEMO_EVENT)).toEqual([]);
    } finally {
      await Promise.all(phones.map((p) => p.close()));
    }
  }, 600_000);

  it('records a double admission made offline on two instances as one conflict, told to a supervisor on every instance', async () => {
    const supervisors = await Promise.all(instances.map((s, i) => phoneOn(s, i, 'supervisor')));
    const [x, y] = [await phoneOn(instances[0]!, 0), await phoneOn(instances[1]!, 1)];
    try {
      const [ticket] = take(1);
      const first = x.offlineScan(x.request(ticket!, ticket!));
      const second = y.offlineScan(y.request(ticket!, ticket!, { at: first.at + 1000 }));
      const acks = await Promise.all([x.upload([first]), y.upload([second])]);
      for (const ack of acks) for (const r of ack.results) acknowledged.add(r.scanId);
      const conflicts = (await instances[2]!.storage.listConflicts(DEMO_EVENT)).filter((c) => c.ticketId === ticket);
      expect(conflicts).toHaveLength(1);
      const told = (p: ScannerClient) => p.received.filter((m): m is DownOf<'conflict'> => m.type === 'conflict' && m.conflict.ticketId === ticket);
      await until(() => supervisors.every((s) => told(s).length > 0), 'every instance\'s supervisor to be told the conflict');
      await until(() => told(x).length > 0 && told(y).length > 0, 'both phones to be told');
      for (const p of [...supervisors, x, y]) {
        expect(told(p).map((m) => [m.conflict.winner.scanId, m.conflict.loser.scanId])).toEqual([[first.id, second.id]]);
      }
    } finally {
      await Promise.all([...supervisors, x, y].map((p) => p.close()));
    }
  });

  it('after kill -9 of an instance its phones scan on through another, and every scan acknowledged is stored', async () => {
    const child: ChildServer = await startChildServer({ GK_DATABASE_URL: db.url(), GK_DEMO_TICKETS: '1400' });
    const phones = await Promise.all([0, 1, 2].map((i) => phoneOn(child, i)));
    try {
      const mine = phones.map(() => take(40));
      expect(mine.flat()).toHaveLength(120);
      const acked = phones.map(() => 0);
      const closing = (p: ScannerClient) => new Promise<null>((resolve) => p.ws.once('close', () => resolve(null)));
      const scanning = phones.map(async (p, k) => {
        let closed = closing(p);
        for (const t of mine[k]!) {
          const req = p.request(t, t);
          for (;;) {
            const verdict = await Promise.race([answer(p, req), closed]);
            if (verdict) { acknowledged.add(verdict.scanId); acked[k]++; break; }
            // The instance is gone: the phone reconnects to another and sends the scan again
            // (same id: stored once, answered as a duplicate if the dead one had stored it).
            p.http.base = instances[k]!.url;
            await p.open(p.cursor);
            closed = closing(p);
          }
        }
      });
      await until(() => acked.every((n) => n >= 10), 'each phone to have ten scans acknowledged');
      await child.kill('SIGKILL');
      await Promise.all(scanning);
      expect(acked).toEqual([40, 40, 40]);
      for (const p of phones) expect(p.http.base).not.toBe(child.url);
      const stored = new Set((await instances[0]!.storage.scansAfter(DEMO_EVENT, 0, 100_000)).scans.map((s) => s.scan.id as string));
      expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await child.kill();
      await Promise.all(phones.map((p) => p.close()));
    }
  }, 120_000);

  it('catches a phone up from any instance to the same scans: every one acknowledged anywhere', async () => {
    const stored = (await instances[0]!.storage.scansAfter(DEMO_EVENT, 0, 100_000)).scans;
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.size);
    for (const [i, server] of instances.entries()) {
      const p = await phoneOn(server, i);
      try {
        p.send({ type: 'catchup', cursor: 0 });
        await until(() => stored.every((s) => p.heard.has(s.scan.id)), `a catch-up from instance ${i + 1}`);
        expect([...acknowledged].filter((id) => !p.heard.has(id))).toEqual([]);
        expect(new Set(p.heard.keys())).toEqual(new Set(stored.map((s) => s.scan.id)));
      } finally {
        await p.close();
      }
    }
  });
});
