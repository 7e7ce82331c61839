// The supervisors' live view and conflict inbox over HTTP: the first snapshot of the
// counters (the socket's `liveSubscribe` then sends deltas), the conflicts newest first with
// their reviews, and a review. Quarantined scans and device alerts, the inbox's other
// entries, are listed at GET …/quarantine (scans.ts).
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { zReviewBody, type ConflictListReply, type LiveReply, type ReviewReply } from '@gatekeeper/shared/api/live';
import { scanId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { access } from './events.ts';
import { jsonBody, param, type Env } from './context.ts';

export const liveRoutes = new Hono<Env>()
  .get('/:eventId/live', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c, 'supervisor');
    return c.json(await c.var.deps.live.snapshot(eventId) satisfies LiveReply);
  })
  .get('/:eventId/conflicts', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c, 'supervisor');
    return c.json({ conflicts: await c.var.deps.storage.conflictInbox(eventId) } satisfies ConflictListReply);
  })
  // Reviewing changes nothing about who got in: it records that a supervisor looked, and
  // what they found. Every review is kept (the storage's conflict_reviews), and logged.
  .post('/:eventId/conflicts/:conflictId/review', async (c) => {
    const { eventId, staff } = await access(c, 'supervisor');
    const conflictId = param(scanId, c.req.param('conflictId'), 'conflict id');
    const { note } = await jsonBody(c, zReviewBody);
    const { storage, live, log, now } = c.var.deps;
    const conflict = await storage.reviewConflict(eventId, conflictId, { by: staff.id, at: now(), note });
    if (!conflict?.review) throw new GkError('not_found', `no conflict ${conflictId} in event ${eventId}`);
    log.info('conflict reviewed', { event: eventId, conflict: conflictId, by: staff.id, role: staff.role, note });
    live.reviewed(eventId, conflictId, conflict.review);
    return c.json({ conflict } satisfies ReviewReply);
  });
