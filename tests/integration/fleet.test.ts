// The supervisors' device fleet (issue 10) against a real server with real sockets: a
// phone's protocol 10 report shows in GET …/fleet and in the stream, what it says in its
// pings replaces it, a version 9 phone is still served (and listed without a report), and
// only supervisors of the event see any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STEP_SECONDS } from '@gatekeeper/shared/clock';
import { zFleetChange, zFleetReply, type FleetChange, type FleetDevice } from '@gatekeeper/shared/api/fleet';
import { checkpointId, eventId, type CheckpointId } from '@gatekeeper/shared/ids';
import type { DeviceReport } from '@gatekeeper/shared/protocol/index';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const RINK = checkpointId('ice-rink');
const OTHER_EVENT = eventId('fleet-other-night');
const OTHER_GATE = checkpointId('other-gate');
/** Short, so that a phone turns silent within a test; the default is 5 minutes. */
const SILENT_MS = 1_500;

let server: TestServer;
let supervisor: HttpSession;
let admin: HttpSession;

const fleet = async (who: HttpSession = supervisor) => {
  const r = await who.request('GET', `/api/events/${DEMO_EVENT}/fleet`);
  expect(r.status).toBe(200);
  return zFleetReply.parse(r.json);
};
const rowOf = async (id: string): Promise<FleetDevice | undefined> => (await fleet()).devices.find((d) => d.id === id);

async function ping(c: ScannerClient, id: number, report?: DeviceReport): Promise<void> {
  const pong = c.waitFor((m) => m.type === 'pong' && m.id === id);
  c.send({ type: 'ping', id, clientTime: Date.now(), ...(report ? { report } : {}) });
  await pong;
}

/** GET …/fleet/stream read as a browser's EventSource would: each `device` event parsed. */
class FleetStream {
  readonly changes: FleetChange[] = [];
  readonly #abort = new AbortController();
  #done: Promise<void> = Promise.resolve();

  static async open(who: HttpSession): Promise<FleetStream> {
    const s = new FleetStream();
    const res = await fetch(`${who.base}/api/events/${DEMO_EVENT}/fleet/stream`, { headers: { cookie: who.cookie }, signal: s.#abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    s.#done = s.#read(res.body!.getReader());
    return s;
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (!lines.includes('event: device')) continue;
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          this.changes.push(zFleetChange.parse(JSON.parse(data)));
        }
      }
    } catch { /* aborted */ }
  }

  async next(match: (d: FleetDevice) => boolean, what: string): Promise<FleetDevice> {
    await until(() => this.changes.some((c) => match(c.device)), what);
    return this.changes.find((c) => match(c.device))!.device;
  }

  async close(): Promise<void> { this.#abort.abort(); await this.#done; }
}

beforeAll(async () => {
  server = await startTestServer({ fleetSilentMs: SILENT_MS });
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  admin = await HttpSession.login(server.url, 'admin', login('admin').password);
});
afterAll(async () => { await server?.close(); });

