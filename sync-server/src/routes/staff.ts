// Staff accounts: one's own password and sessions, and an admin's management of everyone
// else's (create, role, events, disable, password reset), each change audited: who, what,
// when, before and after (never a password or its hash), in the change's own transaction. Whatever takes an account away
// from someone (disable, a password reset, a lower role, "sign out everywhere") ends their
// sessions in storage and closes their sockets at once: a stolen phone or a former
// volunteer must not keep scanning until a session expires.
import { Hono } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { z } from 'zod';
import {
  zCreateStaffBody, zRoleBody, zStaffEventsBody, type AuditAction, type AuditValue, type StaffInfo, type StaffListReply, type StaffReply,
} from '@gatekeeper/shared/api/settings';
import { inspectorId, newId, type EventId, type InspectorId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { checkNewPassword, MAX_PASSWORD_LENGTH } from '../auth/password-policy.ts';
import { requireRole } from '../auth/roles.ts';
import { hashToken, SESSION_COOKIE } from '../auth/sessions.ts';
import type { AuditRecord, StaffRecord } from '../storage/types.ts';
import { checkPassword, refuseIfThrottled } from './auth.ts';
import { clientAddress, jsonBody, param, staffOf, type Ctx, type Env } from './context.ts';

const zPassword = z.string().min(1).max(MAX_PASSWORD_LENGTH);
const zOwnChange = z.object({ currentPassword: zPassword, newPassword: zPassword });
const zReset = z.object({ newPassword: zPassword });

const staffView = (s: StaffRecord, events: readonly EventId[]): StaffInfo =>
  ({ id: s.id, username: s.username, name: s.name, role: s.role, disabled: s.disabled, events: [...events] });

const RANK = { inspector: 1, supervisor: 2, admin: 3 } as const;

async function viewOf(c: Ctx, s: StaffRecord): Promise<StaffInfo> {
  return staffView(s, (await c.var.deps.storage.listStaffEvents()).get(s.id) ?? []);
}

/** The audit row of a change to a staff account (no event: it holds in every event). */
function audit(c: Ctx, actor: StaffRecord, action: AuditAction, target: InspectorId, before: AuditValue, after: AuditValue): AuditRecord {
  return { eventId: null, actor: actor.id, action, target, before, after, reason: null, at: c.var.deps.now() };
}

/** The events as storage lists them: each once, in order. */
const eventList = (events: readonly EventId[]): EventId[] => [...new Set(events)].sort();

async function admin(c: Ctx): Promise<StaffRecord> {
  const me = await staffOf(c);
  requireRole(me, 'admin');
  return me;
}

async function target(c: Ctx): Promise<StaffRecord> {
  const id = param(inspectorId, c.req.param('staffId'), 'staff id');
  const staff = await c.var.deps.storage.getStaff(id);
  if (!staff) throw new GkError('not_found', `no staff ${id}`);
  return staff;
}

/** End every session of `id` (but `keep`) and close their sockets. */
async function signOut(c: Ctx, id: InspectorId): Promise<number> {
  const { storage, push, log } = c.var.deps;
  const ended = await storage.deleteStaffSessions(id);
  push.closeStaff(id);
  log.info('staff signed out everywhere', { inspector: id, sessions: ended });
  return ended;
}

export const staffRoutes = new Hono<Env>()
  .post('/me/password', async (c) => {
    const me = await staffOf(c);
    const { currentPassword, newPassword } = await jsonBody(c, zOwnChange);
    const { storage, logins, log } = c.var.deps;
    const address = clientAddress(c);
    // A stolen session must not become a way to guess the password unthrottled.
    refuseIfThrottled(c, logins.reserve(me.username, address));
    if (!(await checkPassword(c, currentPassword, me.passwordHash, () => logins.notTried(me.username, address)))) {
      throw new GkError('forbidden', 'the current password is wrong');
    }
    logins.succeeded(me.username, address);
    checkNewPassword(newPassword);
    await storage.setStaffPassword(me.id, await c.var.deps.hashing.hash(newPassword));
    // Every other session ends (a leaked password is the usual reason to change it); this
    // one stays, so the phone in hand keeps working.
    const ended = await storage.deleteStaffSessions(me.id, hashToken(getCookie(c, SESSION_COOKIE)!));
    log.info('password changed', { inspector: me.id, otherSessionsEnded: ended });
    return c.json({ otherSessionsEnded: ended });
  })
  .post('/me/sign-out-everywhere', async (c) => {
    const me = await staffOf(c);
    const ended = await signOut(c, me.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ sessionsEnded: ended });
  })
  .get('/staff', async (c) => {
    await admin(c);
    const { storage } = c.var.deps;
    const events = await storage.listStaffEvents();
    return c.json({ staff: (await storage.listStaff()).map((s) => staffView(s, events.get(s.id) ?? [])) } satisfies StaffListReply);
  })
  .post('/staff', async (c) => {
    const me = await admin(c);
    const body = await jsonBody(c, zCreateStaffBody);
    const { storage, hashing, log } = c.var.deps;
    if (await storage.getStaffByUsername(body.username)) throw new GkError('bad_request', `the username ${body.username} is taken`);
    checkNewPassword(body.password);
    const staff: StaffRecord = {
      id: inspectorId(newId('i-')), username: body.username, name: body.name, role: body.role, passwordHash: await hashing.hash(body.password), disabled: false,
    };
    const view = staffView(staff, eventList(body.events));
    await storage.createStaff(staff, body.events, audit(c, me, 'staff.create', staff.id, null, view));
    log.info('staff created', { inspector: staff.id, role: staff.role, by: me.id });
    return c.json({ staff: view } satisfies StaffReply, 201);
  })
  .post('/staff/:staffId/role', async (c) => {
    const me = await admin(c);
    const who = await target(c);
    const { role } = await jsonBody(c, zRoleBody);
    // An admin demoting themself could leave nobody to undo it.
    if (who.id === me.id && role !== who.role) throw new GkError('bad_request', 'you cannot change your own role');
    await c.var.deps.storage.setStaffRole(who.id, role, audit(c, me, 'staff.role', who.id, { role: who.role }, { role }));
    c.var.deps.log.info('staff role set', { inspector: who.id, from: who.role, to: role, by: me.id });
    // Less power takes effect now: sessions opened with the old role end.
    if (RANK[role] < RANK[who.role]) await signOut(c, who.id);
    return c.json({ staff: await viewOf(c, { ...who, role }) } satisfies StaffReply);
  })
  .put('/staff/:staffId/events', async (c) => {
    const me = await admin(c);
    const who = await target(c);
    const { events } = await jsonBody(c, zStaffEventsBody);
    const { storage, log } = c.var.deps;
    const before = (await storage.listStaffEvents()).get(who.id) ?? [];
    const view = staffView(who, eventList(events));
    await storage.setStaffEvents(who.id, events, audit(c, me, 'staff.events', who.id, { events: before }, { events: view.events }));
    log.info('staff events set', { inspector: who.id, events: view.events, by: me.id });
    return c.json({ staff: view } satisfies StaffReply);
  })
  .post('/staff/:staffId/password', async (c) => {
    const me = await admin(c);
    const who = await target(c);
    const { newPassword } = await jsonBody(c, zReset);
    checkNewPassword(newPassword);
    // The password itself is never recorded: only that it was reset.
    await c.var.deps.storage.setStaffPassword(who.id, await c.var.deps.hashing.hash(newPassword), audit(c, me, 'staff.password', who.id, null, null));
    c.var.deps.log.info('password reset', { inspector: who.id, by: me.id });
    return c.json({ sessionsEnded: await signOut(c, who.id) });
  })
  .post('/staff/:staffId/disable', async (c) => {
    const me = await admin(c);
    const who = await target(c);
    // An admin disabling themself could leave nobody to undo it.
    if (who.id === me.id) throw new GkError('bad_request', 'you cannot disable your own account');
    await c.var.deps.storage.setStaffDisabled(who.id, true, audit(c, me, 'staff.disable', who.id, { disabled: who.disabled }, { disabled: true }));
    c.var.deps.log.info('staff disabled', { inspector: who.id, by: me.id });
    return c.json({ staff: await viewOf(c, { ...who, disabled: true }), sessionsEnded: await signOut(c, who.id) });
  })
  .post('/staff/:staffId/enable', async (c) => {
    const me = await admin(c);
    const who = await target(c);
    await c.var.deps.storage.setStaffDisabled(who.id, false, audit(c, me, 'staff.enable', who.id, { disabled: who.disabled }, { disabled: false }));
    c.var.deps.log.info('staff enabled', { inspector: who.id, by: me.id });
    return c.json({ staff: await viewOf(c, { ...who, disabled: false }) });
  })
  .post('/staff/:staffId/unlock', async (c) => {
    const me = await admin(c);
    const who = await target(c);
    const lifted = c.var.deps.logins.unlock(who.username);
    c.var.deps.log.info('logins unlocked', { inspector: who.id, by: me.id, lifted });
    return c.json({ lifted });
  });
