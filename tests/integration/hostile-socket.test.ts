// Malformed, oversized, unauthorised and replayed messages: each gets a typed answer,
// the server stays up, and nothing is stored that should not be.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, eventId, inspectorId, type TicketId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION, type DownOf } from '@gatekeeper/shared/protocol/index';
import { hashPassword } from '../../sync-server/src/auth/passwords.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { upgradeStatus as upgradeStatusOf } from '../support/ws-socket.ts';

const MAIN = checkpointId('main-gate');
const OTHER = eventId('other-event');
let server: TestServer;
let ticket: TicketId;

beforeAll(async () => {
  server = await startTestServer();
  ticket = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.find((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null)!.id;
  // A second event with its own inspector, who must not reach the demo event.
  await server.storage.createEvent({ id: OTHER, name: 'Other', venue: null, startsAt: null, endsAt: null, timeZone: 'UTC' });
  await server.storage.createStaff({ id: inspectorId('i-other'), username: 'other', name: 'Otto Other', role: 'inspector', passwordHash: await hashPassword('other-pass'), disabled: false });
  await server.storage.assignStaff(OTHER, inspectorId('i-other'));
});
afterAll(async () => { await server?.close(); });

const connect = () => ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
const nextError = (c: ScannerClient) => c.waitFor<DownOf<'error'>>((m) => m.type === 'error');
const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));

const upgradeStatus = (headers: Record<string, string>) => upgradeStatusOf(server.url, headers);

