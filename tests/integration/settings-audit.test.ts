// The console's settings against a real server (issue 10): each change a person makes is
// pushed where it matters at once and leaves one audit row saying who, what, when, before
// and after. The code word by hand and drawn from a list, a ticket blocked with a reason
// (the phone is told to fetch the delta, which carries it), and an admin's staff changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeWordAt, nextCodeWordChange } from '@gatekeeper/shared/code-word';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import { TICKET_COLUMNS } from '@gatekeeper/shared/manifest';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let admin: HttpSession;
let supervisor: HttpSession;
beforeAll(async () => {
  server = await startTestServer();
  admin = await HttpSession.login(server.url, 'admin', login('admin').password);
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
});
afterAll(async () => { await server?.close(); });

const ev = (path = '') => `/api/events/${DEMO_EVENT}${path}`;
const gate = () => ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, checkpointId('main-gate'));
const audit = async (as: HttpSession, query = ''): Promise<AuditEntry[]> => (await as.request('GET', ev(`/audit${query}`))).json.entries;

/** A paid ticket with nothing in the way of a plain "valid" at the main gate. */
async function plainTicket(skip: ReadonlySet<string>): Promise<TicketId> {
  const { tickets } = await server.storage.changesSince(DEMO_EVENT, 0);
  const t = tickets.find((x) => x.status === 'paid' && !x.idCheck && x.validFrom === null && x.validUntil === null && x.type === 'Adult' && !skip.has(x.id));
  if (!t) throw new Error('the demo has no plain ticket left');
  return t.id;
}

describe('the code word', () => {
  it('set by hand: pushed to the scanner at once, and one audit row with before and after', async () => {
    const a = await gate();
    try {
      const pushed = a.waitFor<DownOf<'codeWord'>>((m) => m.type === 'codeWord');
      const sent = Date.now();
      const r = await supervisor.request('PUT', ev('/code-word'), { codeWord: 'Red Fox' });
      expect(r.json).toEqual({ codeWord: 'Red Fox', rule: null, nextChangeAt: null });
      expect((await pushed).codeWord).toBe('Red Fox');
      const [row] = await audit(supervisor, '?action=code_word.set');
      expect(row).toMatchObject({
        eventId: DEMO_EVENT, actor: 'i-supervisor', actorName: 'Sam Supervisor', action: 'code_word.set', target: DEMO_EVENT,
        before: { codeWord: 'Blue Heron', rule: null }, after: { codeWord: 'Red Fox', rule: null }, reason: null,
      });
      expect(row!.at).toBeGreaterThanOrEqual(sent);
      expect(row!.at).toBeLessThanOrEqual(Date.now());
    } finally { await a.close(); }
  });

  it('drawn from a list: today\u2019s word at once, the same one the shared rule gives, and audited', async () => {
    const rule = { words: ['Amber Owl', 'Silver Eel', 'Copper Hare'], changeAt: '05:30' };
    const now = Date.now();
    const expected = codeWordAt(rule, DEMO_EVENT, now, 'Europe/Amsterdam');
    const r = await supervisor.request('PUT', ev('/code-word'), { rule });
    expect(r.json).toMatchObject({ codeWord: expected, rule });
    expect(r.json.nextChangeAt).toBe(nextCodeWordChange(Date.now(), '05:30', 'Europe/Amsterdam'));
    expect((await supervisor.request('GET', ev('/code-word'))).json).toEqual(r.json);
    // What every scanner reads: the event, the manifest, the welcome.
    expect((await supervisor.request('GET', ev())).json.codeWord).toBe(expected);
    const a = await gate();
    try {
      expect((a.received.find((m) => m.type === 'welcome') as DownOf<'welcome'>).codeWord).toBe(expected);
    } finally { await a.close(); }
    const [row] = await audit(supervisor, '?action=code_word.rule');
    expect(row).toMatchObject({ actor: 'i-supervisor', before: { codeWord: 'Red Fox', rule: null }, after: { codeWord: expected, rule } });
    // A word by hand again ends the rule.
    expect((await supervisor.request('PUT', ev('/code-word'), { codeWord: 'Blue Heron' })).json).toEqual({ codeWord: 'Blue Heron', rule: null, nextChangeAt: null });
    expect((await supervisor.request('PUT', ev('/code-word'), { rule: { words: [], changeAt: '05:30' } })).status).toBe(400);
    expect((await supervisor.request('PUT', ev('/code-word'), { rule: { words: ['x'], changeAt: '5:30' } })).status).toBe(400);
  });

  it('drawn after a restart: a server that was down at the change catches up when it starts', async () => {
    const rule = { words: ['Only Word'], changeAt: '00:00' };
    await supervisor.request('PUT', ev('/code-word'), { rule });
    // As if the word had been left behind by a day the server slept through.
    await server.storage.setCodeWord(DEMO_EVENT, 'Stale Word');
    await server.stop();
    await server.resume();
    const sup = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
    expect((await sup.request('GET', ev('/code-word'))).json.codeWord).toBe('Only Word');
    supervisor = sup;
    admin = await HttpSession.login(server.url, 'admin', login('admin').password);
    await supervisor.request('PUT', ev('/code-word'), { codeWord: 'Blue Heron' });
  });
});

