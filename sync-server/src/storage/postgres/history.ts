// The supervisors' history of scans: newest first by when each scan happened, then seq,
// with optional filters, paged by `next` (sqlite/scan-reads.ts tells why each choice).
import { HISTORY_PAGE_MAX } from '@gatekeeper/shared/api/history';
import { HISTORY_EXPORT_PAGE_MAX, type HistoryEntry, type HistoryExportRow, type HistoryQuery, type Storage } from '../types.ts';
import type { Sql } from './db.ts';
import { nameSearch } from '../name-search.ts';
import { ticketsNamed } from './names.ts';
import { storedScanFromRow, type ScanRow } from '../rows.ts';
import { bits } from './row-sql.ts';

export type PgHistoryMethods = Pick<Storage, 'history' | 'historyExportRows'>;

/** Filters whose value is bound as it is, and the column each compares. */
const PLAIN_FILTERS = [
  ['ticketId', 's.ticket_id = '], ['orderId', 's.order_id = '], ['checkpointId', 's.checkpoint_id = '],
  ['inspectorId', 's.inspector_id = '], ['deviceId', 's.device_id = '], ['outcome', 's.outcome = '],
  ['offline', 's.offline = '], ['from', 's.at >= '], ['to', 's.at <= '],
] as const satisfies ReadonlyArray<readonly [keyof HistoryQuery, string]>;

/** The columns of HistoryExportRow, in its order; flags as 1 or 0. */
const EXPORT_COLUMNS = ['s.at', 's.outcome', 's.ticket_id', 's.order_id', 's.checkpoint_id', 's.direction', 's.inspector_id', 's.device_id',
  's.offline::int', 's.id_checked::int', 's.kind', 's.annuls', 's.quarantine', 's.id', 's.seq', 's.received_at'];

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)));

/**
 * A history query's filters as conditions on scans `s` and their parameters ($1 the
 * event); null when it can match nothing. Only the filters given become conditions: each
 * query shape gets a plan of its own (a catch-all `$x IS NULL OR col = $x` would read the
 * whole event).
 */
function historyWhere(query: Omit<HistoryQuery, 'limit'>): { where: string[]; params: unknown[] } | null {
  const params: unknown[] = [query.eventId];
  const bind = (v: unknown) => `$${params.push(v)}`;
  const where = ['s.event_id = $1'];
  for (const [k, condition] of PLAIN_FILTERS) {
    const v = query[k];
    if (v !== undefined && v !== null) where.push(`${condition}${bind(v)}`);
  }
  if (query.before) {
    const at = bind(query.before.at);
    where.push(`(s.at < ${at} OR (s.at = ${at} AND s.seq < ${bind(query.before.seq)}))`);
  }
  if (query.holder !== undefined) {
    const search = nameSearch(query.holder);
    if (search === null) return null;
    bind(search.text);
    where.push(`s.ticket_id IN (${ticketsNamed(search, params.length)})`);
  }
  return { where, params };
}

export function pgHistoryMethods(sql: Sql): PgHistoryMethods {
  return {
    async history(query: HistoryQuery) {
      const limit = clamp(query.limit, 1, HISTORY_PAGE_MAX);
      const shape = historyWhere(query);
      if (shape === null) return { scans: [], next: null };
      const { where, params } = shape;
      const holders = query.holders !== false;
      const rows = await sql.all<object & { holder: string | null }>(
        `SELECT s.*, ${holders ? 'coalesce(t.holder_name, o.buyer_name)' : 'NULL'} AS holder FROM scans s
         ${holders ? `LEFT JOIN tickets t ON t.event_id = s.event_id AND t.id = s.ticket_id
           LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id` : ''}
         WHERE ${where.join(' AND ')} ORDER BY s.at DESC, s.seq DESC LIMIT $${params.push(limit + 1)}`, params);
      const scans: HistoryEntry[] = rows.slice(0, limit).map((r) => ({ ...storedScanFromRow(bits<ScanRow>(r)), holder: r.holder }));
      const last = scans.at(-1);
      return { scans, next: rows.length > limit && last ? { at: last.scan.at, seq: last.seq } : null };
    },
    async historyExportRows(query) {
      const limit = clamp(query.limit, 1, HISTORY_EXPORT_PAGE_MAX);
      const shape = historyWhere(query);
      if (shape === null) return { rows: [], next: null };
      const { where, params } = shape;
      const columns = EXPORT_COLUMNS.map((c, i) => `${c} AS c${i}`).join(', ');
      const found = await sql.all<Record<string, unknown>>(
        `SELECT ${columns} FROM scans s WHERE ${where.join(' AND ')} ORDER BY s.at DESC, s.seq DESC LIMIT $${params.push(limit + 1)}`, params);
      const rows = found.slice(0, limit).map((r) => EXPORT_COLUMNS.map((_, i) => r[`c${i}`]) as unknown as HistoryExportRow);
      const last = rows.at(-1);
      return { rows, next: found.length > limit && last ? { at: last[0], seq: last[14] } : null };
    },
  };
}
