// Who may change the console's settings (issue 10), against a real server: an inspector
// may change none of them, a supervisor only their own event's code word and tickets (and
// read its audit), and only an admin manages staff. A refusal changes nothing and leaves
// no audit row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let admin: HttpSession;
let supervisor: HttpSession;
let inspector: HttpSession;
/** A supervisor of another event, made through the API as an admin would. */
let otherSupervisor: HttpSession;
let ticket: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await HttpSession.login(server.url, 'admin', login('admin').password);
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  inspector = await HttpSession.login(server.url, 'inspector', login('inspector').password);
  const other = { id: 'winter-fair', name: 'Winter Fair', venue: 'Hall 2', startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' };
  expect((await admin.request('POST', '/api/events', { event: other, checkpoints: [] })).status).toBe(201);
  expect((await admin.request('POST', '/api/staff', { username: 'olga.sup', name: 'Olga Other', password: 'olga-pass-long-1', role: 'supervisor', events: [other.id] })).status).toBe(201);
  otherSupervisor = await HttpSession.login(server.url, 'olga.sup', 'olga-pass-long-1');
  ticket = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.find((t) => t.status === 'paid')!.id;
});
afterAll(async () => { await server?.close(); });

const ev = (path = '') => `/api/events/${DEMO_EVENT}${path}`;

/** Every settings call of the demo event, as the console makes them. */
const eventCalls = (): Array<[string, string, unknown?]> => [
  ['GET', ev('/code-word')],
  ['PUT', ev('/code-word'), { codeWord: 'Mine Now' }],
  ['PUT', ev('/code-word'), { rule: { words: ['Mine'], changeAt: '06:00' } }],
  ['GET', ev(`/tickets?q=${ticket}`)],
  ['POST', ev(`/tickets/${ticket}/status`), { status: 'revoked', reason: 'not allowed to' }],
  ['GET', ev('/audit')],
];

const staffCalls = (): Array<[string, string, unknown?]> => [
  ['GET', '/api/staff'],
  ['POST', '/api/staff', { username: 'sneaky', name: 'Sneaky', password: 'sneaky-pass-long-1', role: 'admin' }],
  ['POST', '/api/staff/i-inspector/role', { role: 'admin' }],
  ['PUT', '/api/staff/i-inspector/events', { events: [] }],
  ['POST', '/api/staff/i-inspector/disable'],
  ['POST', '/api/staff/i-inspector/password', { newPassword: 'taken-over-pass-1' }],
];

async function expectUnchanged(): Promise<void> {
  expect(await server.storage.getCodeWord(DEMO_EVENT)).toBe('Blue Heron');
  expect(await server.storage.getCodeWordRule(DEMO_EVENT)).toBeNull();
  expect((await server.storage.getTicket(DEMO_EVENT, ticket as never))!.status).toBe('paid');
  expect(await server.storage.getStaffByUsername('sneaky')).toBeNull();
  expect(await server.storage.getStaff('i-inspector' as never)).toMatchObject({ role: 'inspector', disabled: false });
  expect(await server.storage.isStaffOf(DEMO_EVENT, 'i-inspector' as never)).toBe(true);
  const audit = await server.storage.listAudit(DEMO_EVENT, { limit: 100, withStaff: true });
  // The one row: the admin creating the other event's supervisor.
  expect(audit.entries.map((e) => [e.action, e.actor])).toEqual([['staff.create', 'i-admin']]);
}

describe('settings refused', () => {
  it('to an inspector: every one, 403', async () => {
    for (const [method, path, body] of [...eventCalls(), ...staffCalls()]) {
      const r = await inspector.request(method, path, body);
      expect([r.status, r.json.error.code], `${method} ${path}`).toEqual([403, 'forbidden']);
    }
    await expectUnchanged();
  });

  it('to a supervisor of another event: every one of this event, 403', async () => {
    for (const [method, path, body] of eventCalls()) {
      const r = await otherSupervisor.request(method, path, body);
      expect([r.status, r.json.error.code], `${method} ${path}`).toEqual([403, 'forbidden']);
    }
    await expectUnchanged();
  });

  it('to a supervisor of this event: managing staff, 403', async () => {
    for (const [method, path, body] of staffCalls()) {
      const r = await supervisor.request(method, path, body);
      expect([r.status, r.json.error.code], `${method} ${path}`).toEqual([403, 'forbidden']);
    }
    await expectUnchanged();
  });

  it('to an admin: their own role (nobody would be left to give it back)', async () => {
    const r = await admin.request('POST', '/api/staff/i-admin/role', { role: 'inspector' });
    expect([r.status, r.json.error.code]).toEqual([400, 'bad_request']);
    expect(await server.storage.getStaff('i-admin' as never)).toMatchObject({ role: 'admin' });
  });
});

describe('settings allowed', () => {
  it('to a supervisor of this event: its code word, its tickets and its audit', async () => {
    expect((await supervisor.request('PUT', ev('/code-word'), { codeWord: 'Night Owl' })).status).toBe(200);
    expect((await supervisor.request('POST', ev(`/tickets/${ticket}/status`), { status: 'canceled', reason: 'refunded' })).status).toBe(200);
    expect((await supervisor.request('GET', ev('/audit'))).json.entries.map((e: { action: string }) => e.action)).toEqual(['ticket.status', 'code_word.set']);
  });

  it('a lower role ends the person\u2019s sessions at once', async () => {
    const made = await admin.request('POST', '/api/staff', { username: 'demoted', name: 'Dee Moted', password: 'demoted-pass-long-1', role: 'supervisor', events: [DEMO_EVENT] });
    const dee = await HttpSession.login(server.url, 'demoted', 'demoted-pass-long-1');
    expect((await dee.request('GET', ev('/audit'))).status).toBe(200);
    await admin.request('POST', `/api/staff/${made.json.staff.id}/role`, { role: 'inspector' });
    expect((await dee.request('GET', ev('/audit'))).status).toBe(401);
  });
});
