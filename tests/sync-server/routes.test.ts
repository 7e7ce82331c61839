// The HTTP API in-process (Hono's app.request): who may call what, logging in, bodies
// and errors, and scans over HTTP. One app for the file, seeded with the demo and a
// second event with staff of its own; every test takes its own tickets and devices, so
// no test depends on another having run.
//
// Longer than most files here because the route table, the auth rules and the scan
// rules are one story about one app; the table is the part to keep in step with
// docs/api.md, and the last test of its block fails when a route is added without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  zClaimedDeviceReply, zDeviceListReply, zEventDetailsReply, zEventListReply, zOrderCodeReply, zRegisteredDeviceReply,
  zSessionReply, zTicketCodeReply,
} from '@gatekeeper/shared/api/index';
import { decodeCode, extractCode, generateEventKey, signTicketCode, toBase64Url, toPublicKeyEntry } from '@gatekeeper/shared/codec/index';
import { zBindDeviceReply } from '@gatekeeper/shared/api/certificates';
import { zConflict, zScan, zVerdict, type Conflict, type Scan, type Ticket } from '@gatekeeper/shared/domain';
import {
  checkpointId, eventId, inspectorId, type DeviceId, type EventId, type InspectorId, type TicketId,
} from '@gatekeeper/shared/ids';
import { hashImportedCode } from '@gatekeeper/shared/imported-code';
import { TICKET_COLUMNS, zEvent, zManifest, type Manifest } from '@gatekeeper/shared/manifest';
import { MAX_MESSAGE_BYTES, zAck, type Role } from '@gatekeeper/shared/protocol/index';
import { zLiveReply } from '@gatekeeper/shared/api/live';
import { zFleetReply } from '@gatekeeper/shared/api/fleet';
import { randomBytes } from 'node:crypto';
import { zOrderMailsReply, zOutboxReply, zWalletReply } from '@gatekeeper/shared/api/wallet';
import {
  NO_MEASURES, WALLET_DEVICE_HEADER, zChallengeSentReply, zConfirmReply, zHolderChangeReply, zHolderReply, zMeasures, zSmsOutboxReply, zWalletStepsReply, type Measures,
} from '@gatekeeper/shared/api/verification';
import { hashPassword } from '../../sync-server/src/auth/passwords.ts';
import { hashToken } from '../../sync-server/src/wallet/order-mails.ts';
import {
  apiDocRoutes, appRoutes, assertErrorBody, DEMO_EVENT, LOGIN_LIMITS, makeTestApp, offlineScan, scanRequest, SESSION_TTL_MS,
  type AppClient, type AppResponse, type TestApp,
} from '../support/app.ts';
import { stamp } from '../support/factories.ts';
import { login } from '../support/server.ts';

const OTHER = eventId('other-event');
const MAIN = checkpointId('main-gate');
const BAR = checkpointId('bar');

let t: TestApp;
/** Sessions, one per person: the demo logins and the other event's two staff. */
const as = {} as Record<'inspector' | 'inspector2' | 'supervisor' | 'admin' | 'otherInspector' | 'otherSupervisor', AppClient>;
/** Each person's registered phone. */
const phone = {} as Record<keyof typeof as, DeviceId>;
/** Plain paid tickets (no ID check, no validity window), handed out one test at a time. */
let pool: Ticket[];

const take = (): Ticket => {
  const ticket = pool.shift();
  if (!ticket) throw new Error('the ticket pool is empty: seed more demo tickets');
  return ticket;
};
const who = (name: keyof typeof as, device: DeviceId = phone[name]) => ({ inspectorId: inspectorId(`i-${name}`) as InspectorId, deviceId: device });
const ev = (path = '', event: EventId = DEMO_EVENT) => `/api/events/${event}${path}`;
const dev = (device: DeviceId) => ({ 'x-device-id': device });
const ok2xx = (r: AppResponse) => expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(200);

async function registerPhone(client: AppClient, name = 'test phone'): Promise<DeviceId> {
  const r = await client.post('/api/devices', { name });
  expect(r.status).toBe(201);
  return r.json.device.id;
}

/** Another phone of `username`: a session speaks for one phone, so it logs in afresh. */
async function phoneAs(username: string, name: string): Promise<{ client: AppClient; device: DeviceId; secret: string }> {
  const client = await t.as(username);
  const r = await client.post('/api/devices', { name });
  expect(r.status).toBe(201);
  return { client, device: r.json.device.id, secret: r.json.device.secret };
}

async function manifest(client: AppClient = as.inspector, since = 0): Promise<Manifest> {
  const r = await client.get(ev(`/manifest${since ? `?since=${since}` : ''}`));
  expect(r.status).toBe(200);
  return zManifest.parse(r.json);
}

async function ticketCode(ticket: TicketId): Promise<string> {
  const r = await as.supervisor.get(ev(`/tickets/${ticket}/code`));
  expect(r.status).toBe(200);
  return r.json.code;
}

/** A double admission stored as two phones would upload it: the losing scan's id, which names the conflict. */
async function conflictToReview(): Promise<string> {
  const x = take();
  const at = t.clock.now;
  const first = offlineScan(scanRequest(who('inspector'), x.id, x.id, { at }));
  const second = offlineScan(scanRequest(who('inspector2'), x.id, x.id, { at: at + 5 }));
  await t.storage.uploadOffline([first, second], at);
  return second.id;
}

