// Supervisors' scan history: a page at a time for the console, all of it as CSV for a
// spreadsheet, and one ticket's whole story. Filters are one schema (shared/src/api/history.ts).
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { formatHistoryCursor, HISTORY_PAGE_MAX, zHistoryFilters, zHistoryPageQuery, type HistoryFilters, type HistoryReply, type TicketStoryReply } from '@gatekeeper/shared/api/history';
import { ticketId, type EventId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { historyCsv } from '../history/csv-export.ts';
import { withoutCodesUntilOpen } from '../wallet/code-window.ts';
import type { HistoryQuery } from '../storage/types.ts';
import { access } from './events.ts';
import { param, queryOf, type Env } from './context.ts';

const toQuery = (eventId: EventId, f: HistoryFilters): Omit<HistoryQuery, 'before' | 'limit'> => ({
  eventId, ticketId: f.ticket, orderId: f.order, holder: f.holder, checkpointId: f.checkpoint, inspectorId: f.inspector,
  deviceId: f.device, outcome: f.outcome, offline: f.offline, from: f.from, to: f.to,
});

export const historyRoutes = new Hono<Env>()
  // Pages of up to 500 rows shrink several times gzipped; small answers are left as they
  // are (hono/compress skips bodies under 1 kB).
  .get('/:eventId/history', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const q = queryOf(c, zHistoryPageQuery);
    const page = await c.var.deps.storage.history({ ...toQuery(eventId, q), limit: q.limit, ...(q.before ? { before: q.before } : {}) });
    return c.json({ scans: page.scans, next: page.next && formatHistoryCursor(page.next) } satisfies HistoryReply);
  })
  .get('/:eventId/history.csv', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const filters = queryOf(c, zHistoryFilters);
    const { storage } = c.var.deps;
    const event = await storage.getEvent(eventId);
    if (!event) throw new GkError('not_found', `no event ${eventId}`);
    const names = {
      timeZone: event.timeZone,
      checkpoints: new Map((await storage.listCheckpoints(eventId)).map((k) => [k.id, k])),
      staff: new Map((await storage.listStaff()).map((s) => [s.id, s])),
    };
    const stamp = new Date(c.var.deps.now()).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    return new Response(historyCsv(storage, toQuery(eventId, filters), names), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${eventId}-scans-${stamp}.csv"`,
        'cache-control': 'no-store',
      },
    });
  })
  .get('/:eventId/tickets/:ticketId/story', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const id = param(ticketId, c.req.param('ticketId'), 'ticket id');
    const { storage, now } = c.var.deps;
    const [ticket, page, conflicts, statuses] = await Promise.all([
      storage.getTicket(eventId, id).then(async (k) => (k ? (await withoutCodesUntilOpen(storage, eventId, now(), [k]))[0]! : null)),
      storage.history({ eventId, ticketId: id, limit: HISTORY_PAGE_MAX }),
      storage.listConflicts(eventId),
      // A ticket's status changes a handful of times; 500 is the audit's page.
      storage.listAudit(eventId, { action: 'ticket.status', target: id, limit: 500, withStaff: false }),
    ]);
    return c.json({
      ticket, scans: page.scans, next: page.next && formatHistoryCursor(page.next), conflicts: conflicts.filter((k) => k.ticketId === id),
      statusChanges: statuses.entries,
    } satisfies TicketStoryReply);
  });
