// A revoked phone and a stolen session are cut off (issue 8, section 3). Each test is an
// attack that worked before devices had secrets and sessions were bound to one phone:
// a real server on loopback, real sockets, real SQLite.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type DeviceId, type TicketId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION, type DownOf } from '@gatekeeper/shared/protocol/index';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const MAIN = checkpointId('main-gate');
/** Waits that depend on the machine's speed; the server's session check runs every 5 s. */
const SLOW = 20_000;
let server: TestServer;
let tickets: TicketId[];

beforeAll(async () => {
  server = await startTestServer();
  tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null && t.kind === 'event' && t.importedCode === null)
    .map((t) => t.id);
});
afterAll(async () => { await server?.close(); });

const connect = (who: 'inspector' | 'inspector2' = 'inspector', opts: { deviceId?: DeviceId; deviceSecret?: string } = {}) =>
  ScannerClient.connect(server.url, who, login(who).password, DEMO_EVENT, MAIN, opts);
const supervisor = () => HttpSession.login(server.url, 'supervisor', login('supervisor').password);
const closed = (ws: WebSocket) => new Promise<number>((r) => {
  if (ws.readyState === ws.CLOSED) r(-1); else ws.once('close', (code) => r(code));
});
/** The close code, or 'still open' when the socket outlives `ms`. */
const closedWithin = (ws: WebSocket, ms: number) => Promise.race([closed(ws), new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms))]);

async function upgradeStatus(cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers: { cookie } });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('error', () => {});
  });
}

/** Say hello on a fresh socket of `http`'s session as `deviceId`, with `secret`; the first answer. */
async function helloAs(http: HttpSession, deviceId: DeviceId, secret: string | undefined, v = PROTOCOL_VERSION) {
  const c = new ScannerClient(http, DEMO_EVENT, MAIN);
  c.deviceId = deviceId;
  c.deviceSecret = secret;
  c.version = v;
  const first = await c.open(null);
  const code = first.type === 'refused' ? await closedWithin(c.ws, SLOW) : null;
  await c.close();
  return { first, code };
}

describe('a revoked phone', () => {
  it('is cut off with its session: no new device, no manifest, no socket', async () => {
    const c = await connect();
    const sup = await supervisor();
    const refused = c.waitFor<DownOf<'refused'>>((m) => m.type === 'refused');
    expect((await sup.request('POST', `/api/devices/${c.deviceId}/revoke`)).status).toBe(200);
    expect((await refused).reason).toBe('deviceRevoked');

    // The same cookie, as the thief of the phone would use it.
    const again = await c.http.request('POST', '/api/devices', { name: 'fresh start' });
    expect(again.status).toBe(401);
    expect((await c.http.request('GET', `/api/events/${DEMO_EVENT}/manifest`)).status).toBe(401);
    expect(await upgradeStatus(c.http.cookie)).toBe(401);
    await c.close();
  });

  it('cannot be claimed by the next login, even with its secret', async () => {
    const c = await connect();
    const secret = c.deviceSecret!;
    await c.close();
    const sup = await supervisor();
    expect((await sup.request('POST', `/api/devices/${c.deviceId}/revoke`)).status).toBe(200);
    const next = await HttpSession.login(server.url, 'inspector2', login('inspector2').password);
    const claim = await next.claimDevice(c.deviceId, secret);
    expect(claim.status).toBe(403);
    expect(claim.json.error.code).toBe('device_revoked');
  });
});