describe('a ticket\u2019s status', () => {
  it('blocked with a reason: the phone is told, the delta carries it, the scan is refused, and the audit says why', async () => {
    const tid = await plainTicket(new Set());
    const a = await gate();
    try {
      const v0 = (await a.http.request('GET', ev('/manifest?since=0'))).json.version as number;
      const told = a.waitFor<DownOf<'ticketsChanged'>>((m) => m.type === 'ticketsChanged');
      const r = await supervisor.request('POST', ev(`/tickets/${tid}/status`), { status: 'blocked', reason: 'reported stolen at the box office' });
      expect(r.status).toBe(200);
      expect(r.json.ticket).toMatchObject({ id: tid, status: 'blocked' });
      const msg = await told;
      expect(msg.version).toBeGreaterThan(v0);
      const delta = (await a.http.request('GET', ev(`/manifest?since=${v0}`))).json;
      expect(delta.version).toBe(msg.version);
      expect(delta.tickets.map((row: unknown[]) => [row[0], row[TICKET_COLUMNS.indexOf('status')]])).toEqual([[tid, 'blocked']]);
      const code = (await supervisor.request('GET', ev(`/tickets/${tid}/code`))).json.code as string;
      expect((await a.scan(a.request(tid, code))).verdict.outcome).toBe('blocked');
      // Found by the code printed on it, blocked.
      expect((await supervisor.request('GET', ev(`/tickets?q=${encodeURIComponent(code)}`))).json.tickets).toEqual([expect.objectContaining({ id: tid, status: 'blocked' })]);
    } finally { await a.close(); }
    const [row] = await audit(supervisor, `?action=ticket.status&target=${tid}`);
    expect(row).toMatchObject({
      actor: 'i-supervisor', action: 'ticket.status', target: tid,
      before: { status: 'paid' }, after: { status: 'blocked' }, reason: 'reported stolen at the box office',
    });
    // Back to paid, with its own reason: a second row, newest first.
    await supervisor.request('POST', ev(`/tickets/${tid}/status`), { status: 'paid', reason: 'found; it was the holder\u2019s' });
    expect((await audit(supervisor, `?target=${tid}`)).map((e) => [e.before, e.after])).toEqual([
      [{ status: 'blocked' }, { status: 'paid' }], [{ status: 'paid' }, { status: 'blocked' }],
    ]);
    // The ticket's story, opened from History, tells both changes: who, from what to what, why.
    const story = (await supervisor.request('GET', ev(`/tickets/${tid}/story`))).json;
    expect(story.statusChanges.map((e: AuditEntry) => [e.actorName, e.after, e.reason])).toEqual([
      ['Sam Supervisor', { status: 'paid' }, 'found; it was the holder\u2019s'], ['Sam Supervisor', { status: 'blocked' }, 'reported stolen at the box office'],
    ]);
  });

  it('revoked, canceled, unpaid, then marked paid: each change told to the phone, carried by the delta, and the scanner answers by it', async () => {
    const tid = await plainTicket(new Set());
    const a = await gate();
    try {
      const code = (await supervisor.request('GET', ev(`/tickets/${tid}/code`))).json.code as string;
      // Each refusal is asked with a scan the server refuses, so the ticket stays unadmitted for the next step.
      for (const status of ['revoked', 'canceled', 'unpaid', 'paid'] as const) {
        const v0 = (await a.http.request('GET', ev('/manifest?since=0'))).json.version as number;
        const told = a.waitFor<DownOf<'ticketsChanged'>>((m) => m.type === 'ticketsChanged' && m.version > v0);
        const r = await supervisor.request('POST', ev(`/tickets/${tid}/status`), { status, reason: `set ${status} by the box office` });
        expect(r.status, status).toBe(200);
        const msg = await told;
        const delta = (await a.http.request('GET', ev(`/manifest?since=${v0}`))).json;
        expect(delta.version, status).toBe(msg.version);
        expect(delta.tickets.map((row: unknown[]) => [row[0], row[TICKET_COLUMNS.indexOf('status')]]), status).toEqual([[tid, status]]);
        expect((await a.scan(a.request(tid, code))).verdict.outcome, status).toBe(status === 'paid' ? 'valid' : status);
      }
    } finally { await a.close(); }
    expect((await audit(supervisor, `?action=ticket.status&target=${tid}`)).map((e) => [e.before, e.after, e.reason]).reverse()).toEqual([
      [{ status: 'paid' }, { status: 'revoked' }, 'set revoked by the box office'],
      [{ status: 'revoked' }, { status: 'canceled' }, 'set canceled by the box office'],
      [{ status: 'canceled' }, { status: 'unpaid' }, 'set unpaid by the box office'],
      [{ status: 'unpaid' }, { status: 'paid' }, 'set paid by the box office'],
    ]);
  });

  it('a version 10 phone is not told (it has no such message) and keeps its socket; a version 11 phone beside it is told', async () => {
    const tid = await plainTicket(new Set());
    const old = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, checkpointId('main-gate'), { version: 10 });
    const now = await gate();
    try {
      const told = now.waitFor<DownOf<'ticketsChanged'>>((m) => m.type === 'ticketsChanged');
      expect((await supervisor.request('POST', ev(`/tickets/${tid}/status`), { status: 'blocked', reason: 'a test of old phones' })).status).toBe(200);
      await told;
      // The broadcast went out before the answer; a pong after it on the same socket comes
      // after anything the server sent that socket before.
      old.send({ type: 'ping', id: 7, clientTime: Date.now() });
      await old.waitFor((m) => m.type === 'pong' && m.id === 7);
      expect(old.received.map((m) => m.type)).not.toContain('ticketsChanged');
      expect(old.received.map((m) => m.type)).not.toContain('error');
    } finally {
      await old.close();
      await now.close();
      await supervisor.request('POST', ev(`/tickets/${tid}/status`), { status: 'paid', reason: 'the test is over' });
    }
  });
});

