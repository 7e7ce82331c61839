// The supervisors' live view and conflict inbox (issue 10) against a real server on a
// loopback port with real sockets: a supervisor subscribes, folds the deltas it is pushed
// over the snapshot, and must see what the gates did; the counters must also match a fresh
// GET …/live. Inspectors get none of it; a supervisor of one event nothing of another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '@gatekeeper/shared/domain';
import { checkpointId, eventId, type CheckpointId, type TicketId } from '@gatekeeper/shared/ids';
import { applyLiveDelta } from '@gatekeeper/shared/live-counts';
import type { DownOf, LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../../sync-server/src/log.ts';
import { stamp } from '../support/factories.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const RINK = checkpointId('ice-rink');
const VIP = checkpointId('vip-lounge');
/** A second door of the VIP zone, added by the test: entry/exit like the lounge's. */
const VIP_SIDE = checkpointId('vip-side');
const OTHER_EVENT = eventId('other-night');
const OTHER_GATE = checkpointId('other-gate');

const logged: Array<{ msg: string; fields: Record<string, unknown> }> = [];
const log: Logger = { debug() {}, info: (msg, fields = {}) => { logged.push({ msg, fields }); }, warn() {}, error() {} };

let server: TestServer;
let plain: TicketId[];
let vip: TicketId[];
let supervisor: HttpSession;
let admin: HttpSession;
let a: ScannerClient;
let b: ScannerClient;

/** A supervisor's socket subscribed to the live view, folding every delta over its snapshot. */
class Watcher {
  view!: LiveSnapshot;
  constructor(readonly client: ScannerClient) {}

  static async open(): Promise<Watcher> {
    const w = new Watcher(await ScannerClient.connect(server.url, 'supervisor', login('supervisor').password, DEMO_EVENT, MAIN));
    const first = w.client.waitFor<DownOf<'live'>>((m) => m.type === 'live');
    // After the client's own handler, which has parsed the message into `received`.
    w.client.ws.on('message', () => {
      const m = w.client.received.at(-1);
      if (m?.type === 'liveDelta' && w.view) w.view = applyLiveDelta(w.view, m.delta);
    });
    w.client.send({ type: 'liveSubscribe' });
    w.view = (await first).snapshot;
    return w;
  }

  /** Wait until the view counts every scan up to `cursor`. */
  async caughtUp(cursor: number): Promise<LiveSnapshot> {
    await until(() => this.view.cursor >= cursor, `the live view at cursor ${cursor}`);
    return this.view;
  }
}

const admittedAt = (v: LiveSnapshot, cp: CheckpointId) => v.checkpoints.find((c) => c.checkpointId === cp)?.admitted ?? 0;
const insideOf = (v: LiveSnapshot, zone: string) => v.zones.find((z) => z.zone === zone)?.inside ?? 0;
const outcomeCount = (v: LiveSnapshot, outcome: string) => v.outcomes.find((o) => o.outcome === outcome)?.count ?? 0;
const entriesAt = (v: LiveSnapshot, cp: CheckpointId) => v.minutes.filter((m) => m.checkpointId === cp).reduce((n, m) => n + m.entries, 0);
/** The same counters in one order, to compare a folded view with a fresh snapshot. */
const sorted = (v: LiveSnapshot) => ({
  ...v,
  checkpoints: [...v.checkpoints].sort((x, y) => x.checkpointId.localeCompare(y.checkpointId)),
  zones: [...v.zones].sort((x, y) => x.zone.localeCompare(y.zone)),
  minutes: [...v.minutes].sort((x, y) => x.checkpointId.localeCompare(y.checkpointId) || x.minute - y.minute),
  outcomes: [...v.outcomes].sort((x, y) => x.outcome.localeCompare(y.outcome)),
});

async function scanAt(phone: ScannerClient, cp: CheckpointId, ticket: TicketId, extra: Parameters<ScannerClient['request']>[2] = {}) {
  return phone.scan(phone.request(ticket, ticket, { checkpointId: cp, ...extra }));
}

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 200 }, log);
  const usable = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  plain = usable.filter((t) => t.type !== 'VIP').map((t) => t.id);
  vip = usable.filter((t) => t.type === 'VIP').map((t) => t.id);
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  admin = await HttpSession.login(server.url, 'admin', login('admin').password);
  const side: Checkpoint = { id: VIP_SIDE, eventId: DEMO_EVENT, name: 'VIP side door', zone: 'vip', mode: 'entry_exit', allowedTypes: ['VIP'], validFrom: null, validUntil: null };
  expect((await admin.request('PUT', `/api/events/${DEMO_EVENT}/checkpoints/${VIP_SIDE}`, side)).status).toBe(200);
  a = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
  b = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
});
afterAll(async () => { await a?.close(); await b?.close(); await server?.close(); });

