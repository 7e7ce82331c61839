// Two instances on one PostgreSQL that goes away under live sockets (issue 12): the
// database restarted, or every connection cut mid-burst. Scans meanwhile get a typed
// `unavailable` answer (the phone keeps them and sends them again), the servers stay up
// and keep their sockets, nothing acknowledged is lost, nothing is stored twice, first scan
// still wins across instances once it is back, and gossip crosses again (each instance's
// listening connection is opened again and reads every log on).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf, ScanRequest } from '@gatekeeper/shared/protocol/index';
import { startTestCluster, type TestCluster } from '../support/postgres.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const DATABASE = 'gk_outage';
let cluster: TestCluster;
let paused = false;
let instances: TestServer[] = [];
let tickets: TicketId[] = [];
const take = (n: number) => tickets.splice(0, n);

const phoneOn = (server: TestServer, i: number) => {
  const who = login(i % 2 ? 'inspector2' : 'inspector');
  return ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
};

/** One answer to an online scan: its verdict or its error. */
function answer(p: ScannerClient, req: ScanRequest): Promise<DownOf<'verdict'> | DownOf<'error'>> {
  const answered = p.waitFor<DownOf<'verdict'> | DownOf<'error'>>((m) => (m.type === 'verdict' && m.scanId === req.id) || (m.type === 'error' && m.ref === req.id), 120_000);
  p.send({ type: 'scan', scan: req });
  return answered;
}

/** As a phone does: the same scan (same id) sent again after each `unavailable`, until decided. */
async function decided(p: ScannerClient, req: ScanRequest, refusals: string[] = []): Promise<DownOf<'verdict'>> {
  for (;;) {
    const got = await answer(p, req);
    if (got.type === 'verdict') return got;
    refusals.push(got.code);
    if (got.code !== 'unavailable') throw new Error(`scan answered ${got.code}: ${got.message}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function storedScans(): Promise<Array<{ id: string; ticketId: string | null; outcome: string }>> {
  const c = new pg.Client({ connectionString: cluster.url(DATABASE) });
  await c.connect();
  try {
    const tables = await c.query<{ schemaname: string }>(`SELECT schemaname FROM pg_tables WHERE tablename = 'scans' AND schemaname NOT IN ('pg_catalog', 'information_schema')`);
    const schema = tables.rows[0]!.schemaname;
    const r = await c.query<{ id: string; ticket_id: string | null; outcome: string }>(`SELECT id, ticket_id, outcome FROM "${schema}".scans`);
    return r.rows.map((x) => ({ id: x.id, ticketId: x.ticket_id, outcome: x.outcome }));
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  // A cluster of this file's own, whatever GK_TEST_DATABASE_URL says: these tests stop it.
  cluster = startTestCluster();
  const admin = new pg.Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE} TEMPLATE template0 ENCODING 'UTF8'`);
  await admin.end();
  for (let i = 0; i < 2; i++) instances.push(await startTestServer({ databaseUrl: cluster.url(DATABASE), demoTickets: 400 }));
  tickets = (await instances[0]!.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null).map((t) => t.id);
}, 180_000);
afterAll(async () => {
  await Promise.all(instances.map((s) => s.close()));
  cluster?.stop();
}, 120_000);

