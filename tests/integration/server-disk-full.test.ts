// The server's disk fills up mid-event (a real SQLite file capped with max_page_count,
// which fails writes exactly as a full disk does). Every scan the server answered is
// stored; every scan it could not store is answered `unavailable` (503 over HTTP) and is
// not stored; the server stays up; once there is room, the same scans go in once. A phone
// can still connect and catch up meanwhile, and a hello the server fails on is closed so
// the phone reconnects rather than waiting on a socket that will never welcome it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import WebSocket from 'ws';
import { GkError, parseDown, PROTOCOL_VERSION, type Down, type DownOf } from '@gatekeeper/shared/protocol/index';
import type { SqliteStorage } from '../../sync-server/src/storage/sqlite/index.ts';
import { jsonLogger } from '../../sync-server/src/log.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const BAR = checkpointId('bar');
let server: TestServer;
let storage: SqliteStorage;
let tickets: TicketId[];

/** The server's log lines, to check what a full disk writes to it. */
const logged: Array<{ level: string; msg: string }> = [];
const recordingLog = jsonLogger('info', (line) => logged.push(JSON.parse(line) as { level: string; msg: string }));

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 60 }, recordingLog);
  storage = server.storage as SqliteStorage;
  const paid = (await storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  tickets = paid.map((t) => t.id);
});
afterAll(async () => { await server?.close(); });

const diskFull = () => storage.setMaxPageCount(storage.pageCount());
const diskFreed = () => storage.setMaxPageCount(null);
const connect = (opts: { version?: number } = {}) => ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, BAR, opts);
const barScan = (c: ScannerClient, i: number) => c.request(tickets[i % tickets.length]!, tickets[i % tickets.length]!, { zone: 'bar', mode: 'unlimited' });
const stored = async (id: string, ticket: TicketId) => (await storage.ticketScans(DEMO_EVENT, ticket)).filter((s) => s.id === id).length;

describe('the server’s disk is full', () => {
  it('answers every scan either stored or `unavailable`, never both or neither, stays up, and takes them once there is room', async () => {
    const c = await connect();
    try {
      diskFull();
      // Online scans until the last free space in the file's pages is used up.
      const reqs = Array.from({ length: 150 }, (_, i) => barScan(c, i));
      const answers = reqs.map((req) => c.waitFor<DownOf<'verdict'> | DownOf<'error'>>(
        (m) => (m.type === 'verdict' && m.scanId === req.id) || (m.type === 'error' && m.ref === req.id)));
      for (const req of reqs) c.send({ type: 'scan', scan: req });
      const done = await Promise.all(answers);
      const refused = reqs.filter((_, i) => done[i]!.type === 'error');
      for (const a of done) if (a.type === 'error') expect(a.code).toBe('unavailable');
      expect(refused.length).toBeGreaterThan(0);
      // Loud, but not once per refused scan: a full disk is not filled further by the log.
      const cannotStore = logged.filter((l) => l.msg === 'cannot store');
      expect(cannotStore.length).toBeGreaterThanOrEqual(1);
      expect(cannotStore.length).toBeLessThanOrEqual(2);
      expect(cannotStore[0]!.level).toBe('error');
      for (const [i, req] of reqs.entries()) expect(await stored(req.id, req.ticketId!), `scan ${i}`).toBe(done[i]!.type === 'verdict' ? 1 : 0);

      // An offline batch: all or nothing, answered with the batch id.
      const batch = Array.from({ length: 200 }, (_, i) => c.offlineScan(barScan(c, i)));
      const failed = c.waitFor<DownOf<'error'>>((m) => m.type === 'error' && m.ref === 'b-full');
      c.send({ type: 'upload', batchId: 'b-full', scans: batch });
      expect(await failed).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/SQLITE_FULL/) });
      for (const s of batch.slice(0, 5)) expect(await stored(s.id, s.ticketId!)).toBe(0);

      // Over HTTP: 503, a Retry-After and the same error body.
      const res = await fetch(`${server.url}/api/events/${DEMO_EVENT}/scans/batch`, {
        method: 'POST', body: JSON.stringify({ scans: batch }),
        headers: { cookie: c.http.cookie, 'content-type': 'application/json', 'x-device-id': c.deviceId },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });

      // Still up: the socket answers, reads work; /healthz tells monitoring it cannot store.
      const pong = c.waitFor((m) => m.type === 'pong');
      c.send({ type: 'ping', id: 1, clientTime: Date.now() });
      await pong;
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, storage: { writable: false, cause: 'SQLITE_FULL', since: expect.any(Number) } });

      // Room again: the refused scans and the batch go in, once.
      diskFreed();
      const ack = await c.upload(batch, 'b-again');
      expect(ack.results.map((r) => r.status)).toEqual(batch.map(() => 'accepted'));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const again = await c.upload(batch, 'b-thrice');
      expect(again.results.map((r) => r.status)).toEqual(batch.map(() => 'duplicate'));
      for (const req of refused) {
        const v = await c.scan(req);
        expect(v.status).toBe('accepted');
        expect(await stored(req.id, req.ticketId!)).toBe(1);
      }
      expect(storage.integrityCheck()).toBe('ok');
    } finally {
      diskFreed();
      await c.close();
    }
  });

  it('a phone connecting while the disk is full is welcomed and caught up: recording it as seen is not needed for that', async () => {
    const real = storage.touchDevice;
    storage.touchDevice = async () => { throw new GkError('unavailable', 'the server cannot store this now (SQLITE_FULL)'); };
    try {
      const c = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, BAR, { cursor: 0 });
      expect(c.received[0]?.type).toBe('welcome');
      await c.waitFor((m) => m.type === 'scans' && !m.more);
      await c.close();
    } finally {
      storage.touchDevice = real;
    }
  });

  it('a hello the server fails on is answered with an error and the socket closed (1011), so the phone reconnects; no connection is left behind', async () => {
    const http = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    const device = await http.registerDevice('hello test phone');
    const real = storage.latestCursor;
    storage.latestCursor = async () => { throw new GkError('unavailable', 'the server cannot read this now (SQLITE_IOERR)'); };
    const before = server.hub.connectionCount();
    try {
      const ws = new WebSocket(server.url.replace(/^http/, 'ws') + '/ws', { headers: { cookie: http.cookie } });
      const got: Down[] = [];
      ws.on('message', (d) => got.push(parseDown(String(d))));
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, eventId: DEMO_EVENT, deviceId: device, deviceSecret: http.deviceSecret, checkpointId: BAR, cursor: 0 }));
      expect(await closed).toBe(1011);
      expect(got.map((m) => m.type)).toEqual(['error']);
      expect(got[0]).toMatchObject({ code: 'unavailable' });
      expect(server.hub.connectionCount()).toBe(before);
    } finally {
      storage.latestCursor = real;
    }
  });

  it('a version 2 client, which does not know `unavailable`, is told `internal`', async () => {
    const c = await connect({ version: 2 });
    try {
      diskFull();
      const batch = Array.from({ length: 200 }, (_, i) => c.offlineScan(barScan(c, i)));
      const failed = c.waitFor<DownOf<'error'>>((m) => m.type === 'error' && m.ref === 'b-v2');
      c.send({ type: 'upload', batchId: 'b-v2', scans: batch });
      expect((await failed).code).toBe('internal');
    } finally {
      diskFreed();
      await c.close();
    }
  });
});
