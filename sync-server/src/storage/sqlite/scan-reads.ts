// Reading scans: one ticket's set, the event's log by cursor (catch-up and gossip), the
// supervisors' history with filters, and the conflict inbox.
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import type { HistoryQuery, StoredScan, Storage } from '../types.ts';
import type Database from 'better-sqlite3';
import type { Db } from './db.ts';
import { CONFLICT_SELECT, conflictFromRow, scanFromRow, storedScanFromRow, type ConflictRow, type ScanRow } from './rows.ts';

export type ScanReadMethods = Pick<Storage, 'ticketScans' | 'scansAfter' | 'latestCursor' | 'scanLogId' | 'history' | 'listConflicts' | 'quarantined' | 'getScan'>;

/** Most rows one history page returns, whatever the caller asks: a page is for a screen. */
export const HISTORY_MAX_LIMIT = 500;

// Each optional filter of HistoryQuery and the condition it adds. A query's shape is the
// set of filters it uses; one statement is prepared per shape, on first use, so that
// every shape gets a plan that uses its own index (an `@x IS NULL OR col = @x` catch-all
// would scan the whole event instead).
const FILTERS = [
  ['ticketId', 'ticket_id = @ticketId'],
  ['orderId', 'order_id = @orderId'],
  ['checkpointId', 'checkpoint_id = @checkpointId'],
  ['inspectorId', 'inspector_id = @inspectorId'],
  ['deviceId', 'device_id = @deviceId'],
  ['outcome', 'outcome = @outcome'],
  ['from', 'at >= @from'],
  ['to', 'at <= @to'],
  ['before', 'seq < @before'],
] as const satisfies ReadonlyArray<readonly [keyof HistoryQuery, string]>;

type HistoryParams = Record<string, string | number>;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)));

export function scanReadMethods(db: Db): ScanReadMethods {
  let logId: string | null = null;
  const q = {
    ofTicket: db.prepare<[string, string], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND ticket_id = ? ORDER BY seq'),
    byId: db.prepare<[string, string], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND id = ?'),
    after: db.prepare<[string, number, number], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    latest: db.prepare<[string], { seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM scans WHERE event_id = ?'),
    conflicts: db.prepare<[string], ConflictRow>(`${CONFLICT_SELECT} WHERE c.event_id = ? ORDER BY c.created_at, c.rowid`),
    quarantined: db.prepare<[string, number, number], ScanRow>(
      'SELECT * FROM scans WHERE event_id = ? AND quarantine IS NOT NULL AND seq < ? ORDER BY seq DESC LIMIT ?'),
  };

  const historyStatements = new Map<string, Database.Statement<[HistoryParams], ScanRow>>();
  const historyStatement = (used: readonly string[]) => {
    const key = used.join(',');
    let stmt = historyStatements.get(key);
    if (!stmt) {
      const where = ['event_id = @eventId', ...FILTERS.filter(([k]) => used.includes(k)).map(([, sql]) => sql)];
      stmt = db.prepare<[HistoryParams], ScanRow>(`SELECT * FROM scans WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`);
      historyStatements.set(key, stmt);
    }
    return stmt;
  };

  /** Read one more row than asked: whether it exists says if another page follows. */
  const page = (rows: ScanRow[], limit: number) => ({ rows: rows.slice(0, limit), more: rows.length > limit });

  return {
    async ticketScans(eventId: EventId, ticketId: TicketId) {
      return q.ofTicket.all(eventId, ticketId).map(scanFromRow);
    },
    async getScan(eventId, id) {
      const row = q.byId.get(eventId, id);
      return row ? storedScanFromRow(row) : null;
    },
    async scansAfter(eventId, cursor, limit) {
      const n = Math.max(1, Math.floor(limit));
      const { rows, more } = page(q.after.all(eventId, cursor, n + 1), n);
      const scans: StoredScan[] = rows.map(storedScanFromRow);
      return { scans, cursor: scans.at(-1)?.seq ?? cursor, more };
    },
    async latestCursor(eventId) {
      return q.latest.get(eventId)?.seq ?? 0;
    },
    async scanLogId() {
      // Made by migration 4 and never changed: read once per connection.
      logId ??= (db.prepare('SELECT log_id FROM scan_log WHERE one = 1').pluck().get() as string | undefined) ?? null;
      if (logId === null) throw new Error('the database has no scan log id (migration 4 did not run)');
      return logId;
    },
    async history(query: HistoryQuery) {
      const limit = clamp(query.limit, 1, HISTORY_MAX_LIMIT);
      const params: HistoryParams = { eventId: query.eventId, limit: limit + 1 };
      const used: string[] = [];
      for (const [k] of FILTERS) {
        const v = query[k];
        if (v === undefined || v === null) continue;
        used.push(k);
        params[k] = v;
      }
      const { rows, more } = page(historyStatement(used).all(params), limit);
      const scans = rows.map(storedScanFromRow);
      return { scans, next: more ? (scans.at(-1)?.seq ?? null) : null };
    },
    async listConflicts(eventId) {
      return q.conflicts.all(eventId).map(conflictFromRow);
    },
    async quarantined(eventId, { before, limit }) {
      const n = clamp(limit, 1, HISTORY_MAX_LIMIT);
      const { rows, more } = page(q.quarantined.all(eventId, before ?? Number.MAX_SAFE_INTEGER, n + 1), n);
      const scans = rows.map(storedScanFromRow);
      return { scans, next: more ? (scans.at(-1)?.seq ?? null) : null };
    },
  };
}
