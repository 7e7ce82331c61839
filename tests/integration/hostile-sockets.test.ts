// A slow or greedy socket must not exhaust the server (issue 8, section 4). Each test is
// an attack found against the server before the socket gateway and the event feed: a
// phone that stops reading and asks for catch-up after catch-up, one that sends without
// reading, one that floods its input queue, a session that opens socket after socket,
// and sockets that die without a word. Outcomes, not times: the socket is closed with a
// stated code, the server's buffers stay bounded, the other phones go on, and a phone
// that comes back resumes from its cursor and misses nothing.
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketId } from '@gatekeeper/shared/ids';
import { checkpointId } from '@gatekeeper/shared/ids';
import { MAX_BATCH, type DownOf } from '@gatekeeper/shared/protocol/index';
import { CLOSE } from '../../sync-server/src/hub/hub.ts';
import { SOCKET_LIMITS } from '../../sync-server/src/hub/limits.ts';
import { demoTickets } from '../../sync-server/src/seed/demo.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
/** Scans in the event before each attack: one full catch-up is ~2 MB of JSON. */
const LOGGED = 5_000;
const TICKETS = LOGGED + 500;
/**
 * What one socket may hold in the server's memory while its reader is stalled: the
 * threshold at which writes pause, plus the one catch-up page that may cross it. Not
 * counted: the kernel's socket buffers (about 4 MB on loopback), which cost the
 * process nothing.
 */
const BUFFER_BOUND = SOCKET_LIMITS.pauseWritesBytes + 1024 * 1024;

let server: TestServer;
let tickets: TicketId[];

beforeAll(async () => {
  // Pings as seldom as it may: a reader these tests pause must be closed for what it does
  // not read, not for the pongs it does not send (the last test has a server of its own).
  server = await startTestServer({ demoTickets: TICKETS, socketPingMs: 600_000 });
  tickets = demoTickets(DEMO_EVENT, TICKETS).tickets.map((t) => t.id);
  // The log the attacks ask for: LOGGED offline admissions, uploaded in full batches.
  const filler = await connect('supervisor');
  for (let i = 0; i < LOGGED; i += MAX_BATCH) {
    const ack = await filler.upload(tickets.slice(i, i + MAX_BATCH).map((t) => filler.offlineScan(filler.request(t, t))));
    expect(ack.results.every((r) => r.status === 'accepted')).toBe(true);
  }
  await filler.close();
}, 120_000);
afterAll(async () => { await server?.close(); });

let nextTicket = LOGGED;
const freshTicket = () => tickets[nextTicket++]!;

const connect = (username = 'inspector', cursor: number | null = null) =>
  ScannerClient.connect(server.url, username, login(username).password, DEMO_EVENT, MAIN, { cursor });
const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));
/** The client's TCP socket stops (or resumes) reading: the server's writes pile up. */
const tcp = (c: ScannerClient) => (c.ws as unknown as { _socket: Socket })._socket;
/** The most any one socket has buffered in the server's memory (ws.bufferedAmount). */
const serverBuffered = () => Math.max(0, ...[...server.hub.wss.clients].map((ws) => ws.bufferedAmount));
/** Every scan id the server has stored for the event after `from`. */
async function storedIds(from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor = from; ;) {
    const page = await server.storage.scansAfter(DEMO_EVENT, cursor, MAX_BATCH);
    ids.push(...page.scans.map((s) => s.scan.id));
    cursor = page.cursor;
    if (!page.more) return ids;
  }
}
/** Another phone scans a fresh ticket online: it gets its verdict, and a third hears it. */
async function othersGoOn(scanner: ScannerClient, listener: ScannerClient): Promise<void> {
  const t = freshTicket();
  const req = scanner.request(t, t);
  const heard = listener.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.id === req.id), 30_000);
  expect((await scanner.scan(req)).verdict.outcome).toBe('valid');
  await heard;
}