describe('the device fleet', () => {
  it('a version 10 phone\u2019s report shows while it is online, its pings replace it, and it stays when the phone goes', async () => {
    const report = { appVersion: '1.2.3-fleet', clockOffsetMs: -1500, waiting: 2 };
    const phone = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN, { report, version: 10 });
    const row = await rowOf(phone.deviceId);
    expect(row).toMatchObject({
      online: true, appVersion: '1.2.3-fleet', clockOffsetMs: -1500, waiting: 2, checkpointId: MAIN, protocolVersion: 10,
      inspector: { id: phone.inspectorId, name: 'Ingrid Inspector' }, revokedAt: null, silent: false, clockOff: false,
    });
    expect(row!.name).toBe('inspector phone');

    // Uploaded meanwhile, and its clock found off by more than a rotation step.
    const off = DEFAULT_STEP_SECONDS * 1000 + 5_000;
    await ping(phone, 1, { appVersion: '1.2.3-fleet', clockOffsetMs: off, waiting: 0 });
    expect(await rowOf(phone.deviceId)).toMatchObject({ online: true, waiting: 0, clockOffsetMs: off, clockOff: true });

    const closedAt = Date.now();
    await phone.close();
    await until(async () => (await rowOf(phone.deviceId))?.online === false, 'the phone listed offline');
    const gone = (await rowOf(phone.deviceId))!;
    expect(gone).toMatchObject({ appVersion: '1.2.3-fleet', waiting: 0, clockOffsetMs: off });
    expect(gone.lastSeenAt).toBeGreaterThanOrEqual(closedAt - 1000);
    // Kept on disk: what a restarted server lists before the phone comes back.
    const stored = (await server.storage.listDeviceReports(DEMO_EVENT)).find((r) => r.deviceId === phone.deviceId);
    expect(stored).toMatchObject({ appVersion: '1.2.3-fleet', waiting: 0, clockOffsetMs: off, seenAt: gone.lastSeenAt });

    // Unheard for longer than the threshold: flagged silent.
    await until(async () => (await rowOf(phone.deviceId))?.silent === true, 'the phone flagged silent');
  });

  it('a console\u2019s socket (a hello without a checkpoint) is no phone of the fleet', async () => {
    // The supervisors' Live view says hello as its device with no checkpoint: a laptop in
    // the control room, not a gate; listed, it would be flagged silent whenever the section closes.
    const console_ = await ScannerClient.connect(server.url, 'supervisor', login('supervisor').password, DEMO_EVENT, null as unknown as CheckpointId);
    try {
      expect(console_.received[0]?.type).toBe('welcome');
      await ping(console_, 1);
      expect(await rowOf(console_.deviceId)).toBeUndefined();
    } finally { await console_.close(); }
  });

  it('a version 9 phone is served as before, and listed without a report', async () => {
    const old = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, RINK, { version: 9 });
    try {
      expect(old.received[0]?.type).toBe('welcome');
      await ping(old, 1);
      expect(await rowOf(old.deviceId)).toMatchObject({ online: true, protocolVersion: 9, appVersion: null, clockOffsetMs: null, waiting: null, checkpointId: RINK, clockOff: false });
    } finally { await old.close(); }
  });

  it('pushes a phone\u2019s row as it comes online, goes offline and is revoked', async () => {
    const stream = await FleetStream.open(supervisor);
    try {
      const phone = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN, { report: { appVersion: '1.2.3-fleet', clockOffsetMs: 12, waiting: 0 } });
      const online = await stream.next((d) => d.id === phone.deviceId && d.online, 'the phone pushed online');
      expect(online.appVersion).toBe('1.2.3-fleet');
      await phone.close();
      await stream.next((d) => d.id === phone.deviceId && !d.online, 'the phone pushed offline');
      expect((await supervisor.request('POST', `/api/devices/${phone.deviceId}/revoke`)).status).toBe(200);
      const revoked = await stream.next((d) => d.id === phone.deviceId && d.revokedAt !== null, 'the revocation pushed');
      expect(revoked.silent).toBe(false);
    } finally { await stream.close(); }
  });

  it('refuses an inspector, and a supervisor of another event, both the list and the stream', async () => {
    const inspector = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    expect((await inspector.request('GET', `/api/events/${DEMO_EVENT}/fleet`)).status).toBe(403);
    expect((await inspector.request('GET', `/api/events/${DEMO_EVENT}/fleet/stream`)).status).toBe(403);

    const create = await admin.request('POST', '/api/events', {
      event: { id: OTHER_EVENT, name: 'Other night', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' },
      checkpoints: [{ id: OTHER_GATE, eventId: OTHER_EVENT, name: 'Gate', zone: 'hall', mode: 'once_per_event', allowedTypes: null, validFrom: null, validUntil: null }],
    });
    expect(create.status).toBe(201);
    const password = 'other-night-supervisor-1';
    expect((await admin.request('POST', `/api/events/${OTHER_EVENT}/staff`, { username: 'othersup', name: 'Olga Other', password, role: 'supervisor' })).status).toBe(201);
    const other = await HttpSession.login(server.url, 'othersup', password);
    expect((await other.request('GET', `/api/events/${DEMO_EVENT}/fleet`)).status).toBe(403);
    expect((await other.request('GET', `/api/events/${DEMO_EVENT}/fleet/stream`)).status).toBe(403);
    // Their own event's fleet is theirs: empty, since no phone has spoken for it.
    const own = await other.request('GET', `/api/events/${OTHER_EVENT}/fleet`);
    expect(own.status).toBe(200);
    expect(own.json.devices).toEqual([]);
  });
});