describe('one PostgreSQL going away under two instances with live sockets', () => {
  it('restarted: scans meanwhile are answered unavailable, sockets stay open, and back, each is admitted once and gossip crosses again', async () => {
    const [a, b] = [await phoneOn(instances[0]!, 0), await phoneOn(instances[1]!, 1)];
    try {
      const [before, during, after] = take(3) as [TicketId, TicketId, TicketId];
      const first = await decided(a, a.request(before, before));
      expect(first.verdict.outcome).toBe('valid');
      await until(() => b.heard.has(first.scanId), 'the other instance\'s phone to hear the scan before the outage');

      cluster.pause();
      paused = true;
      const req = a.request(during, during);
      const refused = await answer(a, req);
      expect(refused).toMatchObject({ type: 'error', code: 'unavailable', ref: req.id });
      expect([a.ws.readyState, b.ws.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);

      cluster.resume();
      paused = false;
      const refusals: string[] = [];
      const admitted = await decided(a, req, refusals);
      expect(admitted.verdict.outcome).toBe('valid');
      expect(refusals.every((c) => c === 'unavailable')).toBe(true);
      // B's instance lost its listening connection with the rest; opened again, it reads on.
      await until(() => b.heard.has(admitted.scanId), 'gossip from A to B\'s phone after the database came back', 60_000);
      // First scan wins across instances after the restart as before it.
      expect((await decided(b, b.request(during, during))).verdict.outcome).toBe('already_used');
      const other = await decided(b, b.request(after, after));
      expect(other.verdict.outcome).toBe('valid');
      await until(() => a.heard.has(other.scanId), 'gossip from B to A\'s phone after the database came back', 60_000);

      const stored = await storedScans();
      expect(stored.filter((s) => s.id === req.id)).toHaveLength(1);
      expect(stored.filter((s) => s.ticketId === during && s.outcome === 'valid')).toHaveLength(1);
    } finally {
      if (paused) { cluster.resume(); paused = false; }
      await Promise.all([a, b].map((p) => p.close()));
    }
  }, 180_000);

  it('killed (-9) mid-burst and started again: every scan acknowledged before the kill is there after the replay', async () => {
    const phones = [await phoneOn(instances[0]!, 0), await phoneOn(instances[1]!, 1)];
    try {
      const mine = phones.map(() => take(40));
      const requests = phones.map((p, k) => mine[k]!.map((t) => p.request(t, t)));
      const acknowledged = new Set<string>();
      let crashed = false;
      const scanning = phones.map(async (p, k) => {
        for (const req of requests[k]!) {
          const v = await decided(p, req);
          if (!crashed) acknowledged.add(v.scanId);
        }
      });
      await until(() => acknowledged.size >= 20, 'the burst to be under way');
      cluster.crash();
      crashed = true;
      paused = true;
      const atCrash = new Set(acknowledged);
      await new Promise((r) => setTimeout(r, 500));
      cluster.resume();
      paused = false;
      await Promise.all(scanning);

      const stored = await storedScans();
      const ids = new Set(stored.map((s) => s.id));
      expect([...atCrash].filter((id) => !ids.has(id))).toEqual([]);
      const all = requests.flat().map((r) => r.id as string);
      expect(all.filter((id) => stored.filter((s) => s.id === id).length !== 1)).toEqual([]);
      for (const t of mine.flat()) expect(stored.filter((s) => s.ticketId === t && s.outcome === 'valid')).toHaveLength(1);
    } finally {
      if (paused) { cluster.resume(); paused = false; }
      await Promise.all(phones.map((p) => p.close()));
    }
  }, 180_000);

  it('every connection cut mid-burst: each scan acknowledged is stored, each stored once, each ticket admitted once', async () => {
    const phones = [await phoneOn(instances[0]!, 0), await phoneOn(instances[1]!, 1)];
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    try {
      const mine = phones.map(() => take(40));
      const requests = phones.map((p, k) => mine[k]!.map((t) => p.request(t, t)));
      const refusals: string[] = [];
      const verdicts: Array<DownOf<'verdict'>> = [];
      let sent = 0;
      const scanning = phones.map(async (p, k) => {
        for (const req of requests[k]!) {
          sent++;
          verdicts.push(await decided(p, req, refusals));
        }
      });
      await until(() => sent >= 20, 'the burst to be under way');
      // Pool connections and the listening ones alike, on both instances, mid-transaction or not.
      const cut = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [DATABASE]);
      expect(cut.rowCount).toBeGreaterThanOrEqual(4); // at least each instance's listener and a pooled connection
      await Promise.all(scanning);

      expect(verdicts).toHaveLength(80);
      expect(verdicts.every((v) => v.verdict.outcome === 'valid')).toBe(true);
      expect(refusals.every((c) => c === 'unavailable')).toBe(true);
      const stored = await storedScans();
      const ids = requests.flat().map((r) => r.id as string);
      expect(ids.filter((id) => stored.filter((s) => s.id === id).length !== 1)).toEqual([]);
      for (const t of mine.flat()) expect(stored.filter((s) => s.ticketId === t && s.outcome === 'valid')).toHaveLength(1);
      // Gossip crossed both ways, the cut notwithstanding.
      await until(() => requests[0]!.every((r) => phones[1]!.heard.has(r.id)) && requests[1]!.every((r) => phones[0]!.heard.has(r.id)),
        'every scan gossiped to the phone on the other instance', 60_000);
    } finally {
      await admin.end();
      await Promise.all(phones.map((p) => p.close()));
    }
  }, 180_000);
});