beforeAll(async () => {
  t = await makeTestApp({ tickets: 120, pwa: true });
  pool = (await t.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((x) => x.status === 'paid' && !x.idCheck && x.validFrom === null && x.validUntil === null && x.kind === 'event' && x.importedCode === null);
  // A second event with an inspector and a supervisor of only that event.
  await t.storage.createEvent({ id: OTHER, name: 'Other Event', venue: null, startsAt: null, endsAt: null, timeZone: 'UTC' });
  const hash = await hashPassword('other-pass-1');
  for (const [id, username, role] of [['i-otherInspector', 'otto', 'inspector'], ['i-otherSupervisor', 'olga', 'supervisor']] as const) {
    await t.storage.createStaff({ id: inspectorId(id), username, name: username, role, passwordHash: hash, disabled: false });
    await t.storage.assignStaff(OTHER, inspectorId(id));
  }
  for (const [name, username] of [['inspector', 'inspector'], ['inspector2', 'inspector2'], ['supervisor', 'supervisor'], ['admin', 'admin'], ['otherInspector', 'otto'], ['otherSupervisor', 'olga']] as const) {
    as[name] = await t.as(username);
    phone[name] = await registerPhone(as[name], `${name} phone`);
  }
});
afterAll(async () => { await t?.close(); });

// ---------------------------------------------------------------------------------------
// Every route and who may call it.

/** none: no session needed; any: any session; inspector/supervisor/admin: at least that role. */
type Need = 'none' | 'any' | Role;
interface Req { path: string; body?: unknown; headers?: Record<string, string> }
interface RouteCase {
  /** Method and Hono path, exactly as app.routes lists it. */
  route: string;
  need: Need;
  /** Scoped to the path's event (or, for devices, to the staff of one's events): others' staff are refused. */
  scoped: boolean;
  /** Build the request that should succeed; called afresh for every use, as some change things. */
  req(): Req | Promise<Req>;
  /** What the successful answer must hold, beyond a 2xx status. */
  check(r: AppResponse): void;
  /** Who succeeds, when the role's shared session will not do (the call ends or changes it, or it has its phone already). */
  client?: () => Promise<AppClient>;
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

const FRESH_PASSWORD = 'fresh-pass-1';
let freshHash: Promise<string> | null = null;
/** A new member of the demo event's staff, for a test that disables, resets or signs them out. */
async function freshStaff(role: Role = 'inspector'): Promise<{ id: InspectorId; username: string; client(): Promise<AppClient> }> {
  const username = unique('fresh');
  const id = inspectorId(`i-${username}`);
  await t.storage.createStaff({ id, username, name: `Fresh ${username}`, role, passwordHash: await (freshHash ??= hashPassword(FRESH_PASSWORD)), disabled: false });
  await t.storage.assignStaff(DEMO_EVENT, id);
  return { id, username, client: () => t.as(username) };
}

const ROUTES: RouteCase[] = [
  { route: 'GET /healthz', need: 'none', scoped: false, req: () => ({ path: '/healthz' }), check: (r) => expect(r.json).toEqual({ ok: true }) },
  { route: 'GET /api/time', need: 'none', scoped: false, req: () => ({ path: '/api/time' }), check: (r) => expect(r.json).toEqual({ serverTime: t.clock.now }) },
  {
    route: 'POST /api/login', need: 'none', scoped: false,
    req: () => ({ path: '/api/login', body: { username: 'supervisor', password: login('supervisor').password } }),
    check: (r) => {
      expect(r.json.inspector).toEqual({ id: 'i-supervisor', name: 'Sam Supervisor', role: 'supervisor' });
      expect(r.json.events.map((e: { id: string }) => e.id)).toEqual([DEMO_EVENT]);
    },
  },
  // docs/api.md says "any", but logging out without a session answers 204 too: a phone
  // whose session expired must still be able to "log out" without an error screen.
  { route: 'POST /api/logout', need: 'none', scoped: false, req: () => ({ path: '/api/logout' }), check: (r) => expect(r.status).toBe(204) },
  { route: 'GET /api/me', need: 'any', scoped: false, req: () => ({ path: '/api/me' }), check: (r) => expect(r.json.inspector).toEqual({ id: 'i-inspector', name: 'Ingrid Inspector', role: 'inspector' }) },
  {
    route: 'POST /api/devices', need: 'any', scoped: false, req: () => ({ path: '/api/devices', body: { name: 'Pixel 7 at gate 3' } }),
    client: () => t.as('inspector'),
    check: (r) => { expect(r.status).toBe(201); expect(r.json.device).toEqual({ id: expect.stringMatching(/^d-/), name: 'Pixel 7 at gate 3', secret: expect.stringMatching(/^[\w-]{43}$/) }); },
  },
  {
    route: 'POST /api/devices/claim', need: 'any', scoped: false,
    req: async () => {
      const { device, secret } = await phoneAs('inspector', 'shared phone');
      return { path: '/api/devices/claim', body: { deviceId: device, secret } };
    },
    client: () => t.as('inspector2'),
    check: (r) => expect(r.json.device).toEqual({ id: expect.stringMatching(/^d-/), name: 'shared phone' }),
  },
  {
    route: 'GET /api/devices', need: 'supervisor', scoped: false, req: () => ({ path: '/api/devices' }),
    check: (r) => expect(r.json.devices).toEqual(expect.arrayContaining([expect.objectContaining({ id: phone.inspector, inspectorId: 'i-inspector', revokedAt: null })])),
  },
  {
    route: 'POST /api/devices/:deviceId/revoke', need: 'supervisor', scoped: true,
    req: async () => ({ path: `/api/devices/${(await phoneAs('inspector', 'to be revoked')).device}/revoke` }),
    check: (r) => expect(r.json).toEqual({ ok: true }),
  },
  {
    route: 'POST /api/me/password', need: 'any', scoped: false,
    client: async () => (await freshStaff()).client(),
    req: () => ({ path: '/api/me/password', body: { currentPassword: FRESH_PASSWORD, newPassword: 'a new long password' } }),
    check: (r) => expect(r.json).toEqual({ otherSessionsEnded: 0 }),
  },
  {
    route: 'POST /api/me/sign-out-everywhere', need: 'any', scoped: false,
    client: async () => (await freshStaff()).client(),
    req: () => ({ path: '/api/me/sign-out-everywhere' }),
    check: (r) => expect(r.json).toEqual({ sessionsEnded: 1 }),
  },
  {
    route: 'GET /api/staff', need: 'admin', scoped: false, req: () => ({ path: '/api/staff' }),
    check: (r) => expect(r.json.staff).toEqual(expect.arrayContaining([{ id: 'i-inspector', username: 'inspector', name: 'Ingrid Inspector', role: 'inspector', disabled: false, events: [DEMO_EVENT] }])),
  },
  {
    route: 'POST /api/staff', need: 'admin', scoped: false,
    req: () => ({ path: '/api/staff', body: { username: unique('steward'), name: 'Stella Steward', password: 'steward-pass-1', role: 'inspector', events: [DEMO_EVENT] } }),
    check: (r) => { expect(r.status).toBe(201); expect(r.json.staff).toMatchObject({ name: 'Stella Steward', role: 'inspector', disabled: false, events: [DEMO_EVENT] }); },
  },
  {
    route: 'POST /api/staff/:staffId/role', need: 'admin', scoped: false,
    req: async () => ({ path: `/api/staff/${(await freshStaff()).id}/role`, body: { role: 'supervisor' } }),
    check: (r) => expect(r.json.staff).toMatchObject({ role: 'supervisor' }),
  },
  {
    route: 'PUT /api/staff/:staffId/events', need: 'admin', scoped: false,
    req: async () => ({ path: `/api/staff/${(await freshStaff()).id}/events`, body: { events: [] } }),
    check: (r) => expect(r.json.staff).toMatchObject({ events: [] }),
  },
  {
    route: 'POST /api/staff/:staffId/password', need: 'admin', scoped: false,
    req: async () => ({ path: `/api/staff/${(await freshStaff()).id}/password`, body: { newPassword: 'reset by the admin' } }),
    check: (r) => expect(r.json).toEqual({ sessionsEnded: 0 }),
  },
  {
    route: 'POST /api/staff/:staffId/disable', need: 'admin', scoped: false,
    req: async () => ({ path: `/api/staff/${(await freshStaff()).id}/disable` }),
    check: (r) => expect(r.json).toMatchObject({ staff: { disabled: true }, sessionsEnded: 0 }),
  },
  {
    route: 'POST /api/staff/:staffId/enable', need: 'admin', scoped: false,
    req: async () => ({ path: `/api/staff/${(await freshStaff()).id}/enable` }),
    check: (r) => expect(r.json).toMatchObject({ staff: { disabled: false } }),
  },
  {
    route: 'POST /api/staff/:staffId/unlock', need: 'admin', scoped: false,
    req: () => ({ path: '/api/staff/i-inspector/unlock' }),
    check: (r) => expect(r.json).toEqual({ lifted: expect.any(Number) }),
  },
  { route: 'GET /api/events', need: 'any', scoped: false, req: () => ({ path: '/api/events' }), check: (r) => expect(r.json.events.map((e: { id: string }) => e.id)).toEqual([DEMO_EVENT]) },
  {
    route: 'POST /api/events', need: 'admin', scoped: false,
    req: () => {
      const id = unique('festival');
      return {
        path: '/api/events',
        body: {
          event: { id, name: 'Summer Night', venue: 'Ziggo Dome', startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' },
          checkpoints: [{ id: 'door', eventId: id, name: 'Door', zone: 'hall', mode: 'once_per_event', allowedTypes: null, validFrom: null, validUntil: null }],
        },
      };
    },
    check: (r) => { expect(r.status).toBe(201); expect(zEvent.parse(r.json.event).name).toBe('Summer Night'); expect(r.json.checkpoints).toHaveLength(1); },
  },
  {
    route: 'GET /api/events/:eventId', need: 'inspector', scoped: true, req: () => ({ path: ev() }),
    check: (r) => {
      expect(r.json.event.id).toBe(DEMO_EVENT);
      expect(r.json.checkpoints.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['main-gate', 'ice-rink', 'vip-lounge', 'bar']));
      expect(r.json).toHaveProperty('codeWord');
    },
  },
  {
    route: 'PUT /api/events/:eventId/checkpoints/:checkpointId', need: 'supervisor', scoped: true,
    req: () => ({ path: ev('/checkpoints/side-gate'), body: { id: 'side-gate', eventId: DEMO_EVENT, name: 'Side gate', zone: 'grounds', mode: 'once_per_event', allowedTypes: null, validFrom: null, validUntil: null } }),
    check: (r) => expect(r.json.checkpoint).toMatchObject({ id: 'side-gate', name: 'Side gate' }),
  },
  {
    route: 'POST /api/events/:eventId/dry-run', need: 'supervisor', scoped: true,
    req: () => ({ path: ev('/dry-run'), body: { ticketId: pool[0]!.id, checkpoint: { id: 'bar', eventId: DEMO_EVENT, name: 'Bar', zone: 'bar', mode: 'unlimited', allowedTypes: null, validFrom: null, validUntil: null }, at: t.clock.now } }),
    check: (r) => expect(r.json).toMatchObject({ verdict: { outcome: expect.any(String) }, ticket: { id: pool[0]!.id }, priorScans: expect.any(Number) }),
  },
  { route: 'GET /api/events/:eventId/code-word', need: 'supervisor', scoped: true, req: () => ({ path: ev('/code-word') }), check: (r) => expect(r.json).toEqual({ codeWord: 'Blue Heron', rule: null, nextChangeAt: null }) },
  {
    route: 'PUT /api/events/:eventId/code-word', need: 'supervisor', scoped: true, req: () => ({ path: ev('/code-word'), body: { codeWord: 'Blue Heron' } }),
    check: (r) => expect(r.json).toEqual({ codeWord: 'Blue Heron', rule: null, nextChangeAt: null }),
  },
  {
    route: 'GET /api/events/:eventId/tickets', need: 'supervisor', scoped: true, req: () => ({ path: ev(`/tickets?q=${pool[0]!.id}`) }),
    check: (r) => expect(r.json.tickets[0]).toMatchObject({ id: pool[0]!.id }),
  },
  {
    route: 'GET /api/events/:eventId/audit', need: 'supervisor', scoped: true, req: () => ({ path: ev('/audit') }),
    check: (r) => expect(r.json).toEqual({ entries: expect.any(Array), next: null }),
  },
  {
    route: 'POST /api/events/:eventId/staff', need: 'admin', scoped: true,
    req: () => ({ path: ev('/staff'), body: { username: unique('usher'), name: 'Uma Usher', password: 'usher-pass-1', role: 'inspector' } }),
    check: (r) => { expect(r.status).toBe(201); expect(r.json.inspector).toMatchObject({ name: 'Uma Usher', role: 'inspector' }); },
  },
  { route: 'GET /api/events/:eventId/manifest', need: 'inspector', scoped: true, req: () => ({ path: ev('/manifest') }), check: (r) => expect(zManifest.parse(r.json).event.id).toBe(DEMO_EVENT) },
  {
    route: 'POST /api/events/:eventId/import', need: 'admin', scoped: true,
    req: () => ({ path: ev('/import'), body: `ticket_id,type\n${unique('TBL')},Adult\n`, headers: { 'content-type': 'text/csv' } }),
    check: (r) => expect(r.json).toEqual({ orders: 0, tickets: 1 }),
  },
  {
    route: 'GET /api/events/:eventId/import/mappings', need: 'admin', scoped: true, req: () => ({ path: ev('/import/mappings') }),
    check: (r) => expect(r.json).toEqual({ mappings: expect.any(Array) }),
  },
  {
    route: 'PUT /api/events/:eventId/import/mappings/:mappingId', need: 'admin', scoped: true,
    req: () => ({ path: ev('/import/mappings/box-office'), body: { name: 'Box office export', columns: [{ from: 'Barcode', to: 'ticket_id' }, { from: 'Notes', to: null }] } }),
    check: (r) => expect(r.json.mapping).toMatchObject({ id: 'box-office', name: 'Box office export', updatedBy: 'i-admin' }),
  },
  {
    route: 'POST /api/events/:eventId/tickets/:ticketId/status', need: 'supervisor', scoped: true,
    req: () => ({ path: ev(`/tickets/${take().id}/status`), body: { status: 'paid', reason: 'paid at the box office' } }),
    check: (r) => expect(r.json.ticket).toMatchObject({ status: 'paid' }),
  },
  {
    route: 'GET /api/events/:eventId/tickets/:ticketId/code', need: 'supervisor', scoped: true,
    req: () => ({ path: ev(`/tickets/${pool[0]!.id}/code`) }),
    check: (r) => expect(r.json).toEqual({ code: expect.stringMatching(/^GK\d/), link: expect.stringContaining('/v/'), importedCode: null }),
  },
  {
    route: 'GET /api/events/:eventId/orders/:orderId/code', need: 'supervisor', scoped: true,
    req: () => ({ path: ev(`/orders/${pool[0]!.orderId}/code`) }),
    check: (r) => expect(r.json).toEqual({ code: expect.stringMatching(/^GK\d/), link: expect.stringContaining('/v/') }),
  },
  {
    route: 'POST /api/events/:eventId/scans', need: 'inspector', scoped: true,
    req: () => { const x = take(); return { path: ev('/scans'), body: scanRequest(who('inspector'), x.id, x.id), headers: dev(phone.inspector) }; },
    check: (r) => {
      expect(r.json.status).toBe('accepted');
      expect(zVerdict.parse(r.json.verdict).outcome).toBe('valid');
      expect(zScan.parse(r.json.scan).offline).toBe(false);
      expect(r.json.cursor).toBeGreaterThan(0);
    },
  },
  {
    route: 'POST /api/events/:eventId/scans/batch', need: 'inspector', scoped: true,
    req: () => {
      const x = take();
      return { path: ev('/scans/batch'), body: { scans: [offlineScan(scanRequest(who('inspector'), x.id, x.id))] }, headers: dev(phone.inspector) };
    },
    check: (r) => { expect(r.json.results).toHaveLength(1); expect(zAck.parse(r.json.results[0]).status).toBe('accepted'); },
  },
  {
    // An inspector undoes an admission of their own phone, just made (the clock is the app's).
    route: 'POST /api/events/:eventId/scans/:scanId/annul', need: 'inspector', scoped: true,
    req: async () => {
      const x = take();
      const admitted = offlineScan(scanRequest(who('inspector'), x.id, x.id, { at: t.clock.now, hlc: stamp(t.clock.now) }));
      await t.storage.uploadOffline([admitted], t.clock.now);
      return { path: ev(`/scans/${admitted.id}/annul`), body: {}, headers: dev(phone.inspector) };
    },
    check: (r) => expect(r.json).toMatchObject({ status: 'accepted', scan: { kind: 'annul', inspectorId: 'i-inspector' }, conflicts: [] }),
  },
  {
    route: 'GET /api/events/:eventId/scans', need: 'inspector', scoped: true, req: () => ({ path: ev('/scans?after=0&limit=5') }),
    check: (r) => expect(r.json).toEqual({ scans: expect.any(Array), cursor: expect.any(Number), more: expect.any(Boolean) }),
  },
  {
    route: 'GET /api/events/:eventId/history', need: 'supervisor', scoped: true, req: () => ({ path: ev('/history?limit=5') }),
    check: (r) => expect(r.json).toEqual({ scans: expect.any(Array), next: expect.toSatisfy((n) => n === null || typeof n === 'string') }),
  },
  {
    route: 'GET /api/events/:eventId/history.csv', need: 'supervisor', scoped: true, req: () => ({ path: ev('/history.csv?outcome=valid') }),
    check: (r) => expect(r.text).toMatch(/^\uFEFF?time,time_utc,outcome,/),
  },
  {
    route: 'GET /api/events/:eventId/tickets/:ticketId/story', need: 'supervisor', scoped: true, req: () => ({ path: ev('/tickets/T00001/story') }),
    check: (r) => expect(r.json).toEqual({ ticket: expect.anything(), scans: expect.any(Array), next: null, conflicts: expect.any(Array), statusChanges: expect.any(Array) }),
  },
  { route: 'GET /api/events/:eventId/conflicts', need: 'supervisor', scoped: true, req: () => ({ path: ev('/conflicts') }), check: (r) => expect(r.json).toEqual({ conflicts: expect.any(Array) }) },
  {
    route: 'POST /api/events/:eventId/conflicts/:conflictId/review', need: 'supervisor', scoped: true,
    req: async () => ({ path: ev(`/conflicts/${await conflictToReview()}/review`), body: { note: 'checked at the gate' } }),
    check: (r) => expect(r.json.conflict).toMatchObject({ review: { by: expect.any(String), note: 'checked at the gate' } }),
  },
  {
    route: 'GET /api/events/:eventId/live', need: 'supervisor', scoped: true, req: () => ({ path: ev('/live') }),
    check: (r) => expect(zLiveReply.parse(r.json)).toMatchObject({ eventId: DEMO_EVENT, ticketsSold: expect.any(Number) }),
  },
  {
    route: 'GET /api/events/:eventId/fleet', need: 'supervisor', scoped: true, req: () => ({ path: ev('/fleet') }),
    check: (r) => expect(zFleetReply.parse(r.json)).toMatchObject({ eventId: DEMO_EVENT, serverTime: t.clock.now, devices: expect.any(Array) }),
  },
  {
    route: 'GET /api/events/:eventId/fleet/stream', need: 'supervisor', scoped: true, req: () => ({ path: ev('/fleet/stream') }),
    check: (r) => expect(r.headers.get('content-type')).toContain('text/event-stream'),
  },
  { route: 'GET /api/events/:eventId/quarantine', need: 'supervisor', scoped: true, req: () => ({ path: ev('/quarantine') }), check: (r) => expect(r.json).toEqual({ scans: expect.any(Array), next: null, alerts: expect.any(Array) }) },  {
    // The holder's token is the credential, not a session (wallet/order-mails.ts).
    route: 'GET /api/wallet', need: 'none', scoped: false,
    req: async () => {
      const x = take();
      const token = randomBytes(32).toString('base64url');
      await t.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: DEMO_EVENT, orderId: x.orderId!, createdAt: t.clock.now });
      return { path: '/api/wallet', headers: { authorization: `Bearer ${token}` } };
    },
    check: (r) => expect(zWalletReply.parse(r.json)).toMatchObject({ event: { id: DEMO_EVENT }, codesOpen: true }),
  },
  {
    // The holder's token again; each call binds a fresh order's tickets to a new key.
    route: 'POST /api/wallet/device', need: 'none', scoped: false,
    req: async () => {
      const x = take();
      const token = randomBytes(32).toString('base64url');
      await t.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: DEMO_EVENT, orderId: x.orderId!, createdAt: t.clock.now });
      return { path: '/api/wallet/device', body: { publicKey: toBase64Url(generateEventKey().publicKey) }, headers: { authorization: `Bearer ${token}` } };
    },
    check: (r) => expect(zBindDeviceReply.parse(r.json).certificates.length).toBeGreaterThan(0),
  },
  {
    route: 'POST /api/events/:eventId/tickets/:ticketId/device-certificates/revoke', need: 'admin', scoped: true,
    req: () => ({ path: ev(`/tickets/${take().id}/device-certificates/revoke`), body: { reason: 'phone lost' } }),
    check: (r) => expect(r.json).toEqual({ revoked: [] }),
  },
  {
    route: 'GET /api/events/:eventId/code-window', need: 'supervisor', scoped: true, req: () => ({ path: ev('/code-window') }),
    check: (r) => expect(r.json).toEqual({ leadMinutes: null, opensAt: null, open: true }),
  },
  {
    route: 'PUT /api/events/:eventId/code-window', need: 'admin', scoped: true, req: () => ({ path: ev('/code-window'), body: { leadMinutes: null } }),
    check: (r) => expect(r.json).toEqual({ leadMinutes: null, opensAt: null, open: true }),
  },
  {
    route: 'POST /api/events/:eventId/order-mails', need: 'admin', scoped: true, req: () => ({ path: ev('/order-mails'), body: {} }),
    check: (r) => expect(zOrderMailsReply.parse(r.json).failed).toEqual([]),
  },
  { route: 'GET /api/mail/outbox', need: 'admin', scoped: false, req: () => ({ path: '/api/mail/outbox' }), check: (r) => expect(zOutboxReply.parse(r.json).mails).toEqual(expect.any(Array)) },
  // The holder's verification (routes/verification.ts): a wallet token and a device secret are the credentials.
  { route: 'GET /api/wallet/steps', need: 'none', scoped: false, req: async () => (await walletOf()).req('/steps'), check: (r) => expect(zWalletStepsReply.parse(r.json).steps).toEqual(expect.any(Object)) },
  {
    route: 'POST /api/wallet/sms', need: 'none', scoped: false,
    req: async () => { await measure({ sms: true }); return (await walletOf('+31600000001')).req('/sms'); },
    check: (r) => expect(zChallengeSentReply.parse(r.json).expiresAt).toBeGreaterThan(t.clock.now),
  },
  {
    route: 'POST /api/wallet/sms/confirm', need: 'none', scoped: false,
    req: async () => {
      await measure({ sms: true });
      const w = await walletOf('+31600000002');
      const sent = w.req('/sms');
      expect((await t.client().request('POST', sent.path, {}, sent.headers)).status).toBe(200);
      const [sms] = await t.storage.listOutboxSms(1);
      return { ...w.req('/sms/confirm'), body: { code: /\b(\d{6})\b/.exec(sms!.body)![1] } };
    },
    check: (r) => expect(zConfirmReply.parse(r.json).steps.sms).toBe('done'),
  },
  {
    route: 'POST /api/wallet/email', need: 'none', scoped: false,
    req: async () => { await measure({ email: true }); return (await walletOf()).req('/email'); },
    check: (r) => expect(zChallengeSentReply.parse(r.json).expiresAt).toBeGreaterThan(t.clock.now),
  },
  {
    route: 'POST /api/wallet/email/confirm', need: 'none', scoped: false,
    req: async () => {
      await measure({ email: true });
      const w = await walletOf();
      const sent = w.req('/email');
      expect((await t.client().request('POST', sent.path, {}, sent.headers)).status).toBe(200);
      const [mail] = await t.storage.listOutboxMail(1);
      return { ...w.req('/email/confirm'), body: { secret: /#verify=([A-Za-z0-9_-]{43})/.exec(mail!.text)![1] } };
    },
    check: (r) => expect(zConfirmReply.parse(r.json).steps.email).toBe('done'),
  },
  {
    route: 'PUT /api/wallet/holder', need: 'none', scoped: false,
    req: async () => { await measure({ changeBlock: false }); return { ...(await walletOf()).req('/holder'), body: { buyerName: 'New Holder', email: 'new@example.org', mobile: null } }; },
    check: (r) => expect(zHolderChangeReply.parse(r.json).mailed).toBe(true),
  },
  { route: 'GET /api/events/:eventId/measures', need: 'supervisor', scoped: true, req: () => ({ path: ev('/measures') }), check: (r) => expect(zMeasures.parse(r.json)).toEqual(expect.any(Object)) },
  {
    route: 'PUT /api/events/:eventId/measures', need: 'admin', scoped: true, req: () => ({ path: ev('/measures'), body: NO_MEASURES }),
    check: (r) => expect(r.json).toEqual(NO_MEASURES),
  },
  {
    route: 'GET /api/events/:eventId/orders/:orderId/holder', need: 'admin', scoped: true,
    req: () => ({ path: ev(`/orders/${take().orderId}/holder`) }),
    check: (r) => expect(zHolderReply.parse(r.json)).toEqual({ buyerName: expect.any(String), email: expect.toSatisfy((e) => e === null || typeof e === 'string'), mobile: null }),
  },
  {
    route: 'PUT /api/events/:eventId/orders/:orderId/holder', need: 'admin', scoped: true,
    req: () => ({ path: ev(`/orders/${take().orderId}/holder`), body: { buyerName: 'Box Office', email: null, mobile: null, reason: 'changed at the desk' } }),
    check: (r) => expect(zHolderChangeReply.parse(r.json).tickets.length).toBeGreaterThan(0),
  },
  { route: 'GET /api/sms/outbox', need: 'admin', scoped: false, req: () => ({ path: '/api/sms/outbox' }), check: (r) => expect(zSmsOutboxReply.parse(r.json).messages).toEqual(expect.any(Array)) },
];

/** Switch some of the demo event's measures, keeping the others. */
async function measure(flags: Partial<Measures>): Promise<void> {
  await t.storage.setMeasures(DEMO_EVENT, { ...(await t.storage.getMeasures(DEMO_EVENT)), ...flags });
}

/** A wallet on a fresh order of the demo event (with this mobile number), on a device of its own. */
async function walletOf(mobile?: string) {
  const x = take();
  if (mobile) await t.storage.importTickets(DEMO_EVENT, [{ ...(await t.storage.getOrder(DEMO_EVENT, x.orderId!))!, mobile }], []);
  const token = randomBytes(32).toString('base64url');
  await t.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: DEMO_EVENT, orderId: x.orderId!, createdAt: t.clock.now });
  const headers = { authorization: `Bearer ${token}`, [WALLET_DEVICE_HEADER]: randomBytes(32).toString('base64url') };
  return { req: (path: string): Req => ({ path: `/api/wallet${path}`, headers }) };
}