describe('a device id is not a credential', () => {
  it('another inspector saying hello with my device id is refused', async () => {
    const mine = await connect('inspector');
    const other = await HttpSession.login(server.url, 'inspector2', login('inspector2').password);
    await other.registerDevice('inspector2 phone');
    const { first, code } = await helloAs(other, mine.deviceId, other.deviceSecret);
    expect(first).toMatchObject({ type: 'refused', reason: 'unknownDevice' });
    expect(code).toBe(4000);
    await mine.close();
  });

  it('a hello with a wrong or missing secret is refused, even from the session that registered it', async () => {
    const c = await connect();
    await c.close();
    expect((await helloAs(c.http, c.deviceId, 'not-the-secret')).first).toMatchObject({ type: 'refused', reason: 'unknownDevice' });
    expect((await helloAs(c.http, c.deviceId, undefined)).first).toMatchObject({ type: 'refused', reason: 'unknownDevice' });
    // A client older than the secret is told to update rather than that its phone is unknown.
    expect((await helloAs(c.http, c.deviceId, undefined, 3)).first).toMatchObject({ type: 'refused', reason: 'clientTooOld' });
    expect((await helloAs(c.http, c.deviceId, c.deviceSecret)).first).toMatchObject({ type: 'welcome' });
  });

  it('one session registers one phone: a second registration is refused', async () => {
    const http = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    await http.registerDevice('first');
    const second = await http.request('POST', '/api/devices', { name: 'second' });
    expect(second.status).toBe(403);
    expect(second.json.error.code).toBe('forbidden');
  });

  it('HTTP scans name the session’s own phone only', async () => {
    const mine = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    const myPhone = await mine.registerDevice('mine');
    const other = await HttpSession.login(server.url, 'inspector2', login('inspector2').password);
    await other.registerDevice('theirs');
    const t = tickets.shift()!;
    const c = new ScannerClient(other, DEMO_EVENT, MAIN);
    c.deviceId = myPhone;
    const r = await other.request('POST', `/api/events/${DEMO_EVENT}/scans`, c.request(t, t), { 'x-device-id': myPhone });
    expect(r.status).toBe(403);
    expect(await server.storage.ticketScans(DEMO_EVENT, t)).toEqual([]);
  });
});

describe('a phone handed to the next shift', () => {
  it('keeps its device: the next inspector claims it with its secret and scans online under the same id', async () => {
    const first = await connect('inspector');
    const { deviceId } = first;
    const secret = first.deviceSecret!;
    expect((await first.http.request('POST', '/api/logout', {})).status).toBe(204);
    await first.close();

    const wrong = await HttpSession.login(server.url, 'inspector2', login('inspector2').password);
    expect((await wrong.claimDevice(deviceId, 'guessed')).status).toBe(403);

    const next = await connect('inspector2', { deviceId, deviceSecret: secret });
    expect(next.received[0]).toMatchObject({ type: 'welcome', inspector: { id: next.inspectorId } });
    const t = tickets.shift()!;
    const v = await next.scan(next.request(t, t));
    expect(v.verdict.outcome).toBe('valid');
    expect((await server.storage.ticketScans(DEMO_EVENT, t))[0]).toMatchObject({ deviceId, inspectorId: next.inspectorId });
    // The supervisor's list shows who holds the phone now.
    const listed = (await (await supervisor()).request('GET', '/api/devices')).json.devices.find((d: { id: string }) => d.id === deviceId);
    expect(listed.inspectorId).toBe(next.inspectorId);
    await next.close();
  });
});

describe('an ended session', () => {
  it('logout closes its open sockets', async () => {
    const c = await connect();
    const refused = c.waitFor<DownOf<'refused'>>((m) => m.type === 'refused', SLOW);
    expect((await c.http.request('POST', '/api/logout', {})).status).toBe(204);
    expect(await closedWithin(c.ws, SLOW)).toBe(4001);
    expect((await refused).reason).toBe('unauthenticated');
  });

  it('expiry closes its open sockets within a few seconds', async () => {
    let now = Date.now();
    const timed = await startTestServer({ sessionHours: 1 }, undefined, () => now);
    try {
      const c = await ScannerClient.connect(timed.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
      now += 2 * 3600_000;
      expect(await closedWithin(c.ws, SLOW)).toBe(4001);
      await c.close();
    } finally { await timed.close(); }
  });
});
