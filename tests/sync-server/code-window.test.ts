// Just-in-time access (issue 11, measure 1): before an event's code window opens, no route
// of the app hands out code material (a signed ticket or order code, an imported barcode),
// whoever asks and with whatever they hold. The walk covers the app's whole route table,
// as routes.test.ts does for roles, so a route added later is walked too; the last test
// shows the same detector finds the codes once the window is open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEventKey, toBase64Url } from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import { appRoutes, DEMO_EVENT, makeTestApp, type AppClient, type TestApp } from '../support/app.ts';

const HOUR = 3600_000;
const LEAD_MINUTES = 60;

let t: TestApp;
let startsAt: number;
let imported: Ticket;
let walletToken: string;
let importedCodes: string[];

/** A signed code of any kind and version (shared/src/codec/format.ts): "GK" <version> <kind> base64url. */
const SIGNED_CODE = /GK\d+[A-Z][A-Za-z0-9_-]{40,}/;

/** A device certificate (api/certificates.ts): a wallet makes rotating codes under it. */
const CERTIFICATE = /"certificate":"[A-Za-z0-9_-]{40,}"/;

/** The code material in an answer, if any. */
function leaked(text: string): string | null {
  const signed = SIGNED_CODE.exec(text) ?? CERTIFICATE.exec(text);
  if (signed) return signed[0].slice(0, 24);
  return importedCodes.find((code) => text.includes(code)) ?? null;
}

/** An admin with a registered phone, fresh for each call: a walked route may end its session. */
async function admin(): Promise<AppClient> {
  const client = await t.as('admin');
  expect((await client.post('/api/devices', { name: 'walker' })).status).toBe(201);
  return client;
}

beforeAll(async () => {
  t = await makeTestApp();
  startsAt = (await t.storage.getEvent(DEMO_EVENT))!.startsAt!;
  const tickets = (await t.storage.changesSince(DEMO_EVENT, 0)).tickets;
  importedCodes = tickets.flatMap((x) => (x.importedCode ? [x.importedCode] : []));
  imported = tickets.find((x) => x.importedCode !== null && x.orderId !== null && x.status === 'paid')!;
  expect(imported).toBeDefined();
  // Three hours before the doors: the window (an hour before) is shut.
  t.clock.now = startsAt - 3 * HOUR;
  const boss = await admin();
  expect((await boss.put(`/api/events/${DEMO_EVENT}/code-window`, { leadMinutes: LEAD_MINUTES })).json).toEqual({ leadMinutes: LEAD_MINUTES, opensAt: startsAt - HOUR, open: false });
  expect((await boss.post(`/api/events/${DEMO_EVENT}/order-mails`, {})).json.sent).toBeGreaterThan(0);
  const outbox = (await boss.get('/api/mail/outbox')).json.mails as Array<{ text: string }>;
  walletToken = /\/wallet#([A-Za-z0-9_-]{43})/.exec(outbox.find((m) => m.text.length > 0)!.text)![1]!;
});
afterAll(async () => { await t?.close(); });

/** Values for the path's parameters: real ones, so a route answers with what it holds. */
function fill(route: string): string {
  const path = route.split(' ')[1]!;
  const values: Record<string, string> = {
    eventId: DEMO_EVENT, ticketId: imported.id, orderId: imported.orderId!, checkpointId: 'main-gate',
    staffId: 'i-inspector', mappingId: 'walk', scanId: 's-walk', conflictId: 's-walk', deviceId: 'd-walk',
  };
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`the walk has no value for :${name} (${route}): add one`);
    return values[name]!;
  });
}

/** Queries and bodies that make a route answer with tickets rather than refuse the request. */
const QUERIES: Record<string, () => string> = {
  'GET /api/events/:eventId/tickets': () => `?q=${encodeURIComponent(imported.importedCode!)}`,
};
const BODIES: Record<string, () => unknown> = {
  'POST /api/events/:eventId/tickets/:ticketId/status': () => ({ status: 'paid', reason: 'walking the routes' }),
  'POST /api/events/:eventId/order-mails': () => ({ again: false }),
  'POST /api/wallet/device': () => ({ publicKey: toBase64Url(generateEventKey().publicKey) }),
};

async function walk(): Promise<Array<{ route: string; status: number; leak: string | null }>> {
  const out = [];
  for (const route of appRoutes(t.app)) {
    const method = route.split(' ')[0]!;
    const client = await admin();
    const body = method === 'GET' ? undefined : (BODIES[route]?.() ?? {});
    const r = await client.request(method, fill(route) + (QUERIES[route]?.() ?? ''), body, { authorization: `Bearer ${walletToken}` });
    out.push({ route, status: r.status, leak: leaked(r.text + JSON.stringify([...r.headers])) });
  }
  return out;
}

describe('just-in-time access', () => {
  it('before the window: no route of the app answers with a code, to an admin holding the wallet link', async () => {
    const answers = await walk();
    expect(answers.filter((a) => a.leak !== null)).toEqual([]);
    // The routes that hold codes did answer: they refused, not failed.
    const status = new Map(answers.map((a) => [a.route, a.status]));
    expect(status.get('GET /api/events/:eventId/tickets/:ticketId/code')).toBe(403);
    expect(status.get('GET /api/events/:eventId/orders/:orderId/code')).toBe(403);
    expect(status.get('GET /api/wallet')).toBe(200);
    expect(status.get('POST /api/wallet/device')).toBe(403);
    expect(status.get('GET /api/events/:eventId/tickets')).toBe(200);
  });

  it('the wallet says when the codes come, by the server\u2019s clock', async () => {
    const r = await t.client().get('/api/wallet', { authorization: `Bearer ${walletToken}` });
    expect(r.json).toMatchObject({ codesOpen: false, opensAt: startsAt - HOUR, serverTime: t.clock.now });
    expect(r.json.tickets.length).toBeGreaterThan(0);
  });

  it('an event with a window and no start time keeps its codes in', async () => {
    const boss = await admin();
    await t.storage.createEvent({ id: 'no-start' as never, name: 'No Start', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' });
    expect((await boss.put('/api/events/no-start/code-window', { leadMinutes: 30 })).json).toEqual({ leadMinutes: 30, opensAt: null, open: false });
  });

  it('from the window on: the same walk finds the codes where they belong', async () => {
    t.clock.now = startsAt - HOUR;
    const leaks = new Map((await walk()).map((a) => [a.route, a.leak]));
    expect(leaks.get('GET /api/events/:eventId/tickets/:ticketId/code')).not.toBeNull();
    expect(leaks.get('GET /api/events/:eventId/orders/:orderId/code')).not.toBeNull();
    // The wallet's order never holds a code: its phone gets a certificate and signs its own.
    expect(leaks.get('GET /api/wallet')).toBeNull();
    expect(leaks.get('POST /api/wallet/device')).not.toBeNull();
    expect(leaks.get('GET /api/events/:eventId/tickets')).not.toBeNull();
  });

  it('setting the window is for admins, and audited', async () => {
    const sup = await t.as('supervisor');
    expect((await sup.put(`/api/events/${DEMO_EVENT}/code-window`, { leadMinutes: 5 })).status).toBe(403);
    expect((await sup.get(`/api/events/${DEMO_EVENT}/code-window`)).json.leadMinutes).toBe(LEAD_MINUTES);
    const audit = await t.storage.listAudit(DEMO_EVENT, { action: 'code_window.set', limit: 10, withStaff: false });
    expect(audit.entries.map((e) => [e.actor, e.before, e.after])).toEqual([['i-admin', { leadMinutes: null }, { leadMinutes: LEAD_MINUTES }]]);
  });
});
