// First scan wins, online and offline, against a real server on a loopback port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { stamp } from '../support/factories.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const MAIN = checkpointId('main-gate');
let server: TestServer;
let tickets: TicketId[];
let supervisor: HttpSession;

/** Ten scanners: five on each demo inspector login, each its own device. */
async function scanners(n: number): Promise<ScannerClient[]> {
  const out: ScannerClient[] = [];
  for (let i = 0; i < n; i++) {
    const who = login(i % 2 ? 'inspector2' : 'inspector');
    out.push(await ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN));
  }
  return out;
}

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 120 });
  const paid = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  tickets = paid.map((t) => t.id);
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
});
afterAll(async () => { await server?.close(); });

describe('online arbitration', () => {
  it('admits only one of ten scanners that submit the same ticket at the same instant', async () => {
    const group = await scanners(10);
    try {
      for (const ticket of tickets.slice(0, 5)) {
        const verdicts = await Promise.all(group.map((s) => s.scan(s.request(ticket, ticket))));
        const outcomes = verdicts.map((v) => v.verdict.outcome);
        expect(outcomes.filter((o) => o === 'valid')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'already_used')).toHaveLength(9);
        // Every refusal names the one admission that won.
        const winner = verdicts.find((v) => v.verdict.outcome === 'valid')!;
        for (const v of verdicts) if (v !== winner) expect(v.verdict.firstScan?.scanId).toBe(winner.scanId);
      }
    } finally {
      await Promise.all(group.map((s) => s.close()));
    }
  });

  it('says why as data; a version 4 phone, which needs it, also gets the English sentence', async () => {
    const who = login('inspector');
    const now5 = await ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
    const old4 = await ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN, { version: 4 });
    try {
      const ticket = tickets[25]!;
      const first = await now5.scan(now5.request(ticket, ticket));
      const again = await old4.scan(old4.request(ticket, ticket));
      const third = await now5.scan(now5.request(ticket, ticket));
      expect(first.verdict).toMatchObject({ outcome: 'valid', reason: { kind: 'outcome' } });
      expect(first.verdict).not.toHaveProperty('explanation');
      const used = { kind: 'already_used', at: first.scan.at, checkpointId: MAIN, here: true, zone: first.scan.zone, mode: first.scan.mode };
      expect(again.verdict).toMatchObject({ outcome: 'already_used', reason: used });
      expect(again.verdict.explanation).toMatch(/^Already scanned here at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
      expect(third.verdict).toMatchObject({ outcome: 'already_used', reason: used });
      expect(third.verdict).not.toHaveProperty('explanation');
    } finally {
      await now5.close(); await old4.close();
    }
  });

  it('gossips an accepted scan to the other scanners of the event, and catches up a reconnecting one', async () => {
    const [a, b] = await scanners(2);
    try {
      const ticket = tickets[10]!;
      const heard = b.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.ticketId === ticket));
      const v = await a.scan(a.request(ticket, ticket));
      expect(v.status).toBe('accepted');
      const gossip = await heard;
      expect(gossip.scans.find((s) => s.ticketId === ticket)?.outcome).toBe('valid');
      // b goes away, a scans two more, b comes back with its cursor and gets exactly those.
      await b.close();
      const cursor = b.cursor!;
      await a.scan(a.request(tickets[11]!, tickets[11]!));
      await a.scan(a.request(tickets[12]!, tickets[12]!));
      b.heard.clear();
      const caughtUp = b.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && !m.more && m.cursor > cursor);
      await b.open(cursor);
      await caughtUp;
      expect([...b.heard.values()].map((s) => s.ticketId).sort()).toEqual([tickets[11], tickets[12]].sort());
    } finally {
      await a.close(); await b.close();
    }
  });

  it('answers the same scan id twice with one stored scan (duplicate)', async () => {
    const [a] = await scanners(1);
    try {
      const req = a.request(tickets[20]!, tickets[20]!);
      const first = await a.scan(req);
      const again = await a.scan(req);
      expect(first.status).toBe('accepted');
      expect(again.status).toBe('duplicate');
      expect(again.verdict.outcome).toBe('valid');
      const history = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${tickets[20]}`);
      expect(history.json.scans).toHaveLength(1);
    } finally { await a.close(); }
  });
});

describe('offline uploads', () => {
  it('stores the same offline batch once, uploaded twice and concurrently', async () => {
    const [a, b] = await scanners(2);
    try {
      const scans = tickets.slice(30, 40).map((t) => a.offlineScan(a.request(t, t)));
      const [first, second] = await Promise.all([a.upload(scans, 'batch-1'), a.upload(scans, 'batch-2')]);
      const third = await a.upload(scans, 'batch-3');
      const statuses = [...first.results, ...second.results].map((r) => r.status);
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(10);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(10);
      expect(third.results.every((r) => r.status === 'duplicate')).toBe(true);
      for (const t of tickets.slice(30, 40)) {
        const h = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${t}`);
        expect(h.json.scans).toHaveLength(1);
      }
      void b;
    } finally { await a.close(); await b.close(); }
  });

  it('never rejects two offline admissions of one ticket: one winner, one conflict, both inspectors told', async () => {
    const [a, b] = await scanners(2);
    const sup = await ScannerClient.connect(server.url, 'supervisor', login('supervisor').password, DEMO_EVENT, MAIN);
    try {
      const ticket = tickets[50]!;
      const t0 = Date.now();
      const early = a.offlineScan(a.request(ticket, ticket, { hlc: stamp(t0 - 5000), at: t0 - 5000 }));
      const late = b.offlineScan(b.request(ticket, ticket, { hlc: stamp(t0 - 2000), at: t0 - 2000 }));
      const told = [a, b, sup].map((c) => c.waitFor<DownOf<'conflict'>>((m) => m.type === 'conflict' && m.conflict.ticketId === ticket));
      // The later-stamped scan reaches the server first; arbitration is by stamp, not arrival.
      const lateAck = await b.upload([late]);
      const earlyAck = await a.upload([early]);
      expect(lateAck.results[0]!.status).toBe('accepted');
      expect(earlyAck.results[0]!.status).toBe('conflict');
      const conflicts = await Promise.all(told);
      for (const c of conflicts) {
        expect(c.conflict.winner.scanId).toBe(early.id);
        expect(c.conflict.loser.scanId).toBe(late.id);
        expect(c.conflict.winner.inspectorId).toBe(a.inspectorId);
        expect(c.conflict.loser.inspectorId).toBe(b.inspectorId);
      }
      const h = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${ticket}`);
      expect(h.json.scans.map((s: { scan: { id: string } }) => s.scan.id).sort()).toEqual([early.id, late.id].sort());
      const list = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`);
      expect(list.json.conflicts.filter((c: { ticketId: string }) => c.ticketId === ticket)).toHaveLength(1);
      // Uploading both again changes nothing.
      const again = await a.upload([early]);
      expect(again.results[0]!.status).toBe('duplicate');
    } finally { await a.close(); await b.close(); await sup.close(); }
  });

  it('records an offline admission that an online scan already refused as a conflict, never a rejection', async () => {
    const [a, b] = await scanners(2);
    try {
      const ticket = tickets[60]!;
      expect((await a.scan(a.request(ticket, ticket))).verdict.outcome).toBe('valid');
      const offline = b.offlineScan(b.request(ticket, ticket, { hlc: stamp(Date.now() + 1000) }));
      const ack = await b.upload([offline]);
      expect(ack.results[0]!.status).toBe('conflict');
      expect(ack.results[0]!.conflict?.loser.scanId).toBe(offline.id);
    } finally { await a.close(); await b.close(); }
  });
});
