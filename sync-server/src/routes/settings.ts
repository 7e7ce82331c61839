// An event's settings from the console, each change audited (who, what, when, before and
// after): the code word of the day, and a ticket's status with the reason for it. The
// audit itself is read here too. Staff accounts are in staff.ts.
// Each change and its audit row are one transaction (the change's storage method takes the
// row): neither is ever kept without the other.
import { Hono } from 'hono';
import { decodeCode } from '@gatekeeper/shared/codec/index';
import { ticketId } from '@gatekeeper/shared/ids';
import {
  zAuditQuery, zCodeWordBody, zTicketStatusBody,
  type AuditReply, type CodeWordReply, type TicketFound, type TicketSearchReply, type TicketStatusReply,
} from '@gatekeeper/shared/api/settings';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { nodeEd25519Verifier } from '../scans/ed25519-node.ts';
import { withoutCodesUntilOpen } from '../wallet/code-window.ts';
import { access, ticketsChanged } from './events.ts';
import { jsonBody, param, queryOf, type Env } from './context.ts';
import type { Storage } from '../storage/types.ts';
import type { EventId } from '@gatekeeper/shared/ids';

const SEARCH_LIMIT = 50;
const verify = nodeEd25519Verifier();

/** What the console scanned or typed: a signed code (or its link) names its ticket or order; anything else is looked up as text. */
async function findTickets(storage: Storage, eventId: EventId, text: string, now: number): Promise<TicketFound[]> {
  const keys = await storage.listEventKeys(eventId);
  const decoded = decodeCode(text.trim(), { eventId, publicKeys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, revoked: k.revoked })), now, verify });
  if (decoded.ok && (decoded.kind === 'ticket' || decoded.kind === 'rotating')) return storage.searchTickets(eventId, decoded.ticketId, 1);
  if (decoded.ok && decoded.kind === 'order') return storage.searchTickets(eventId, decoded.orderId, SEARCH_LIMIT);
  return storage.searchTickets(eventId, text, SEARCH_LIMIT);
}

export const settingsRoutes = new Hono<Env>()
  .get('/:eventId/code-word', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    return c.json(await c.var.deps.codeWords.current(eventId) satisfies CodeWordReply);
  })
  .put('/:eventId/code-word', async (c) => {
    const { eventId, staff } = await access(c, 'supervisor');
    const body = await jsonBody(c, zCodeWordBody);
    const { codeWords, log } = c.var.deps;
    const after = 'rule' in body ? await codeWords.setRule(eventId, body.rule, staff.id) : await codeWords.setByHand(eventId, body.codeWord, staff.id);
    log.info('code word changed', { event: eventId, by: staff.id, drawn: after.rule !== null });
    return c.json(after satisfies CodeWordReply);
  })
  .get('/:eventId/tickets', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const q = (c.req.query('q') ?? '').trim();
    if (q.length === 0 || q.length > 2048) throw new GkError('bad_request', 'q: say what to look for (1 to 2048 characters)');
    const { storage, now } = c.var.deps;
    const tickets = await withoutCodesUntilOpen(storage, eventId, now(), await findTickets(storage, eventId, q, now()));
    return c.json({ tickets } satisfies TicketSearchReply);
  })
  .post('/:eventId/tickets/:ticketId/status', async (c) => {
    const { eventId, staff } = await access(c, 'supervisor');
    const tid = param(ticketId, c.req.param('ticketId'), 'ticket id');
    const { status, reason } = await jsonBody(c, zTicketStatusBody);
    const { storage, now, log } = c.var.deps;
    const [before] = await storage.searchTickets(eventId, tid, 1);
    if (!before || before.id !== tid) throw new GkError('not_found', `no ticket ${tid}`);
    await storage.setTicketStatus(eventId, tid, status, {
      eventId, actor: staff.id, action: 'ticket.status', target: tid, before: { status: before.status }, after: { status }, reason, at: now(),
    });
    log.info('ticket status set', { event: eventId, ticket: tid, from: before.status, to: status, by: staff.id });
    if (before.status !== status) await ticketsChanged(c, eventId);
    const [ticket] = await withoutCodesUntilOpen(storage, eventId, now(), [{ ...before, status }]);
    return c.json({ ticket: ticket! } satisfies TicketStatusReply);
  })
  .get('/:eventId/audit', async (c) => {
    const { eventId, staff } = await access(c, 'supervisor');
    const query = queryOf(c, zAuditQuery);
    return c.json(await c.var.deps.storage.listAudit(eventId, { ...query, withStaff: staff.role === 'admin' }) satisfies AuditReply);
  });
