// Events and what a scanner needs of them: the manifest, staff and ticket codes.
// Checkpoints' rules are in checkpoints.ts, ticket imports in imports.ts, and the code
// word and ticket status, set from the console, in settings.ts.
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { z } from 'zod';
import { zCheckpoint } from '@gatekeeper/shared/domain';
import { eventId, inspectorId, newId, orderId, ticketId, type EventId } from '@gatekeeper/shared/ids';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import { TICKET_COLUMNS, ticketToRow, toManifestOrder, zEvent, type Manifest } from '@gatekeeper/shared/manifest';
import type { EventDetailsReply, EventListReply, OrderCodeReply, TicketCodeReply } from '@gatekeeper/shared/api/index';
import { GkError, TICKETS_CHANGED_SINCE, zRole } from '@gatekeeper/shared/protocol/index';
import { requireEventAccess, requireRole } from '../auth/roles.ts';
import type { StaffRecord } from '../storage/types.ts';
import { publicStaff, visibleEvents } from './auth.ts';
import { checkNewPassword } from '../auth/password-policy.ts';
import { requireCodesOpen } from '../wallet/code-window.ts';
import { jsonBody, loginOf, param, sessionDevice, staffOf, type Ctx, type Env } from './context.ts';

const eventOf = (c: Ctx) => param(eventId, c.req.param('eventId'), 'event id');

/** Resolve the caller and check they may act on the path's event with at least `role`. */
async function access(c: Ctx, role: 'inspector' | 'supervisor' | 'admin' = 'inspector') {
  const { staff, session } = await loginOf(c);
  const id = eventOf(c);
  await requireEventAccess(c.var.deps.storage, staff, id, role);
  return { staff, session, eventId: id };
}

/**
 * The event's tickets changed: phones of protocol 11 or later fetch the manifest's changes
 * at once (a ticket blocked a minute ago must be refused offline too), and the live view's
 * count of tickets sold is read again, in the background: the answer does not wait for it.
 */
async function ticketsChanged(c: Ctx, id: EventId): Promise<void> {
  const { storage, push, live, log } = c.var.deps;
  const { version } = await storage.changesSince(id, Number.MAX_SAFE_INTEGER);
  push.broadcast(id, { type: 'ticketsChanged', eventId: id, version }, TICKETS_CHANGED_SINCE);
  void live.ticketsChanged(id).catch((e: unknown) => log.warn('could not recount tickets for the live view', { event: id, err: String(e) }));
}

const zCreateEvent = z.object({ event: zEvent, checkpoints: z.array(zCheckpoint).max(200).default([]) });
const zStaffBody = z.object({ username: z.string().regex(/^[a-z0-9._-]{2,64}$/), name: z.string().min(1).max(80), password: z.string().min(8).max(256), role: zRole });

