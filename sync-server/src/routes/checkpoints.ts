// Checkpoints and their rules (mode, zone, ticket types, time window), and the dry run:
// what a scanner at a checkpoint would answer for a ticket at a time, decided by the same
// shared rule the scanners and the online path use (decideAdmission). Every change is
// audited with the checkpoint before and after. Phones of protocol 13 are told at once
// (`checkpointsChanged`) and fetch the manifest, which, full or delta, carries every
// checkpoint; older phones take the new rules with their next periodic manifest download.
import { Hono } from 'hono';
import { decideAdmission } from '@gatekeeper/shared/admission';
import { zDryRunRequest, type CheckpointReply, type DryRunReply } from '@gatekeeper/shared/api/checkpoints';
import { zCheckpoint } from '@gatekeeper/shared/domain';
import { checkpointId } from '@gatekeeper/shared/ids';
import { CHECKPOINTS_CHANGED_SINCE, GkError } from '@gatekeeper/shared/protocol/index';
import { withExplanation } from '@gatekeeper/shared/reasons';
import { access } from './events.ts';
import { jsonBody, param, type Env } from './context.ts';

const sameRules = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export const checkpointRoutes = new Hono<Env>()
  .put('/:eventId/checkpoints/:checkpointId', async (c) => {
    const { eventId, staff } = await access(c, 'supervisor');
    const cp = await jsonBody(c, zCheckpoint);
    if (cp.eventId !== eventId || cp.id !== param(checkpointId, c.req.param('checkpointId'), 'checkpoint id')) {
      throw new GkError('bad_request', 'the body names another event or checkpoint than the path');
    }
    // A window that closes before it opens refuses every ticket: a typo, not a rule.
    if (cp.validFrom !== null && cp.validUntil !== null && cp.validUntil < cp.validFrom) {
      throw new GkError('bad_request', 'validUntil: the window closes before it opens');
    }
    const { storage, push, now, log } = c.var.deps;
    const before = await storage.getCheckpoint(eventId, cp.id);
    const changed = !sameRules(before, cp);
    await storage.upsertCheckpoint(cp, changed ? {
      eventId, actor: staff.id, action: before ? 'checkpoint.update' : 'checkpoint.create', target: cp.id, before, after: cp, reason: null, at: now(),
    } : undefined);
    if (changed) {
      log.info('checkpoint saved', { event: eventId, checkpoint: cp.id, by: staff.id });
      push.broadcast(eventId, { type: 'checkpointsChanged', eventId }, CHECKPOINTS_CHANGED_SINCE);
    }
    return c.json({ checkpoint: cp, created: before === null } satisfies CheckpointReply);
  })
  .post('/:eventId/dry-run', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const { ticketId, checkpoint, at, direction } = await jsonBody(c, zDryRunRequest);
    if (checkpoint.eventId !== eventId) throw new GkError('bad_request', 'the checkpoint belongs to another event');
    const { storage } = c.var.deps;
    const ticket = await storage.getTicket(eventId, ticketId);
    if (!ticket) throw new GkError('not_found', `no ticket ${ticketId} in event ${eventId}`);
    const scans = await storage.ticketScans(eventId, ticketId);
    const names = new Map((await storage.listCheckpoints(eventId)).map((x) => [x.id as string, x.name]));
    names.set(checkpoint.id, checkpoint.name);
    const verdict = decideAdmission(ticket, checkpoint, scans, at, { direction, idChecked: false, offline: false });
    const { id, type, status, holderName, validFrom, validUntil, idCheck } = ticket;
    return c.json({
      verdict: withExplanation(verdict, { checkpointName: (x) => names.get(x) }),
      ticket: { id, type, status, holderName, validFrom, validUntil, idCheck },
      priorScans: scans.length,
    } satisfies DryRunReply);
  });