describe('a slow or greedy socket', () => {
  it('that stops reading and asks for a catch-up from 0 thirty times holds a bounded buffer, the others go on, and it gets every scan once it reads', async () => {
    const slow = await connect();
    const gate = await connect('inspector2');
    const sup = await connect('supervisor');
    try {
      tcp(slow).pause();
      for (let i = 0; i < 30; i++) slow.send({ type: 'catchup', cursor: 0 });
      let most = 0;
      const sample = setInterval(() => { most = Math.max(most, serverBuffered()); }, 10);
      try {
        // While it does not read, the other phones get verdicts and gossip, several times over.
        for (let i = 0; i < 5; i++) await othersGoOn(gate, sup);
        // And a sampling window long enough for the old server to have written all thirty.
        await new Promise((r) => setTimeout(r, 1_000));
      } finally { clearInterval(sample); }
      expect(most).toBeLessThanOrEqual(BUFFER_BOUND);

      tcp(slow).resume();
      const all = await storedIds();
      await until(() => all.every((id) => slow.heard.has(id)), 'the slow phone to hear every stored scan');
      // The thirty requests ran as one catch-up and one more after it, not thirty.
      await new Promise((r) => setTimeout(r, 200));
      const sent = slow.received.reduce((n, m) => n + (m.type === 'scans' ? m.scans.length : 0), 0);
      expect(sent).toBeLessThanOrEqual(3 * all.length);
    } finally { await Promise.all([slow.close(), gate.close(), sup.close()]); }
  }, 120_000);

  it('that stops reading gets no gossip buffered without bound, and hears all of it once it reads', async () => {
    const slow = await connect();
    const from = await server.storage.latestCursor(DEMO_EVENT);
    const uploader = await connect('supervisor');
    try {
      tcp(slow).pause();
      let most = 0;
      const sample = setInterval(() => { most = Math.max(most, serverBuffered()); }, 10);
      try {
        // 10,000 scans of gossip (~4 MB beyond the kernel's buffers): the same admissions again,
        // from another device, so each is stored and gossiped once more.
        for (let round = 0; round < 2; round++) {
          for (let i = 0; i < LOGGED; i += MAX_BATCH) {
            await uploader.upload(tickets.slice(i, i + MAX_BATCH).map((t) => uploader.offlineScan(uploader.request(t, t))));
          }
        }
      } finally { clearInterval(sample); }
      expect(most).toBeLessThanOrEqual(BUFFER_BOUND);
      tcp(slow).resume();
      const all = await storedIds(from);
      expect(all.length).toBeGreaterThanOrEqual(2 * LOGGED);
      await until(() => all.every((id) => slow.heard.has(id)), 'the slow phone to hear every scan stored since its hello');
      expect(slow.ws.readyState).toBe(WebSocket.OPEN);
    } finally { await Promise.all([slow.close(), uploader.close()]); }
  }, 120_000);

  it('that asks but never reads is closed with 4009 at the buffer cap, and resumes from its cursor without losing a scan', async () => {
    const greedy = await connect('inspector', await server.storage.latestCursor(DEMO_EVENT));
    const gate = await connect('inspector2');
    const sup = await connect('supervisor');
    try {
      const mine = () => server.hub.sockets().find((s) => s.deviceId === greedy.deviceId);
      tcp(greedy).pause();
      const code = closed(greedy.ws);
      // Pings, each answered with a pong, a round at a time, each round once it has left
      // this process and the server has handled it; the answers pile up unread: first in
      // the kernel's buffers (~4 MB on loopback), then in the server's memory. Padded (the
      // server ignores unknown fields) so that one 64 kB read holds fewer messages than the
      // input queue's limit.
      const pad = 'x'.repeat(150);
      for (let round = 0; round < 1000 && mine(); round++) {
        for (let i = 0; i < 500; i++) greedy.send(JSON.stringify({ type: 'ping', id: i, clientTime: Date.now(), pad }));
        await until(() => greedy.ws.bufferedAmount === 0 && (mine()?.queued ?? 0) === 0, 'the round to be handled');
      }
      expect(mine()).toBeUndefined();
      // The others were served throughout.
      await othersGoOn(gate, sup);
      // Scans stored while the phone is away, which it must hear when it comes back.
      await othersGoOn(gate, sup);
      tcp(greedy).resume();
      expect(await code).toBe(CLOSE.tooSlow);

      // The phone comes back with the cursor it had and hears everything it had missed.
      const from = greedy.cursor ?? 0;
      expect(await greedy.open(greedy.cursor)).toMatchObject({ type: 'welcome' });
      const missed = await storedIds(from);
      expect(missed.length).toBeGreaterThanOrEqual(2);
      await until(() => missed.every((id) => greedy.heard.has(id)), 'the phone to hear every scan it had missed');
    } finally { await Promise.all([greedy.close(), gate.close(), sup.close()]); }
  }, 180_000);

  it('that floods its input queue is closed with 4029, and the server goes on', async () => {
    const flood = await connect();
    const gate = await connect('inspector2');
    const sup = await connect('supervisor');
    try {
      const code = closed(flood.ws);
      const t = freshTicket();
      const n = SOCKET_LIMITS.queuedMessages * 2;
      for (let i = 0; i < n; i++) flood.send({ type: 'scan', scan: flood.request(t, t) });
      expect(await code).toBe(CLOSE.tooManyMessages);
      expect(flood.received.filter((m) => m.type === 'verdict').length).toBeLessThan(n);
      await othersGoOn(gate, sup);
    } finally { await Promise.all([flood.close(), gate.close(), sup.close()]); }
  }, 120_000);

  it(`may open at most ${SOCKET_LIMITS.socketsPerSession} sockets per session (429 beyond), and one more once one closes`, async () => {
    const s = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    const other = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    const open: WebSocket[] = [];
    const upgrade = (session: HttpSession) => new Promise<{ status: number; ws: WebSocket }>((resolve) => {
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers: { cookie: session.cookie } });
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, ws }));
      ws.once('open', () => resolve({ status: 101, ws }));
      ws.once('error', () => {});
    });
    try {
      // Sockets count from the upgrade, before any hello: an unsaid hello is no way round it.
      for (let i = 0; i < SOCKET_LIMITS.socketsPerSession; i++) {
        const r = await upgrade(s);
        expect(r.status).toBe(101);
        open.push(r.ws);
      }
      expect((await upgrade(s)).status).toBe(429);
      // Another session of the same inspector is not affected.
      const elsewhere = await upgrade(other);
      expect(elsewhere.status).toBe(101);
      open.push(elsewhere.ws);
      const first = open.shift()!;
      const gone = closed(first);
      first.close();
      await gone;
      await until(async () => (await upgrade(s).then((r) => { open.push(r.ws); return r.status; })) === 101, 'a socket to be accepted again', 10_000);
    } finally {
      for (const ws of open) ws.terminate();
    }
  }, 60_000);

  it('that stops answering the server\u2019s pings is dropped, while a quiet phone that answers stays', async () => {
    // Its own server, pinging every 300 ms so the test needs no long wait (a paused
    // reader above would be dropped too). A phone's ws answers each ping by itself.
    const pinging = await startTestServer({ socketPingMs: 300 });
    const dead = await ScannerClient.connect(pinging.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
    const quiet = await ScannerClient.connect(pinging.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
    try {
      expect(pinging.hub.connectionCount()).toBe(2);
      let pings = 0;
      quiet.ws.on('ping', () => { pings++; });
      tcp(dead).pause();
      await until(() => pinging.hub.connectionCount() === 1, 'the dead socket to be dropped', 30_000);
      await until(() => pings >= 4, 'more pings to the quiet phone', 30_000);
      const pong = quiet.waitFor<DownOf<'pong'>>((m) => m.type === 'pong');
      quiet.send({ type: 'ping', id: 9, clientTime: Date.now() });
      expect((await pong).id).toBe(9);
      expect(pinging.hub.connectionCount()).toBe(1);
    } finally {
      dead.ws.terminate();
      await quiet.close();
      await pinging.close();
    }
  }, 60_000);
});