export const eventRoutes = new Hono<Env>()
  .get('/', async (c) => c.json({ events: await visibleEvents(c.var.deps.storage, await staffOf(c)) } satisfies EventListReply))
  .post('/', async (c) => {
    requireRole(await staffOf(c), 'admin');
    const { event, checkpoints } = await jsonBody(c, zCreateEvent);
    const { storage, issuer } = c.var.deps;
    if (await storage.getEvent(event.id)) throw new GkError('bad_request', `event ${event.id} exists already`);
    if (checkpoints.some((cp) => cp.eventId !== event.id)) throw new GkError('bad_request', 'every checkpoint must belong to the new event');
    await storage.createEvent(event);
    for (const cp of checkpoints) await storage.upsertCheckpoint(cp);
    await issuer.ensureKey(event.id);
    return c.json({ event, checkpoints }, 201);
  })
  .get('/:eventId', async (c) => {
    const { eventId: id } = await access(c);
    const { storage } = c.var.deps;
    const event = await storage.getEvent(id);
    if (!event) throw new GkError('not_found', `no event ${id}`);
    return c.json({ event, checkpoints: await storage.listCheckpoints(id), codeWord: await storage.getCodeWord(id) } satisfies EventDetailsReply);
  })
  .post('/:eventId/staff', async (c) => {
    const { eventId: id, staff: me } = await access(c, 'admin');
    const body = await jsonBody(c, zStaffBody);
    const { storage, now } = c.var.deps;
    const found = await storage.getStaffByUsername(body.username);
    if (!found) {
      checkNewPassword(body.password);
      const passwordHash = await c.var.deps.hashing.hash(body.password);
      const staff: StaffRecord = { id: inspectorId(newId('i-')), username: body.username, name: body.name, role: body.role, passwordHash, disabled: false };
      const view = { username: staff.username, name: staff.name, role: staff.role, disabled: staff.disabled, events: [id] };
      await storage.createStaff(staff, [id], { eventId: null, actor: me.id, action: 'staff.create', target: staff.id, before: null, after: view, reason: null, at: now() });
      return c.json({ inspector: publicStaff(staff) }, 201);
    }
    const before = (await storage.listStaffEvents()).get(found.id) ?? [];
    if (!before.includes(id)) {
      const after = [...before, id].sort();
      await storage.assignStaff(id, found.id, { eventId: null, actor: me.id, action: 'staff.events', target: found.id, before: { events: before }, after: { events: after }, reason: null, at: now() });
    }
    return c.json({ inspector: publicStaff(found) }, 201);
  })
  // Gzipped for clients that accept it (every browser): 100,000 tickets are ~9 MB of JSON and
  // ~1.5 MB gzipped, which is the difference on a venue's crowded Wi-Fi.
  .get('/:eventId/manifest', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId: id, session } = await access(c);
    // The event's tickets go to a registered phone only: a session whose phone was
    // revoked (or that never registered one) downloads nothing.
    await sessionDevice(c, session);
    const { storage, issuer } = c.var.deps;
    const since = Number(c.req.query('since') ?? 0);
    if (!Number.isInteger(since) || since < 0) throw new GkError('bad_request', 'since must be a change number');
    const importedCodeKey = await issuer.importedCodeKey(id);
    const hashCode = importedCodeHasher(importedCodeKey);
    const [event, changes, checkpoints, keys, staff, codeWord, devices, measures] = await Promise.all([
      storage.getEvent(id), storage.changesSince(id, since), storage.listCheckpoints(id),
      storage.listEventKeys(id), storage.listEventStaff(id), storage.getCodeWord(id), storage.listDevices(), storage.getMeasures(id),
    ]);
    const staffIds = new Set(staff.map((s) => s.id));
    const manifest: Manifest = {
      event: event!, version: changes.version, delta: since > 0, checkpoints,
      publicKeys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, revoked: k.revoked })),
      staff: staff.map((s) => ({ id: s.id, name: s.name })),
      devices: devices.filter((d) => staffIds.has(d.inspectorId)).map((d) => ({ id: d.id, name: d.name })),
      codeWord, importedCodeKey, orders: changes.orders.map(toManifestOrder),
      columns: [...TICKET_COLUMNS], tickets: changes.tickets.map((t) => ticketToRow(t, hashCode)),
      revoked: changes.tickets.filter((t) => t.status === 'revoked').map((t) => t.id),
      revokedCertificates: changes.revokedCertificates, rotatingLeewayMs: issuer.rotatingLeewayMs,
      verifiedDeviceOnly: measures.verifiedDevice,
    };
    return c.json(manifest);
  })
  .get('/:eventId/tickets/:ticketId/code', async (c) => {
    const { eventId: id } = await access(c, 'supervisor');
    await requireCodesOpen(c.var.deps.storage, id, c.var.deps.now());
    const ticket = await c.var.deps.storage.getTicket(id, param(ticketId, c.req.param('ticketId'), 'ticket id'));
    if (!ticket) throw new GkError('not_found', 'no such ticket');
    // importedCode: the barcode itself, for supervisors printing a test ticket (phones
    // get only its hash in the manifest).
    return c.json({ ...(await c.var.deps.issuer.ticketCode(ticket)), importedCode: ticket.importedCode } satisfies TicketCodeReply);
  })
  .get('/:eventId/orders/:orderId/code', async (c) => {
    const { eventId: id } = await access(c, 'supervisor');
    await requireCodesOpen(c.var.deps.storage, id, c.var.deps.now());
    return c.json(await c.var.deps.issuer.orderCode(id, param(orderId, c.req.param('orderId'), 'order id')) satisfies OrderCodeReply);
  });

export { access, ticketsChanged };