const RANKS: Role[] = ['inspector', 'supervisor', 'admin'];
const below = (need: Need): Role[] => (need === 'none' || need === 'any' || need === 'inspector' ? [] : RANKS.slice(0, RANKS.indexOf(need)));
const sessionOf = (role: Role) => as[role];
const send = (client: AppClient, method: string, r: Req) => client.request(method, r.path, r.body, r.headers);

// Scrypt-bound tests get a generous timeout: ~50 ms a hash on an idle machine, over a
// second on a loaded CI box.
const SLOW = { timeout: 60_000 };

describe('every route and who may call it', SLOW, () => {
  describe.each(ROUTES)('$route', (rc) => {
    const method = rc.route.split(' ')[0]!;

    if (rc.need !== 'none') {
      it('answers 401 unauthenticated without a session', async () => {
        const r = await send(t.client(), method, await rc.req());
        expect(r.status).toBe(401);
        expect(r.json.error.code).toBe('unauthenticated');
      });
    }
    for (const role of below(rc.need)) {
      it(`answers 403 forbidden to a ${role}`, async () => {
        const r = await send(sessionOf(role), method, await rc.req());
        expect(r.status).toBe(403);
        expect(r.json.error.code).toBe('forbidden');
      });
    }
    if (rc.scoped) {
      it('answers 403 forbidden to staff of another event', async () => {
        for (const stranger of [as.otherInspector, as.otherSupervisor]) {
          const r = await send(stranger, method, await rc.req());
          expect(r.status).toBe(403);
          expect(r.json.error.code).toBe('forbidden');
        }
      });
    }
    it(`succeeds for ${rc.need === 'none' ? 'anyone' : rc.need === 'any' ? 'any session' : `a ${rc.need}`}`, async () => {
      const client = rc.client ? await rc.client() : rc.need === 'none' ? t.client() : rc.need === 'any' ? as.inspector : sessionOf(rc.need);
      const r = await send(client, method, await rc.req());
      ok2xx(r);
      expect(r.status).toBeLessThan(300);
      rc.check(r);
    });
  });

  it('covers every route the app registers, and no route it does not', () => {
    expect(ROUTES.map((r) => r.route).sort()).toEqual(appRoutes(t.app).sort());
  });

  it('agrees with docs/api.md on the role of each route', () => {
    const doc = new Map(apiDocRoutes().map((r) => [r.route, r.role]));
    const expected = (rc: RouteCase) => (rc.need === 'inspector' ? 'staff' : rc.need);
    for (const rc of ROUTES) expect(doc.get(rc.route), rc.route).toBe(expected(rc));
  });

  it('lets the other event\u2019s staff into their own event, and admins into every event', async () => {
    expect((await as.otherInspector.get(ev('', OTHER))).status).toBe(200);
    expect((await as.otherInspector.get('/api/events')).json.events.map((e: { id: string }) => e.id)).toEqual([OTHER]);
    expect((await as.otherSupervisor.get(ev('/conflicts', OTHER))).status).toBe(200);
    expect((await as.admin.get(ev('', OTHER))).status).toBe(200);
    const all = (await as.admin.get('/api/events')).json.events.map((e: { id: string }) => e.id);
    expect(all).toEqual(expect.arrayContaining([DEMO_EVENT, OTHER]));
  });

  it('answers 404 not_found for an event that does not exist, and 400 for an id that cannot be one', async () => {
    expect((await as.admin.get(ev('', eventId('no-such-event')))).json.error.code).toBe('not_found');
    expect((await as.admin.get(ev('/manifest', eventId('no-such-event')))).status).toBe(404);
    const bad = await as.admin.get('/api/events/bad%20id');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('bad_request');
  });

  it('shows a supervisor only the phones of their own events\u2019 staff, and lets them revoke only those', async () => {
    const listed = (await as.otherSupervisor.get('/api/devices')).json.devices.map((d: { id: string }) => d.id);
    expect(listed).toEqual(expect.arrayContaining([phone.otherInspector, phone.otherSupervisor]));
    expect(listed).not.toContain(phone.inspector);
    const demoListed = (await as.supervisor.get('/api/devices')).json.devices.map((d: { id: string }) => d.id);
    expect(demoListed).toContain(phone.inspector);
    expect(demoListed).not.toContain(phone.otherInspector);
    expect((await as.admin.get('/api/devices')).json.devices.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining([phone.inspector, phone.otherInspector]));
    expect((await as.otherSupervisor.post(`/api/devices/${phone.inspector}/revoke`)).status).toBe(403);
    expect((await t.storage.getDevice(phone.inspector))!.revokedAt).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------
// Logging in and out.

describe('login', SLOW, () => {
  beforeAll(async () => {
    await t.storage.createStaff({ id: inspectorId('i-gatehand'), username: 'gatehand', name: 'Gus Gatehand', role: 'inspector', passwordHash: await hashPassword('gatehand-pass'), disabled: false });
    await t.storage.assignStaff(DEMO_EVENT, inspectorId('i-gatehand'));
  });

  it('refuses a wrong password and an unknown user alike, with 401 and no cookie', async () => {
    const c = t.client('192.0.2.1');
    const wrong = await c.post('/api/login', { username: 'inspector', password: 'not-it' });
    const unknown = await c.post('/api/login', { username: 'nobody-here', password: 'not-it' });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('unauthenticated');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect(wrong.json.error.message).toBe(unknown.json.error.message);
    expect(c.cookie).toBeNull();
  });

  it('sets an HttpOnly, SameSite=Strict session cookie for the session lifetime, Secure only over HTTPS', async () => {
    const plain = await t.client('192.0.2.2').post('/api/login', { username: 'inspector', password: login('inspector').password });
    expect(plain.status).toBe(200);
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^gk_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/; HttpOnly(;|$)/);
    expect(cookie).toMatch(/; SameSite=Strict(;|$)/);
    expect(cookie).toMatch(/; Path=\/(;|$)/);
    expect(cookie).toContain(`Max-Age=${SESSION_TTL_MS / 1000}`);
    expect(cookie).not.toMatch(/Secure/);
    const tls = await t.client('192.0.2.2').post('https://gate.test/api/login', { username: 'inspector', password: login('inspector').password });
    expect(tls.headers.get('set-cookie')).toMatch(/; Secure(;|$)/);
  });

  it('takes the username in any case', async () => {
    const r = await t.client('192.0.2.3').post('/api/login', { username: 'SuperVisor', password: login('supervisor').password });
    expect(r.status).toBe(200);
    expect(r.json.inspector.id).toBe('i-supervisor');
  });

  it('logout ends the session: the old cookie no longer works', async () => {
    const c = t.client('192.0.2.4');
    expect((await c.post('/api/login', { username: 'inspector2', password: login('inspector2').password })).status).toBe(200);
    const token = c.cookie;
    expect((await c.get('/api/me')).status).toBe(200);
    const out = await c.post('/api/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^gk_session=;.*Max-Age=0/);
    c.cookie = token; // a client that ignores the deletion
    expect((await c.get('/api/me')).status).toBe(401);
  });

  const FREE = LOGIN_LIMITS.perPair.free;
  const guess = (c: AppClient, username: string, i: number) => c.post('/api/login', { username, password: `guess-${i}` });

  it(`counts an attempt before hashing: ${FREE * 4} parallel wrong logins for one account from one address get ${FREE} × 401 and the rest 429`, async () => {
    const c = t.client('192.0.2.20');
    const answers = await Promise.all(Array.from({ length: FREE * 4 }, (_, i) => guess(c, 'gatehand', i)));
    expect(answers.filter((r) => r.status === 401)).toHaveLength(FREE);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(FREE * 3);
    t.clock.advance(LOGIN_LIMITS.perPair.forgetAfterMs + 1);
  });

  it(`makes one address wait after ${FREE} failures for one account, doubling with each further one, without locking the account elsewhere`, async () => {
    const c = t.client('192.0.2.10');
    for (let i = 0; i < FREE; i++) expect((await guess(c, 'gatehand', i)).status).toBe(401);
    // Even the right password: the guesser must not learn it is right.
    const first = await c.post('/api/login', { username: 'GATEHAND', password: 'gatehand-pass' });
    expect(first.status).toBe(429);
    expect(first.json.error.code).toBe('rate_limited');
    const delayS = LOGIN_LIMITS.perPair.delayMs / 1000;
    expect(first.headers.get('retry-after')).toBe(String(delayS));
    // Gus himself, at another gate, logs in.
    expect((await t.client('192.0.2.11').post('/api/login', { username: 'gatehand', password: 'gatehand-pass' })).status).toBe(200);
    // Other accounts from the same address are not held up.
    expect((await c.post('/api/login', { username: 'inspector', password: login('inspector').password })).status).toBe(200);
    t.clock.advance(LOGIN_LIMITS.perPair.delayMs);
    expect((await guess(c, 'gatehand', 99)).status).toBe(401);
    expect((await guess(c, 'gatehand', 100)).headers.get('retry-after')).toBe(String(delayS * 2));
    t.clock.advance(LOGIN_LIMITS.perPair.forgetAfterMs + 1);
    expect((await c.post('/api/login', { username: 'gatehand', password: 'gatehand-pass' })).status).toBe(200);
  });

  it('lets an admin unlock an account for every address', async () => {
    const c = t.client('192.0.2.12');
    for (let i = 0; i < FREE; i++) expect((await guess(c, 'gatehand', i)).status).toBe(401);
    expect((await c.post('/api/login', { username: 'gatehand', password: 'gatehand-pass' })).status).toBe(429);
    expect((await as.supervisor.post('/api/staff/i-gatehand/unlock')).status).toBe(403);
    const r = await as.admin.post('/api/staff/i-gatehand/unlock');
    expect(r.json).toEqual({ lifted: 1 });
    expect((await c.post('/api/login', { username: 'gatehand', password: 'gatehand-pass' })).status).toBe(200);
  });

  it('limits the failures of one address over any accounts, and refunds its successful logins', async () => {
    // Every failure costs a scrypt: an app of its own with the address limit at 3, not 30.
    const perAddress = { ...LOGIN_LIMITS.perAddress, free: 3 };
    const small = await makeTestApp({ tickets: 0, loginLimits: { perAddress } });
    try {
      const venue = small.client('198.51.100.7');
      for (let i = 0; i < 2; i++) expect((await venue.post('/api/login', { username: 'inspector', password: login('inspector').password })).status).toBe(200);
      for (let i = 0; i < perAddress.free; i++) expect((await venue.post('/api/login', { username: `user-${i}`, password: 'x' })).status).toBe(401);
      const r = await venue.post('/api/login', { username: 'supervisor', password: login('supervisor').password });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe(String(perAddress.delayMs / 1000));
      // The accounts themselves are not locked: the same login from another address works.
      expect((await small.client('198.51.100.8').post('/api/login', { username: 'supervisor', password: login('supervisor').password })).status).toBe(200);
    } finally { await small.close(); }
  });

  it('answers 503 busy with Retry-After beyond the hashing queue, and does not count those attempts', async () => {
    const small = await makeTestApp({ tickets: 0, hashing: { concurrency: 1, queue: 1 }, loginLimits: { perAddress: { ...LOGIN_LIMITS.perAddress, free: 4 } } });
    try {
      const c = small.client('198.51.100.9');
      const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => guess(c, `someone-${i}`, i)));
      expect(answers.map((r) => r.status).sort()).toEqual([401, 401, 503, 503]);
      for (const r of answers.filter((x) => x.status === 503)) {
        expect(r.json.error.code).toBe('busy');
        expect(r.headers.get('retry-after')).toBe('1');
      }
      // Only the two judged attempts were counted against the address (4 free): two more are judged.
      for (let i = 0; i < 2; i++) expect((await guess(c, 'someone-else', i)).status).toBe(401);
      expect((await guess(c, 'last-one', 0)).status).toBe(429);
    } finally { await small.close(); }
  });
});

describe('staff accounts', SLOW, () => {
  it('changes one\u2019s own password only with the current one, ending one\u2019s other sessions but not this one', async () => {
    const who = await freshStaff();
    const here = await who.client();
    const elsewhere = await who.client();
    const wrong = await here.post('/api/me/password', { currentPassword: 'not-it-at-all', newPassword: 'a new long password' });
    expect(wrong.status).toBe(403);
    for (const bad of ['short', login('admin').password]) {
      const r = await here.post('/api/me/password', { currentPassword: FRESH_PASSWORD, newPassword: bad });
      expect(r.status).toBe(400);
    }
    const r = await here.post('/api/me/password', { currentPassword: FRESH_PASSWORD, newPassword: 'a new long password' });
    expect(r.json).toEqual({ otherSessionsEnded: 1 });
    expect((await here.get('/api/me')).status).toBe(200);
    expect((await elsewhere.get('/api/me')).status).toBe(401);
    expect((await t.client('203.0.113.1').post('/api/login', { username: who.username, password: FRESH_PASSWORD })).status).toBe(401);
    expect((await t.client('203.0.113.1').post('/api/login', { username: who.username, password: 'a new long password' })).status).toBe(200);
  });

  it('signing out everywhere ends every session and closes every socket of one\u2019s own', async () => {
    const who = await freshStaff();
    const [a, b] = [await who.client(), await who.client()];
    const r = await a.post('/api/me/sign-out-everywhere');
    expect(r.json).toEqual({ sessionsEnded: 2 });
    expect(r.headers.get('set-cookie')).toMatch(/^gk_session=;.*Max-Age=0/);
    expect(t.push.closedStaff).toContain(who.id);
    expect((await b.get('/api/me')).status).toBe(401);
  });

  it('an admin\u2019s password reset ends the person\u2019s sessions and closes their sockets; the new password works', async () => {
    const who = await freshStaff();
    const theirs = await who.client();
    expect((await as.admin.post(`/api/staff/${who.id}/password`, { newPassword: 'short' })).status).toBe(400);
    const r = await as.admin.post(`/api/staff/${who.id}/password`, { newPassword: 'reset by the admin' });
    expect(r.json).toEqual({ sessionsEnded: 1 });
    expect(t.push.closedStaff).toContain(who.id);
    expect((await theirs.get('/api/me')).status).toBe(401);
    expect((await t.client('203.0.113.2').post('/api/login', { username: who.username, password: 'reset by the admin' })).status).toBe(200);
  });

  it('disabling ends the sessions and closes the sockets at once; re-enabling lets them log in again; nobody disables themself', async () => {
    const who = await freshStaff('supervisor');
    const theirs = await who.client();
    const r = await as.admin.post(`/api/staff/${who.id}/disable`);
    expect(r.json).toMatchObject({ staff: { id: who.id, disabled: true }, sessionsEnded: 1 });
    expect(t.push.closedStaff).toContain(who.id);
    expect((await theirs.get('/api/me')).status).toBe(401);
    const from = t.client('203.0.113.3');
    expect((await from.post('/api/login', { username: who.username, password: FRESH_PASSWORD })).status).toBe(401);
    expect((await as.admin.post(`/api/staff/${who.id}/enable`)).status).toBe(200);
    expect((await from.post('/api/login', { username: who.username, password: FRESH_PASSWORD })).status).toBe(200);
    expect((await as.admin.post('/api/staff/i-admin/disable')).status).toBe(400);
    expect((await as.admin.post('/api/staff/i-nobody/disable')).status).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------
// Bodies and errors.

describe('bodies and errors', () => {
  it('answers a body that is not JSON with 400 bad_request', async () => {
    const r = await as.inspector.post('/api/devices', '{"name": "half', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'bad_request', message: 'the body is not JSON' });
  });

  it('answers a schema violation with 400 naming the path, with every issue in details', async () => {
    const cp = { id: 'side-gate', eventId: DEMO_EVENT, name: 'Side gate', zone: 'grounds', mode: 'once_per_event', allowedTypes: ['Adult', ''], validFrom: null, validUntil: null };
    const r = await as.supervisor.put(ev('/checkpoints/side-gate'), cp);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('bad_request');
    expect(r.json.error.message).toMatch(/^allowedTypes\.1: /);
    expect(r.json.error.details).toEqual([{ path: 'allowedTypes.1', message: expect.any(String) }]);
    const scan = await as.inspector.post(ev('/scans'), { ...scanRequest(who('inspector'), null, 'x'), hlc: 'yesterday' }, dev(phone.inspector));
    expect(scan.status).toBe(400);
    expect(scan.json.error.message).toMatch(/^hlc: /);
    const empty = await as.inspector.post('/api/devices', {});
    expect(empty.json.error.message).toMatch(/^name: /);
  });

  it('refuses a body over 1 MiB with 413 payload_too_large, whether or not it declares its length', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(MAX_MESSAGE_BYTES) });
    const declared: Array<Record<string, string>> = [{ 'content-type': 'application/json' }, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) }];
    for (const headers of declared) {
      const r = await as.inspector.post('/api/devices', big, headers);
      expect(r.status).toBe(413);
      expect(r.json.error.code).toBe('payload_too_large');
    }
  });

  it('reads a body of exactly 1 MiB', async () => {
    const head = JSON.stringify({ name: 'exactly', pad: '' });
    const body = JSON.stringify({ name: 'exactly', pad: 'x'.repeat(MAX_MESSAGE_BYTES - Buffer.byteLength(head)) });
    expect(Buffer.byteLength(body)).toBe(MAX_MESSAGE_BYTES);
    expect((await (await t.as('inspector')).post('/api/devices', body, { 'content-type': 'application/json' })).status).toBe(201);
  });

  it('lets an import be larger than 1 MiB (imports have their own 64 MiB limit)', async () => {
    const csv = `ticket_id,type\nBIG-1,${'A'.repeat(MAX_MESSAGE_BYTES)}\n`;
    const r = await as.admin.post(ev('/import'), csv, { 'content-type': 'text/csv' });
    // Refused for the over-long type, not for the size.
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('invalid_import');
  });

  it('answers a malformed session cookie with 401, like no session', async () => {
    const c = t.client();
    c.cookie = '%';
    const r = await c.get('/api/me');
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthenticated');
  });

  it('refuses a state-changing request whose body is not JSON with 415 (a form post carries no preflight)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await as.inspector.post('/api/devices', '{"name":"form"}', { 'content-type': type });
      expect(r.status, type).toBe(415);
      expect(r.json.error.code).toBe('unsupported_media_type');
    }
    const bare = await as.inspector.post('/api/devices', '{"name":"no type"}', { 'content-type': '', 'content-length': '18' });
    expect(bare.status).toBe(415);
    // No body at all needs no type (a revoke, a logout from the CLI).
    expect((await (await t.as('inspector')).post('/api/logout')).status).toBe(204);
  });

  it('refuses a state-changing request from a foreign Origin with 403; its own origin and none pass', async () => {
    const client = await t.as('inspector');
    const foreign = await client.post('/api/devices', { name: 'csrf' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('forbidden');
    expect((await client.post('/api/devices', { name: 'sandboxed' }, { origin: 'null' })).status).toBe(403);
    // A session registers one phone: each allowed call gets a session of its own.
    const own = await (await freshStaff()).client();
    expect((await own.post('/api/devices', { name: 'same' }, { origin: 'http://localhost' })).status).toBe(201);
    const cli = await (await freshStaff()).client();
    expect((await cli.post('/api/devices', { name: 'cli' })).status).toBe(201);
    // The CSV import (the one route that takes text) is guarded the same way.
    const csv = `ticket_id,type\n${unique('ORI')},Adult\n`;
    const csrfImport = await as.admin.post(ev('/import'), csv, { 'content-type': 'text/csv', origin: 'https://evil.example' });
    expect(csrfImport.status).toBe(403);
    expect((await as.admin.post(ev('/import'), csv, { 'content-type': 'text/csv', origin: 'http://localhost' })).status).toBe(200);
    // A read is not guarded: a foreign page cannot read the answer anyway.
    expect((await client.get('/api/me', { origin: 'https://evil.example' })).status).toBe(200);
  });

  it('checks every error body this file meets, and the check itself refuses a second shape', () => {
    // AppClient runs assertErrorBody on every answer of 400 or more; prove it is not vacuous.
    const res = (status: number, json: unknown): AppResponse => ({ status, headers: new Headers({ 'content-type': 'application/json' }), text: JSON.stringify(json), json });
    expect(() => assertErrorBody('GET', '/x', res(404, { error: { code: 'not_found', message: 'no' } }))).not.toThrow();
    expect(() => assertErrorBody('GET', '/x', res(404, { error: 'not_found' }))).toThrow(/not the error body/);
    expect(() => assertErrorBody('GET', '/x', res(404, { error: { code: 'not_found', message: 'no' }, ok: false }))).toThrow(/extra keys ok/);
    expect(() => assertErrorBody('GET', '/x', res(404, { error: { code: 'not_found', message: 'no', status: 404 } }))).toThrow(/extra keys status/);
    expect(() => assertErrorBody('GET', '/x', res(500, { error: { code: 'not_found', message: 'no' } }))).toThrow(/belongs with status 404/);
  });

  it('answers unknown /api routes and methods with 404 not_found as JSON, never with the scanner app', async () => {
    for (const [method, path] of [['GET', '/api/nope'], ['DELETE', ev()], ['POST', ev('/nothing-here')], ['GET', '/api'], ['PATCH', '/api/me']] as const) {
      const r = await as.admin.request(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json.error.code).toBe('not_found');
    }
  });

  it('serves the scanner app for a ticket link (/v/:code), with its security headers', async () => {
    const x = pool[0]!;
    const code = await ticketCode(x.id);
    const r = await t.client().get(`/v/${code}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toContain('<main id="app">');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers paths outside /api with 404 not_found when no scanner app is built', async () => {
    const bare = await makeTestApp({ tickets: 0 });
    try {
      const r = await bare.client().get('/v/anything');
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('not_found');
    } finally { await bare.close(); }
  });

  it('rejects query values that are not numbers or ids with 400', async () => {
    for (const path of [ev('/manifest?since=-1'), ev('/manifest?since=x'), ev('/scans?after=x'), ev('/scans?after=-1'), ev('/scans?after=0.5'), ev('/history?from=soon'), ev('/history?outcome=maybe'), ev('/history?ticket=no%20way')]) {
      const r = await as.admin.get(path);
      expect(r.status, path).toBe(400);
      expect(r.json.error.code).toBe('bad_request');
    }
  });
});

// ---------------------------------------------------------------------------------------
// Scans over HTTP.

describe('scans over HTTP', () => {
  const submit = (client: AppClient, body: unknown, device: DeviceId | null) => client.post(ev('/scans'), body, device ? dev(device) : {});
  const upload = (client: AppClient, scans: Scan[], device: DeviceId) => client.post(ev('/scans/batch'), { scans }, dev(device));

  it('admits the first scan of a ticket and answers the next with already_used, naming the first', async () => {
    const x = take();
    const first = await submit(as.inspector, scanRequest(who('inspector'), x.id, await ticketCode(x.id)), phone.inspector);
    expect(first.json).toMatchObject({ status: 'accepted', verdict: { outcome: 'valid', offline: false, ticketId: x.id }, scan: { outcome: 'valid', offline: false } });
    const second = await submit(as.inspector2, scanRequest(who('inspector2'), x.id, x.id), phone.inspector2);
    expect(second.json).toMatchObject({ status: 'accepted', verdict: { outcome: 'already_used', firstScan: { scanId: first.json.scan.id, inspectorId: 'i-inspector' } } });
    expect(second.json.cursor).toBeGreaterThan(first.json.cursor);
    expect(t.gossip.stored.flatMap((g) => g.scans.map((s) => s.scan.id))).toEqual(expect.arrayContaining([first.json.scan.id, second.json.scan.id]));
  });

  it('answers the same scan id twice with duplicate and the verdict stored the first time', async () => {
    const x = take();
    const req = scanRequest(who('inspector'), x.id, x.id);
    const first = await submit(as.inspector, req, phone.inspector);
    const again = await submit(as.inspector, req, phone.inspector);
    expect(again.json).toMatchObject({ status: 'duplicate', verdict: { outcome: 'valid' }, cursor: first.json.cursor, scan: { id: req.id } });
  });

  it('a device over its scan limit gets 429 rate_limited with Retry-After; nothing of that batch is stored until it is sent again after the wait', async () => {
    const small = await makeTestApp({ deviceLimits: { scanBurst: 2, scansPerMinute: 2, uploadBurst: 10, uploadsPerMinute: 10 } });
    try {
      const inspector = await small.as('inspector');
      const device = await registerPhone(inspector, 'a flooding phone');
      const tickets = (await small.storage.changesSince(DEMO_EVENT, 0)).tickets.slice(0, 3);
      const scans = tickets.map((x) => offlineScan(scanRequest({ inspectorId: inspectorId('i-inspector'), deviceId: device }, x.id, x.id, { at: small.clock.now, hlc: stamp(small.clock.now) })));
      expect((await inspector.post(ev('/scans/batch'), { scans: scans.slice(0, 2) }, dev(device))).status).toBe(200);
      const refused = await inspector.post(ev('/scans/batch'), { scans: scans.slice(2) }, dev(device));
      expect(refused.status).toBe(429);
      expect(refused.json.error).toMatchObject({ code: 'rate_limited', details: { retryAfterMs: 30_000 } });
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(await small.storage.ticketScans(DEMO_EVENT, tickets[2]!.id)).toEqual([]);
      expect((await (await small.as('supervisor')).get(ev('/quarantine'))).json.alerts).toMatchObject([{ deviceId: device, kind: 'rate_limited' }]);
      small.clock.advance(30_000);
      expect((await inspector.post(ev('/scans/batch'), { scans: scans.slice(2) }, dev(device))).json.results).toMatchObject([{ scanId: scans[2]!.id, status: 'accepted' }]);
    } finally {
      await small.close();
    }
  });

  it('stores a batch once: the same batch again is all duplicate', async () => {
    const scans = [take(), take(), take()].map((x) => offlineScan(scanRequest(who('inspector'), x.id, x.id)));
    const before = (await t.storage.scansAfter(DEMO_EVENT, 0, 10_000)).scans.length;
    const first = await upload(as.inspector, scans, phone.inspector);
    expect(first.json.results).toEqual(scans.map((s) => ({ scanId: s.id, status: 'accepted', conflict: null, quarantine: null })));
    const again = await upload(as.inspector, scans, phone.inspector);
    expect(again.json.results).toEqual(scans.map((s) => ({ scanId: s.id, status: 'duplicate', conflict: null, quarantine: null })));
    expect((await t.storage.scansAfter(DEMO_EVENT, 0, 10_000)).scans.length).toBe(before + 3);
  });

  it('never rejects an offline admission: the later one is stored as a conflict, listed and told', async () => {
    const x = take();
    const at = t.clock.now;
    const a = offlineScan(scanRequest(who('inspector'), x.id, x.id, { at }));
    const b = offlineScan(scanRequest(who('inspector2'), x.id, x.id, { at: at + 5 }));
    // The later-stamped scan arrives first; the earlier one then makes it lose.
    expect((await upload(as.inspector2, [b], phone.inspector2)).json.results[0].status).toBe('accepted');
    const r = await upload(as.inspector, [a], phone.inspector);
    expect(r.json.results[0]).toMatchObject({ scanId: a.id, status: 'conflict', conflict: { ticketId: x.id, winner: { scanId: a.id }, loser: { scanId: b.id } } });
    const listed: Conflict[] = (await as.supervisor.get(ev('/conflicts'))).json.conflicts.map((c: unknown) => zConflict.parse(c));
    expect(listed.filter((c) => c.ticketId === x.id)).toEqual([expect.objectContaining({
      winner: expect.objectContaining({ scanId: a.id, deviceId: phone.inspector }),
      loser: expect.objectContaining({ scanId: b.id, deviceId: phone.inspector2 }),
    })]);
    expect(t.gossip.conflicts.some((g) => g.eventId === DEMO_EVENT && g.conflicts.some((c) => c.loser.scanId === b.id))).toBe(true);
    // Both are stored, as they were decided at the gate.
    expect((await t.storage.ticketScans(DEMO_EVENT, x.id)).map((s) => [s.id, s.outcome])).toEqual(expect.arrayContaining([[a.id, 'valid'], [b.id, 'valid']]));
  });

  it('refuses scans in someone else\u2019s name or for another event with 403, and stores none of them', async () => {
    const x = take();
    const mine = who('inspector');
    const cases = [
      scanRequest({ ...mine, deviceId: phone.inspector2 }, x.id, x.id), // another device's id
      scanRequest({ ...mine, inspectorId: inspectorId('i-inspector2') }, x.id, x.id), // another inspector's id
      scanRequest({ ...mine, eventId: OTHER }, x.id, x.id), // another event, sent to this one
    ];
    for (const req of cases) {
      const online = await submit(as.inspector, req, phone.inspector);
      expect(online.status).toBe(403);
      expect(online.json.error.code).toBe('forbidden');
      const batch = await upload(as.inspector, [offlineScan(req)], phone.inspector);
      expect(batch.status).toBe(403);
      expect(batch.json.error.code).toBe('forbidden');
    }
    // Into the other event's path: its staff only.
    const into = await as.inspector.post(ev('/scans', OTHER), scanRequest({ ...mine, eventId: OTHER }, x.id, x.id), dev(phone.inspector));
    expect(into.status).toBe(403);
    expect(await t.storage.ticketScans(DEMO_EVENT, x.id)).toEqual([]);
  });

  it('needs X-Device-Id: missing or malformed 400, unregistered 403', async () => {
    const x = take();
    const req = scanRequest(who('inspector'), x.id, x.id);
    for (const headers of [{}, { 'x-device-id': 'not a device' }] as Array<Record<string, string>>) {
      const r = await as.inspector.post(ev('/scans'), req, headers);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('X-Device-Id') });
    }
    const unknown = await submit(as.inspector, { ...req, deviceId: 'd-never-registered' }, 'd-never-registered' as DeviceId);
    expect(unknown.status).toBe(403);
    expect(unknown.json.error.code).toBe('forbidden');
    const batch = await upload(as.inspector, [offlineScan(req)], 'd-never-registered' as DeviceId);
    expect(batch.status).toBe(403);
  });

  it('refuses a revoked phone: its session ends, after the hub was told to disconnect it', async () => {
    const { client, device: lost } = await phoneAs('inspector', 'lost phone');
    const x = take();
    expect((await submit(client, scanRequest(who('inspector', lost), x.id, x.id), lost)).status).toBe(200);
    const r = await as.supervisor.post(`/api/devices/${lost}/revoke`);
    expect(r.json).toEqual({ ok: true });
    expect(t.push.disconnected).toContain(lost);
    for (const res of [
      await submit(client, scanRequest(who('inspector', lost), take().id, 'x'), lost),
      await upload(client, [offlineScan(scanRequest(who('inspector', lost), x.id, x.id))], lost),
      await client.get(ev('/manifest')),
    ]) {
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthenticated');
    }
    // Another session of the same inspector names the revoked phone in vain.
    const other = await submit(as.inspector, scanRequest(who('inspector', lost), take().id, 'x'), lost);
    expect(other.status).toBe(403);
    const listed = (await as.supervisor.get('/api/devices')).json.devices.find((d: { id: string }) => d.id === lost);
    expect(listed.revokedAt).toBe(t.clock.now);
    expect((await as.supervisor.post('/api/devices/d-no-such-phone/revoke')).status).toBe(404);
  });

  it('pages the catch-up by cursor: every scan of the event once, in order, none of another event', async () => {
    const mine = [take(), take(), take(), take(), take(), take(), take()].map((x) => offlineScan(scanRequest(who('inspector'), x.id, x.id)));
    await upload(as.inspector, mine, phone.inspector);
    const elsewhere = offlineScan(scanRequest({ ...who('otherInspector'), eventId: OTHER }, null, 'whatever', { checkpointId: checkpointId('door') }), 'unknown');
    expect((await as.otherInspector.post(ev('/scans/batch', OTHER), { scans: [elsewhere] }, dev(phone.otherInspector))).status).toBe(200);

    const seen: string[] = [];
    let cursor = 0;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(1000);
      const r = await as.inspector.get(ev(`/scans?after=${cursor}&limit=3`));
      expect(r.json.scans.length).toBeLessThanOrEqual(3);
      for (const s of r.json.scans) seen.push(zScan.parse(s).id);
      if (r.json.scans.length) expect(r.json.cursor).toBeGreaterThan(cursor);
      cursor = r.json.cursor;
      if (!r.json.more) break;
    }
    const all = (await t.storage.scansAfter(DEMO_EVENT, 0, 10_000)).scans;
    expect(seen).toEqual(all.map((s) => s.scan.id));
    expect(seen).toEqual(expect.arrayContaining(mine.map((s) => s.id)));
    expect(seen).not.toContain(elsewhere.id);
    expect(cursor).toBe(all.at(-1)!.seq);
    expect((await as.inspector.get(ev(`/scans?after=${cursor}`))).json).toEqual({ scans: [], cursor, more: false });
  });

  it('filters the history by ticket, order, checkpoint, inspector, device, outcome and time, newest first', async () => {
    const A = await phoneAs('inspector', 'history phone A');
    const B = await phoneAs('inspector2', 'history phone B');
    const [h, h2] = [A.device, B.device];
    const clientOf = new Map([[h, A.client], [h2, B.client]]);
    const [a, b, c] = [take(), take(), take()];
    const AT = 1_600_000_000_000;
    const scans: Array<[keyof typeof as, DeviceId, Ticket, typeof MAIN, number]> = [
      ['inspector', h, a, MAIN, AT], // valid
      ['inspector', h, a, MAIN, AT + 1000], // already_used
      ['inspector2', h2, b, BAR, AT + 2000], // valid (unlimited)
      ['inspector2', h2, c, MAIN, AT + 3000], // valid
      ['inspector', h, b, BAR, AT + 4000], // valid (unlimited)
    ];
    const ids: string[] = [];
    for (const [name, device, ticket, checkpoint, at] of scans) {
      // Stamped now, in this order: the time filters read `at`, and a stamp from 2020 would
      // be quarantined (before the phone was registered) and count for nothing.
      const hlc = stamp(t.clock.now);
      const r = await submit(clientOf.get(device)!, scanRequest(who(name, device), ticket.id, ticket.id, { checkpointId: checkpoint, at, hlc, orderId: ticket.orderId }), device);
      expect(r.status).toBe(200);
      ids.push(r.json.scan.id);
    }
    const [h1, hUsed, h3, h4, h5] = ids;
    const history = async (query: string) => {
      const r = await as.supervisor.get(ev(`/history?limit=500&${query}`));
      expect(r.status, query).toBe(200);
      return r.json.scans as Array<{ seq: number; receivedAt: number; scan: Scan }>;
    };
    const idsOf = (rows: Array<{ scan: Scan }>) => rows.map((r) => r.scan.id);

    expect(idsOf(await history(`ticket=${a.id}`))).toEqual([hUsed, h1]);
    expect(idsOf(await history(`order=${a.orderId}`))).toEqual(expect.arrayContaining([hUsed, h1]));
    expect(idsOf(await history(`device=${h}`))).toEqual([h5, hUsed, h1]);
    expect(idsOf(await history(`device=${h}&outcome=already_used`))).toEqual([hUsed]);
    expect(idsOf(await history(`checkpoint=bar`))).toEqual([h5, h3]);
    expect(idsOf(await history(`from=${AT + 1000}&to=${AT + 3000}`))).toEqual([h4, h3, hUsed]);
    const byInspector2 = await history('inspector=i-inspector2');
    expect(byInspector2.every((r) => r.scan.inspectorId === 'i-inspector2')).toBe(true);
    expect(idsOf(byInspector2)).toEqual(expect.arrayContaining([h3, h4]));
    const used = await history('outcome=already_used');
    expect(used.every((r) => r.scan.outcome === 'already_used')).toBe(true);
    const rows = await history(`device=${h}`);
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((x, y) => y - x));
    expect(rows[0]!.receivedAt).toBe(t.clock.now);
  });

  it('pages the history with before/next until next is null', async () => {
    const { client, device } = await phoneAs('inspector', 'paging phone');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const x = take();
      made.push((await submit(client, scanRequest(who('inspector', device), x.id, x.id), device)).json.scan.id);
    }
    const seen: string[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const r = await as.supervisor.get(ev(`/history?device=${device}&limit=2${before === null ? '' : `&before=${before}`}`));
      expect(r.json.scans.length).toBeLessThanOrEqual(2);
      seen.push(...r.json.scans.map((s: { scan: Scan }) => s.scan.id));
      before = r.json.next;
      if (before === null) break;
      const last = r.json.scans.at(-1) as { seq: number; scan: Scan };
      expect(before).toBe(`${last.scan.at}_${last.seq}`);
    }
    expect(before).toBeNull();
    expect(seen).toEqual([...made].reverse());
  });

  it('pushes a code word change to the event\u2019s scanners and serves it with the event and manifest', async () => {
    const pushed = t.push.broadcasts.length;
    const r = await as.supervisor.put(ev('/code-word'), { codeWord: '  Green Kite ' });
    expect(r.json).toEqual({ codeWord: 'Green Kite', rule: null, nextChangeAt: null });
    expect(t.push.broadcasts.slice(pushed)).toEqual([{ eventId: DEMO_EVENT, msg: { type: 'codeWord', eventId: DEMO_EVENT, codeWord: 'Green Kite' }, minVersion: 1 }]);
    expect((await as.inspector.get(ev())).json.codeWord).toBe('Green Kite');
    expect((await manifest()).codeWord).toBe('Green Kite');
    expect((await as.supervisor.put(ev('/code-word'), { codeWord: '   ' })).status).toBe(400);
    expect((await as.supervisor.put(ev('/code-word'), { codeWord: null })).json).toEqual({ codeWord: null, rule: null, nextChangeAt: null });
    expect(t.push.broadcasts.slice(pushed).map((b) => (b.msg as { codeWord: string | null }).codeWord)).toEqual(['Green Kite', null]);
  });

  it('imports a CSV, and an imported plain barcode then resolves to its ticket online', async () => {
    const v0 = (await manifest()).version;
    const csv = 'ticket_id,order_id,type,imported_code,buyer_name\r\nIMP-1,IMP-O1,Adult,EAN-4006381333931,Fay Import\r\nIMP-2,IMP-O1,Child,,\r\n';
    const r = await as.admin.post(ev('/import'), csv, { 'content-type': 'text/csv; charset=utf-8' });
    expect(r.json).toEqual({ orders: 1, tickets: 2 });
    const delta = await manifest(as.inspector, v0);
    expect(delta.tickets.map((row) => row[0])).toEqual(['IMP-1', 'IMP-2']);
    expect(delta.orders.map((o) => o.id)).toEqual(['IMP-O1']);

    const scan = await submit(as.inspector, scanRequest(who('inspector'), null, 'EAN-4006381333931\r\n'), phone.inspector);
    expect(scan.json).toMatchObject({ verdict: { outcome: 'valid', ticketId: 'IMP-1' }, scan: { ticketId: 'IMP-1' } });
    const stranger = await submit(as.inspector, scanRequest(who('inspector'), null, 'EAN-0000000000000'), phone.inspector);
    expect(stranger.json.verdict).toMatchObject({ outcome: 'unknown', ticketId: null });
  });

  it('ships no buyer e-mail and imported barcodes only as a keyed hash per event', async () => {
    const v0 = (await manifest()).version;
    const csv = 'ticket_id,order_id,type,imported_code,buyer_name,email\nHSH-1,HSH-O1,Adult,EAN-5901234123457,Gus Hash,gus@example.com\n';
    expect((await as.admin.post(ev('/import'), csv, { 'content-type': 'text/csv' })).status).toBe(200);
    const delta = await manifest(as.inspector, v0);
    const text = JSON.stringify(delta);
    expect(text).not.toContain('gus@example.com');
    expect(text).not.toContain('EAN-5901234123457');
    expect(delta.orders).toEqual([{ id: 'HSH-O1', eventId: DEMO_EVENT, buyerName: 'Gus Hash' }]);
    const col = TICKET_COLUMNS.indexOf('importedCodeHash');
    const row = delta.tickets.find((r) => r[0] === 'HSH-1')!;
    expect(row[col]).toBe(hashImportedCode(delta.importedCodeKey, 'EAN-5901234123457'));
    expect(row[col]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The same key on every download of the event; another event hashes with its own.
    expect((await manifest()).importedCodeKey).toBe(delta.importedCodeKey);
    const other = await as.otherInspector.get(ev('/manifest', OTHER));
    expect(other.json.importedCodeKey).not.toBe(delta.importedCodeKey);
    // A supervisor printing a test ticket still gets the barcode itself.
    expect((await as.supervisor.get(ev('/tickets/HSH-1/code'))).json.importedCode).toBe('EAN-5901234123457');
  });

  it('imports JSON too', async () => {
    const r = await as.admin.post(ev('/import'), [{ id: 'IMPJ-1', type: 'Adult' }, { id: 'IMPJ-2', type: 'VIP', kind: 'travel' }]);
    expect(r.json).toEqual({ orders: 0, tickets: 2 });
    expect((await t.storage.getTicket(DEMO_EVENT, 'IMPJ-2' as TicketId))?.kind).toBe('travel');
  });

  it('refuses an import with a bad row with 422 invalid_import, every bad row in details, and imports nothing', async () => {
    const v0 = (await manifest()).version;
    const csv = 'ticket_id,type,status\nBAD-1,Adult,paid\nBAD-2,Adult,sold\nBAD-3,,paid\n';
    const r = await as.admin.post(ev('/import'), csv, { 'content-type': 'text/csv' });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe('invalid_import');
    expect(r.json.error.message).toBe('2 rows have errors');
    expect(r.json.error.details).toEqual([
      { row: 3, field: 'status', message: expect.any(String) },
      { row: 4, field: 'type', message: expect.any(String) },
    ]);
    expect(await t.storage.getTicket(DEMO_EVENT, 'BAD-1' as TicketId)).toBeNull();
    expect((await manifest(as.inspector, v0)).tickets).toEqual([]);
  });

  it('names the phones of the event\u2019s staff in the manifest, and no one else\u2019s', async () => {
    const named = (await phoneAs('inspector2', 'Gate B handheld')).device;
    const m = await manifest();
    expect(m.devices).toContainEqual({ id: named, name: 'Gate B handheld' });
    expect(m.devices.map((d) => d.id)).toEqual(expect.arrayContaining([phone.inspector, phone.supervisor]));
    expect(m.devices.map((d) => d.id)).not.toContain(phone.otherInspector);
    expect((await as.otherInspector.get(ev('/manifest'))).status).toBe(403);
    const delta = await manifest(as.inspector, m.version);
    expect(delta.devices).toContainEqual({ id: named, name: 'Gate B handheld' });
  });

  it('publishes a ticket status change in the manifest delta, and decides by it online', async () => {
    const x = take();
    const v0 = (await manifest()).version;
    const pushed = t.push.broadcasts.length;
    expect((await as.supervisor.post(ev(`/tickets/${x.id}/status`), { status: 'revoked', reason: 'reported stolen' })).json.ticket).toMatchObject({ id: x.id, status: 'revoked' });
    const delta = await manifest(as.inspector, v0);
    expect(delta).toMatchObject({ delta: true, revoked: [x.id], columns: [...TICKET_COLUMNS] });
    expect(delta.version).toBeGreaterThan(v0);
    // Phones that can read it are told to fetch the delta now.
    expect(t.push.broadcasts.slice(pushed)).toEqual([{ eventId: DEMO_EVENT, msg: { type: 'ticketsChanged', eventId: DEMO_EVENT, version: delta.version }, minVersion: 11 }]);
    expect(delta.tickets).toHaveLength(1);
    expect(delta.tickets[0]![0]).toBe(x.id);
    expect(delta.tickets[0]![TICKET_COLUMNS.indexOf('status')]).toBe('revoked');
    expect((await manifest(as.inspector, delta.version)).tickets).toEqual([]);
    const scan = await submit(as.inspector, scanRequest(who('inspector'), x.id, await ticketCode(x.id)), phone.inspector);
    expect(scan.json.verdict.outcome).toBe('revoked');

    expect((await as.admin.post(ev('/tickets/no-such-ticket/status'), { status: 'paid', reason: 'test' })).status).toBe(404);
    expect((await as.admin.post(ev(`/tickets/${x.id}/status`), { status: 'sold', reason: 'test' })).status).toBe(400);
    // Without a reason: refused, nothing changed.
    expect((await as.admin.post(ev(`/tickets/${x.id}/status`), { status: 'paid' })).status).toBe(400);
    expect((await as.admin.post(ev(`/tickets/${x.id}/status`), { status: 'paid', reason: '   ' })).status).toBe(400);
    expect((await t.storage.getTicket(DEMO_EVENT, x.id))!.status).toBe('revoked');
  });

  it('mints ticket and order codes that verify with the manifest\u2019s public keys', async () => {
    const x = take();
    const m = await manifest();
    const ctx = { eventId: DEMO_EVENT, publicKeys: m.publicKeys };
    const ticket = (await as.supervisor.get(ev(`/tickets/${x.id}/code`))).json;
    expect(decodeCode(ticket.code, ctx)).toMatchObject({ ok: true, kind: 'ticket', ticketId: x.id, orderId: x.orderId, ticketType: x.type });
    expect(extractCode(ticket.link)).toBe(ticket.code);
    expect(decodeCode(ticket.link, ctx)).toMatchObject({ ok: true, kind: 'ticket', ticketId: x.id });
    const order = (await as.supervisor.get(ev(`/orders/${x.orderId}/code`))).json;
    expect(decodeCode(order.code, ctx)).toMatchObject({ ok: true, kind: 'order', orderId: x.orderId });
    // And with nothing else: a stranger's key under the same key id does not verify them.
    const stranger = toPublicKeyEntry(m.publicKeys[0]!.keyId, generateEventKey().publicKey);
    expect(decodeCode(ticket.code, { eventId: DEMO_EVENT, publicKeys: [stranger] })).toMatchObject({ ok: false, outcome: 'invalid_signature' });

    expect((await as.supervisor.get(ev('/tickets/no-such-ticket/code'))).status).toBe(404);
    expect((await as.supervisor.get(ev('/orders/no-such-order/code'))).status).toBe(404);
    // An order code admits its tickets online.
    const viaOrder = await submit(as.inspector, scanRequest(who('inspector'), x.id, order.code), phone.inspector);
    expect(viaOrder.json.verdict).toMatchObject({ outcome: 'valid', ticketId: x.id });
  });

  it('answers a forged code with invalid_signature, online', async () => {
    const x = take();
    const forger = generateEventKey('k1'); // the event's key id, not its key
    const forged = signTicketCode({ eventId: DEMO_EVENT, ticketId: x.id, orderId: x.orderId, ticketType: x.type, validFrom: null, validUntil: null, issuedAt: t.clock.now }, { keyId: 'k1', privateKey: forger.privateKey });
    const r = await submit(as.inspector, scanRequest(who('inspector'), x.id, forged), phone.inspector);
    expect(r.json).toMatchObject({ status: 'accepted', verdict: { outcome: 'invalid_signature', ticketId: null }, scan: { outcome: 'invalid_signature', ticketId: null } });
    // The ticket is still unused: a forgery does not spend it.
    const genuine = await submit(as.inspector, scanRequest(who('inspector'), x.id, await ticketCode(x.id)), phone.inspector);
    expect(genuine.json.verdict.outcome).toBe('valid');
  });
});

// The replies' shapes are shared (shared/src/api/): the server builds them typed by the
// schemas and the app parses them with the same ones. Parsed and compared whole, so a
// field the server sends beyond the schema (zod drops it) fails here too.
describe('replies in the shared shapes', () => {
  const exactly = <T>(schema: { parse(v: unknown): T }, json: unknown) => expect(schema.parse(json)).toEqual(json);

  it('login and me answer a SessionReply', async () => {
    const c = t.client('192.0.2.77');
    const r = await c.post('/api/login', { username: 'supervisor', password: login('supervisor').password });
    expect(r.status).toBe(200);
    exactly(zSessionReply, r.json);
    expect(r.json.events.map((e: { id: string }) => e.id)).toContain(DEMO_EVENT);
    const me = await c.get('/api/me');
    exactly(zSessionReply, me.json);
    expect(me.json).toEqual(r.json);
  });

  it('registering, claiming and listing phones answer their device replies', async () => {
    const first = await t.as('inspector2');
    const reg = await first.post('/api/devices', { name: 'gate 9 phone' });
    expect(reg.status).toBe(201);
    exactly(zRegisteredDeviceReply, reg.json);
    const next = await t.as('inspector');
    const claim = await next.post('/api/devices/claim', { deviceId: reg.json.device.id, secret: reg.json.device.secret });
    expect(claim.status).toBe(200);
    exactly(zClaimedDeviceReply, claim.json);
    expect(claim.json.device).toEqual({ id: reg.json.device.id, name: 'gate 9 phone' });
    const list = await as.supervisor.get('/api/devices');
    exactly(zDeviceListReply, list.json);
    expect(list.json.devices.map((d: { id: string }) => d.id)).toContain(reg.json.device.id);
  });

  it('events, an event, and ticket and order codes answer their replies', async () => {
    exactly(zEventListReply, (await as.inspector.get('/api/events')).json);
    exactly(zEventDetailsReply, (await as.inspector.get(ev())).json);
    const x = take();
    const ticket = await as.supervisor.get(ev(`/tickets/${x.id}/code`));
    exactly(zTicketCodeReply, ticket.json);
    expect(ticket.json.importedCode).toBeNull();
    const order = await as.supervisor.get(ev(`/orders/${x.orderId}/code`));
    exactly(zOrderCodeReply, order.json);
  });

  it('a scan over HTTP answers a Verdict with its reason and its English sentence', async () => {
    const x = take();
    const code = (await as.supervisor.get(ev(`/tickets/${x.id}/code`))).json.code;
    const first = await as.inspector.post(ev('/scans'), scanRequest(who('inspector'), x.id, code), dev(phone.inspector));
    const again = await as.inspector.post(ev('/scans'), scanRequest(who('inspector'), x.id, code), dev(phone.inspector));
    for (const r of [first, again]) exactly(zVerdict, r.json.verdict);
    expect(first.json.verdict).toMatchObject({ outcome: 'valid', reason: { kind: 'outcome' }, explanation: 'Valid ticket: admit.' });
    expect(again.json.verdict).toMatchObject({
      outcome: 'already_used',
      reason: { kind: 'already_used', at: first.json.scan.at, checkpointId: first.json.scan.checkpointId, here: true },
      explanation: expect.stringMatching(/^Already scanned here at .* UTC\.$/),
    });
  });
});