describe('the socket refuses', () => {
  it('an upgrade without a session (401) and from a foreign origin (403)', async () => {
    expect(await upgradeStatus({})).toBe(401);
    const s = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    expect(await upgradeStatus({ cookie: s.cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus({ cookie: s.cookie, origin: server.url })).toBe(101);
  });

  it('protocol versions it does not speak, naming the range it does', async () => {
    const c = await connect();
    await c.close();
    for (const [v, reason] of [[0, 'clientTooOld'], [PROTOCOL_VERSION + 1, 'serverTooOld']] as const) {
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers: { cookie: c.http.cookie } });
      await new Promise((r) => ws.once('open', r));
      const answer = new Promise<DownOf<'refused'>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
      ws.send(JSON.stringify({ type: 'hello', v, eventId: DEMO_EVENT, deviceId: c.deviceId, checkpointId: null, cursor: null }));
      const refused = await answer;
      expect(refused).toMatchObject({ type: 'refused', reason, minVersion: 1, maxVersion: PROTOCOL_VERSION });
      expect(await closed(ws)).toBe(4000);
    }
  });

  it('unknown devices, unknown events, and staff of another event', async () => {
    const c = await connect();
    await c.close();
    const odd = new ScannerClient(c.http, DEMO_EVENT, MAIN);
    (odd as { deviceId: string }).deviceId = 'd-never-registered';
    expect(await odd.open()).toMatchObject({ type: 'refused', reason: 'unknownDevice' });
    const lost = new ScannerClient(c.http, eventId('no-such-event'), MAIN);
    lost.deviceId = c.deviceId;
    expect(await lost.open()).toMatchObject({ type: 'refused', reason: 'unknownEvent' });
    const other = await ScannerClient.connect(server.url, 'other', 'other-pass', OTHER, MAIN);
    await other.close();
    const intruder = new ScannerClient(other.http, DEMO_EVENT, MAIN);
    intruder.deviceId = other.deviceId;
    expect(await intruder.open()).toMatchObject({ type: 'refused', reason: 'forbidden' });
  });

  it('malformed, binary, oversized and out-of-order messages with typed errors, and stays up', async () => {
    const c = await connect();
    try {
      const cases: Array<[string | Buffer, string]> = [
        ['not json at all {', 'malformed_message'],
        [JSON.stringify({ type: 'launch-missiles' }), 'malformed_message'],
        [JSON.stringify({ type: 'scan', scan: { id: 'x' } }), 'malformed_message'],
        [JSON.stringify({ type: 'scan', scan: { ...c.request(ticket, ticket), id: 'bad id with spaces' } }), 'malformed_message'],
        [JSON.stringify({ type: 'upload', batchId: 'b', scans: Array.from({ length: 1001 }, () => c.offlineScan(c.request(ticket, ticket))) }), 'malformed_message'],
        [JSON.stringify({ type: 'ping', id: 1, clientTime: 1, padding: 'x'.repeat(1_100_000) }), 'payload_too_large'],
        [Buffer.from([1, 2, 3]), 'malformed_message'],
        [JSON.stringify({ type: 'hello', v: 1, eventId: DEMO_EVENT, deviceId: c.deviceId, checkpointId: null, cursor: null }), 'bad_request'],
        ['null', 'malformed_message'],
        ['[]', 'malformed_message'],
      ];
      for (const [raw, code] of cases) {
        const err = nextError(c);
        c.ws.send(raw);
        expect((await err).code, String(raw).slice(0, 60)).toBe(code);
      }
      // A flood of garbage changes nothing either.
      for (let i = 0; i < 500; i++) c.ws.send(`{"type":"scan","scan":${i}}`);
      const ping = c.waitFor<DownOf<'pong'>>((m) => m.type === 'pong');
      c.send({ type: 'ping', id: 7, clientTime: Date.now() });
      expect((await ping).id).toBe(7);
    } finally { await c.close(); }
  });

  it('a frame over 4 MiB by closing with 1009, and the server keeps serving', async () => {
    const c = await connect();
    const code = closed(c.ws);
    c.ws.send('x'.repeat(5 * 1024 * 1024));
    expect(await code).toBe(1009);
    expect((await fetch(server.url + '/healthz')).status).toBe(200);
    const again = await connect();
    expect((await again.scan(again.request(ticket, ticket))).verdict.outcome).toMatch(/valid|already_used/);
    await again.close();
  });

  it('messages before hello, and scans in someone else\u2019s name', async () => {
    const s = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers: { cookie: s.cookie } });
    await new Promise((r) => ws.once('open', r));
    const first = new Promise<DownOf<'error'>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    ws.send(JSON.stringify({ type: 'ping', id: 1, clientTime: 1 }));
    expect(await first).toMatchObject({ type: 'error', code: 'not_ready' });
    ws.close();

    const c = await connect();
    const c2 = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
    try {
      const asOtherDevice = c.request(ticket, ticket, { deviceId: c2.deviceId });
      const asOtherInspector = c.request(ticket, ticket, { inspectorId: c2.inspectorId });
      const forOtherEvent = c.request(ticket, ticket, { eventId: OTHER });
      for (const req of [asOtherDevice, asOtherInspector, forOtherEvent]) {
        const err = nextError(c);
        c.send({ type: 'scan', scan: req });
        expect(await err).toMatchObject({ code: 'forbidden', ref: req.id });
        const upErr = nextError(c);
        c.send({ type: 'upload', batchId: 'b-' + req.id, scans: [c.offlineScan(req)] });
        expect(await upErr).toMatchObject({ code: 'forbidden', ref: 'b-' + req.id });
      }
      const sup = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
      for (const id of [asOtherDevice.id, asOtherInspector.id, forOtherEvent.id]) {
        const h = await sup.request('GET', `/api/events/${DEMO_EVENT}/history?limit=500`);
        expect(h.json.scans.some((x: { scan: { id: string } }) => x.scan.id === id)).toBe(false);
      }
    } finally { await c.close(); await c2.close(); }
  });

  it('a revoked device: disconnected at once, and its session ended when it comes back', async () => {
    const c = await connect();
    const sup = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
    const refused = c.waitFor<DownOf<'refused'>>((m) => m.type === 'refused');
    const code = closed(c.ws);
    expect((await sup.request('POST', `/api/devices/${c.deviceId}/revoke`)).status).toBe(200);
    expect((await refused).reason).toBe('deviceRevoked');
    expect(await code).toBe(4004);
    // Revoking ended the session it was bound to (tests/integration/hostile-devices.test.ts).
    expect(await upgradeStatus({ cookie: c.http.cookie })).toBe(401);
  });
});

describe('a socket that says no hello in time', () => {
  let slow: TestServer;
  beforeAll(async () => { slow = await startTestServer({ socketHelloMs: 300 }); });
  afterAll(async () => { await slow?.close(); });

  it('is refused `helloTimeout` and closed with 4008, not as a lost login: the same session connects again', async () => {
    const s = await HttpSession.login(slow.url, 'inspector', login('inspector').password);
    const ws = new WebSocket(slow.url.replace('http', 'ws') + '/ws', { headers: { cookie: s.cookie } });
    const answer = new Promise<DownOf<'refused'>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    const code = closed(ws);
    // Nothing is said: the phone's storage is blocked past the deadline.
    expect(await answer).toMatchObject({ type: 'refused', reason: 'helloTimeout', maxVersion: PROTOCOL_VERSION });
    expect(await code).toBe(4008);
    expect(await upgradeStatusOf(slow.url, { cookie: s.cookie })).toBe(101);
  });
});
