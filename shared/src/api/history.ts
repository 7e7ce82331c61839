// Supervisors' scan history: the filters (one query string, read by the server and
// written by the console, so both agree on every name), a page of it, and the cursor
// that fetches the next page.
import { z } from 'zod';
import { zConflict, zScan, zTicket } from '../domain.ts';
import { zId, type CheckpointId, type DeviceId, type InspectorId, type OrderId, type TicketId } from '../ids.ts';
import { OUTCOMES } from '../outcomes.ts';
import { zAuditEntry } from './settings.ts';

/** Most rows a page holds, whatever is asked: a page is for a screen. */
export const HISTORY_PAGE_MAX = 500;
export const HISTORY_PAGE_DEFAULT = 100;

/** Where a page ended: the last scan's `at` and seq (pages run newest first by `at`). */
export interface HistoryCursor { at: number; seq: number }

const CURSOR = /^(\d{1,16})_(\d{1,16})$/;
export const formatHistoryCursor = (c: HistoryCursor): string => `${c.at}_${c.seq}`;
export function parseHistoryCursor(text: string): HistoryCursor | null {
  const m = CURSOR.exec(text);
  if (!m) return null;
  const at = Number(m[1]);
  const seq = Number(m[2]);
  return Number.isSafeInteger(at) && Number.isSafeInteger(seq) ? { at, seq } : null;
}

const epochMs = z.coerce.number().int().min(0).max(8.64e15);

/**
 * GET /api/events/:eventId/history (and history.csv): every filter optional, combined
 * with AND. `holder` is part of the holder's or buyer's name, in any case and accents;
 * `from` and `to` bound the scan's time, inclusive, in epoch ms.
 */
export const zHistoryFilters = z.object({
  ticket: zId<TicketId>().optional(),
  order: zId<OrderId>().optional(),
  holder: z.string().trim().min(1).max(100).optional(),
  checkpoint: zId<CheckpointId>().optional(),
  inspector: zId<InspectorId>().optional(),
  device: zId<DeviceId>().optional(),
  outcome: z.enum(OUTCOMES).optional(),
  /** `true`: only scans made offline; `false`: only scans decided online. */
  offline: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
});
export type HistoryFilters = z.output<typeof zHistoryFilters>;

/** A page's query: the filters, the cursor of the page before, and its size. */
export const zHistoryPageQuery = zHistoryFilters.extend({
  before: z.string().transform((v, ctx) => parseHistoryCursor(v) ?? (ctx.addIssue({ code: 'custom', message: 'not a history cursor' }), z.NEVER)).optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(HISTORY_PAGE_DEFAULT),
});

/** The filters as a query string, as the server reads them (empty ones left out). */
export function historySearch(filters: z.input<typeof zHistoryFilters> & { before?: string; limit?: number }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '') params.set(k, String(v));
  return params.toString();
}

/** One row: the scan as stored, its place in the log, and the name it was for. */
export const zHistoryEntry = z.object({
  seq: z.number().int(),
  receivedAt: z.number().int(),
  scan: zScan,
  /** The ticket's holder, else its order's buyer; null when neither is known. */
  holder: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof zHistoryEntry>;

export const zHistoryReply = z.object({
  scans: z.array(zHistoryEntry),
  /** The next page's `before`, or null on the last page. */
  next: z.string().nullable(),
});
export type HistoryReply = z.infer<typeof zHistoryReply>;

/**
 * GET /api/events/:eventId/tickets/:ticketId/story: everything that happened to one
 * ticket, for the supervisor who opens a history row: its scans newest first, as in
 * history (annulments and quarantined ones included), its conflicts, and its status
 * changes (the audit's `ticket.status` rows: who, when, from what to what, why), newest
 * first. A ticket with more scans than a page (a bar's) pages on through history with
 * `ticket` and `next`.
 */
export const zTicketStoryReply = z.object({
  ticket: zTicket.nullable(),
  scans: z.array(zHistoryEntry),
  next: z.string().nullable(),
  conflicts: z.array(zConflict),
  statusChanges: z.array(zAuditEntry),
});
export type TicketStoryReply = z.infer<typeof zTicketStoryReply>;