describe('the live counters a supervisor is pushed', () => {
  it('count entries per checkpoint and tickets admitted once, and match a fresh snapshot', async () => {
    const w = await Watcher.open();
    try {
      const before = w.view;
      const [t1, t2, t3] = plain.slice(0, 3) as [TicketId, TicketId, TicketId];
      await scanAt(a, MAIN, t1);
      await scanAt(b, MAIN, t2);
      await scanAt(a, RINK, t2); // the same person at a second gate: one more entry there, not one more person
      const last = await scanAt(b, RINK, t3);
      expect(last.verdict.outcome).toBe('valid');
      const view = await w.caughtUp(last.cursor);
      expect(admittedAt(view, MAIN) - admittedAt(before, MAIN)).toBe(2);
      expect(admittedAt(view, RINK) - admittedAt(before, RINK)).toBe(2);
      expect(entriesAt(view, MAIN) - entriesAt(before, MAIN)).toBe(2);
      expect(view.admitted - before.admitted).toBe(3);
      expect(view.ticketsSold).toBeGreaterThanOrEqual(plain.length + vip.length);
      const fresh = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/live`);
      expect(fresh.status).toBe(200);
      expect(sorted(fresh.json)).toEqual(sorted(view));
    } finally { await w.client.close(); }
  });

  it('count refusals by reason', async () => {
    const w = await Watcher.open();
    try {
      const before = w.view;
      const t = plain[3]!;
      await scanAt(a, MAIN, t);
      const again = await scanAt(b, MAIN, t);
      expect(again.verdict.outcome).toBe('already_used');
      const forged = await a.scan(a.request(null, 'GK1Tnot-a-real-code'));
      expect(forged.verdict.outcome).not.toBe('valid');
      const view = await w.caughtUp(Math.max(again.cursor, forged.cursor));
      expect(outcomeCount(view, 'already_used') - outcomeCount(before, 'already_used')).toBe(1);
      expect(outcomeCount(view, forged.verdict.outcome) - outcomeCount(before, forged.verdict.outcome)).toBe(1);
      expect(outcomeCount(view, 'valid') - outcomeCount(before, 'valid')).toBe(1);
    } finally { await w.client.close(); }
  });

  it('count people inside an entry/exit zone: an exit lowers it', async () => {
    const w = await Watcher.open();
    try {
      const before = insideOf(w.view, 'vip');
      const t = vip[0]!;
      const entry = await scanAt(a, VIP, t);
      expect(entry.verdict.outcome).toBe('valid');
      expect(insideOf(await w.caughtUp(entry.cursor), 'vip')).toBe(before + 1);
      const exit = await scanAt(b, VIP_SIDE, t, { direction: 'exit' });
      expect(exit.verdict.outcome).toBe('exit');
      expect(insideOf(await w.caughtUp(exit.cursor), 'vip')).toBe(before);
    } finally { await w.client.close(); }
  });
});

describe('a partitioned double admission', () => {
  it('counts the person inside once, reaches the subscribed supervisor as a conflict, and is reviewed with a note that is kept and audited', async () => {
    const w = await Watcher.open();
    try {
      const before = w.view;
      const t = vip[1]!;
      const t0 = Date.now();
      // Both doors of the VIP zone admit the same ticket while cut off from the server.
      const first = a.offlineScan(a.request(t, t, { checkpointId: VIP, zone: 'vip', mode: 'entry_exit', hlc: stamp(t0 - 4000), at: t0 - 4000 }));
      const second = b.offlineScan(b.request(t, t, { checkpointId: VIP_SIDE, zone: 'vip', mode: 'entry_exit', hlc: stamp(t0 - 2000), at: t0 - 2000 }));
      const told = w.client.waitFor<DownOf<'conflict'>>((m) => m.type === 'conflict' && m.conflict.ticketId === t);
      await b.upload([second]);
      await a.upload([first]);
      const conflict = (await told).conflict;
      expect(conflict).toMatchObject({ winner: { scanId: first.id, checkpointId: VIP }, loser: { scanId: second.id, checkpointId: VIP_SIDE } });

      await until(() => admittedAt(w.view, VIP_SIDE) > admittedAt(before, VIP_SIDE) && admittedAt(w.view, VIP) > admittedAt(before, VIP), 'both admissions counted');
      expect(insideOf(w.view, 'vip') - insideOf(before, 'vip')).toBe(1);
      expect(w.view.admitted - before.admitted).toBe(1);

      // The inbox lists it newest first, both scans named, with the holder.
      const inbox = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`);
      expect(inbox.json.conflicts[0]).toMatchObject({ id: second.id, ticketId: t, review: null, winner: { inspectorId: a.inspectorId, deviceId: a.deviceId }, loser: { inspectorId: b.inspectorId, deviceId: b.deviceId } });
      expect(typeof inbox.json.conflicts[0].holder).toBe('string');

      const pushed = w.client.waitFor<DownOf<'conflictReviewed'>>((m) => m.type === 'conflictReviewed' && m.conflictId === second.id);
      const r = await supervisor.request('POST', `/api/events/${DEMO_EVENT}/conflicts/${second.id}/review`, { note: 'same guest, both doors; wristband checked' });
      expect(r.status).toBe(200);
      const review = { by: supervisor.inspector!.id, byName: supervisor.inspector!.name, note: 'same guest, both doors; wristband checked' };
      expect(r.json.conflict).toMatchObject({ id: second.id, review });
      expect((await pushed).review).toMatchObject(review);
      const listed = (await supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`)).json.conflicts.find((c: { id: string }) => c.id === second.id);
      expect(listed.review).toMatchObject(review);
      expect(logged.find((l) => l.msg === 'conflict reviewed' && l.fields.conflict === second.id)?.fields).toMatchObject({ by: review.by, note: review.note });
    } finally { await w.client.close(); }
  });

  it('is reviewed by supervisors only, and only of a conflict that exists', async () => {
    const asInspector = await a.http.request('POST', `/api/events/${DEMO_EVENT}/conflicts/s-whatever/review`, { note: 'x' });
    expect(asInspector).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
    const missing = await supervisor.request('POST', `/api/events/${DEMO_EVENT}/conflicts/s-no-such-scan/review`, { note: 'x' });
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
  });
});

describe('who gets the live view', () => {
  it('an inspector subscribing gets a typed error and no counters, and GET …/live refuses them', async () => {
    const refused = a.waitFor<DownOf<'error'>>((m) => m.type === 'error');
    a.send({ type: 'liveSubscribe' });
    expect(await refused).toMatchObject({ code: 'forbidden' });
    const http = await a.http.request('GET', `/api/events/${DEMO_EVENT}/live`);
    expect(http).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
    // Scans keep coming; the inspector is pushed none of the supervisors' messages.
    const v = await scanAt(b, MAIN, plain[10]!);
    await until(() => (a.cursor ?? 0) >= v.cursor, 'the inspector hears the scan');
    expect(a.received.some((m) => m.type === 'live' || m.type === 'liveDelta' || m.type === 'liveAlert' || m.type === 'conflictReviewed')).toBe(false);
  });

  it('a supervisor of one event gets nothing of another', async () => {
    const create = await admin.request('POST', '/api/events', {
      event: { id: OTHER_EVENT, name: 'Other night', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' },
      checkpoints: [{ id: OTHER_GATE, eventId: OTHER_EVENT, name: 'Gate', zone: 'hall', mode: 'once_per_event', allowedTypes: null, validFrom: null, validUntil: null }],
    });
    expect(create.status).toBe(201);
    expect((await admin.request('POST', `/api/events/${OTHER_EVENT}/staff`, { username: 'inspector2', name: 'Ivo Inspector', password: 'irrelevant-here-1', role: 'inspector' })).status).toBe(201);
    const w = await Watcher.open();
    const other = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, OTHER_EVENT, OTHER_GATE);
    try {
      const refusal = await other.scan(other.request(null, 'GK1Tforged-elsewhere'));
      const t0 = Date.now();
      const x = other.offlineScan(other.request(null, 'GK1Tforged-offline', { checkpointId: checkpointId('nowhere'), hlc: stamp(t0), at: t0 }), 'valid');
      await other.upload([x]);
      // The demo event goes on; once its next scan is counted, the other event's would have been too.
      const here = await scanAt(a, MAIN, plain[11]!);
      await w.caughtUp(here.cursor);
      expect(refusal.verdict.outcome).not.toBe('valid');
      const all = JSON.stringify(w.client.received);
      expect(all).not.toContain(OTHER_EVENT);
      expect(w.view.eventId).toBe(DEMO_EVENT);
      const http = await supervisor.request('GET', `/api/events/${OTHER_EVENT}/live`);
      expect(http).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
      expect((await supervisor.request('GET', `/api/events/${OTHER_EVENT}/conflicts`)).status).toBe(403);
    } finally { await w.client.close(); await other.close(); }
  });
});

describe('rate-limit alerts', () => {
  let limited: TestServer;
  beforeAll(async () => { limited = await startTestServer({ demoTickets: 60, deviceUploadBurst: 1, deviceUploadsPerMinute: 12 }); });
  afterAll(async () => { await limited?.close(); });

  it('reach a subscribed supervisor as they are recorded', async () => {
    const sup = await ScannerClient.connect(limited.url, 'supervisor', login('supervisor').password, DEMO_EVENT, MAIN);
    const phone = await ScannerClient.connect(limited.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
    try {
      const subscribed = sup.waitFor((m) => m.type === 'live');
      sup.send({ type: 'liveSubscribe' });
      await subscribed;
      const alerted = sup.waitFor<DownOf<'liveAlert'>>((m) => m.type === 'liveAlert');
      const t = (await limited.storage.changesSince(DEMO_EVENT, 0)).tickets.map((x) => x.id);
      await phone.upload([phone.offlineScan(phone.request(t[0]!, t[0]!))]);
      const refused = phone.waitFor<DownOf<'error'>>((m) => m.type === 'error' && m.ref === 'b-over');
      phone.send({ type: 'upload', batchId: 'b-over', scans: [phone.offlineScan(phone.request(t[1]!, t[1]!))] });
      expect(await refused).toMatchObject({ code: 'rate_limited' });
      const { alert } = await alerted;
      expect(alert).toMatchObject({ eventId: DEMO_EVENT, deviceId: phone.deviceId, inspectorId: phone.inspectorId, kind: 'rate_limited' });
      const listed = await sup.http.request('GET', `/api/events/${DEMO_EVENT}/quarantine`);
      expect(listed.json.alerts[0]).toEqual(alert);
    } finally { await sup.close(); await phone.close(); }
  });
});