describe('staff, by an admin', () => {
  it('create, role, events, disable, password: each one audit row, seen by admins and not by supervisors', async () => {
    const created = await admin.request('POST', '/api/staff', { username: 'wendy.usher', name: 'Wendy Usher', password: 'usher-pass-long-1', role: 'inspector', events: [DEMO_EVENT] });
    expect(created.status).toBe(201);
    const id = created.json.staff.id as string;
    expect((await admin.request('POST', `/api/staff/${id}/role`, { role: 'supervisor' })).json.staff.role).toBe('supervisor');
    expect((await admin.request('PUT', `/api/staff/${id}/events`, { events: [] })).json.staff.events).toEqual([]);
    expect((await admin.request('POST', `/api/staff/${id}/disable`)).json.staff.disabled).toBe(true);
    expect((await admin.request('POST', `/api/staff/${id}/password`, { newPassword: 'another-long-pass-2' })).status).toBe(200);
    const rows = (await audit(admin, `?target=${id}`)).reverse();
    expect(rows.map((r) => [r.action, r.before, r.after])).toEqual([
      ['staff.create', null, { id, username: 'wendy.usher', name: 'Wendy Usher', role: 'inspector', disabled: false, events: [DEMO_EVENT] }],
      ['staff.role', { role: 'inspector' }, { role: 'supervisor' }],
      ['staff.events', { events: [DEMO_EVENT] }, { events: [] }],
      ['staff.disable', { disabled: false }, { disabled: true }],
      ['staff.password', null, null],
    ]);
    expect(rows.every((r) => r.actor === 'i-admin' && r.eventId === null)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('another-long-pass-2');
    expect(await audit(supervisor, `?target=${id}`)).toEqual([]);
    // The list an admin manages from.
    const listed = (await admin.request('GET', '/api/staff')).json.staff.find((s: { id: string }) => s.id === id);
    expect(listed).toEqual({ id, username: 'wendy.usher', name: 'Wendy Usher', role: 'supervisor', disabled: true, events: [] });
  });
});
