// Reading scans: one ticket's set, the event's log by cursor (catch-up and gossip), the
// supervisors' history with filters, and the conflict inbox.
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import { HISTORY_PAGE_MAX } from '@gatekeeper/shared/api/history';
import { HISTORY_EXPORT_PAGE_MAX, type HistoryEntry, type HistoryExportRow, type HistoryQuery, type StoredScan, type Storage } from '../types.ts';
import type Database from 'better-sqlite3';
import type { Db } from './db.ts';
import { CONFLICT_SELECT, conflictFromRow, scanFromRow, storedScanFromRow, type ConflictRow, type ScanRow } from '../rows.ts';
import { nameSearch, type NameSearch } from '../name-search.ts';

export type ScanReadMethods = Pick<Storage, 'ticketScans' | 'scansAfter' | 'latestCursor' | 'scanLogId' | 'history' | 'historyExportRows' | 'listConflicts' | 'quarantined' | 'getScan'>;


// Each optional filter of HistoryQuery and the condition it adds. A query's shape is the
// set of filters it uses; one statement is prepared per shape, on first use, so that
// every shape gets a plan that uses its own index (an `@x IS NULL OR col = @x` catch-all
// would scan the whole event instead). Pages run newest first by `at`, then seq: the
// filter indexes end in `at` (migration 6), so a page is one walk down one index.
const FILTERS = [
  ['ticketId', 's.ticket_id = @ticketId'],
  ['orderId', 's.order_id = @orderId'],
  ['checkpointId', 's.checkpoint_id = @checkpointId'],
  ['inspectorId', 's.inspector_id = @inspectorId'],
  ['deviceId', 's.device_id = @deviceId'],
  ['outcome', 's.outcome = @outcome'],
  ['offline', 's.offline = @offline'],
  ['from', 's.at >= @from'],
  ['to', 's.at <= @to'],
  ['before', '(s.at < @beforeAt OR (s.at = @beforeAt AND s.seq < @beforeSeq))'],
  // The names matched first (ticket_names_search): a few tickets are read through the
  // ticket index and sorted; many are better found walking the event newest first, so
  // the `+` keeps SQLite from taking the ticket index for them (HOLDER_FEW_TICKETS).
  ['holderFew', 's.ticket_id IN (SELECT ticket_id FROM matched_names)'],
  ['holderMany', '+s.ticket_id IN (SELECT ticket_id FROM matched_names)'],
] as const;

/** Filters whose value is bound as it is. */
const PLAIN_FILTERS = ['ticketId', 'orderId', 'checkpointId', 'inspectorId', 'deviceId', 'outcome', 'from', 'to'] as const satisfies ReadonlyArray<keyof HistoryQuery>;

/**
 * Up to this many tickets named like the holder filter: read by ticket, then sorted. Both
 * ways read only an index (migration 10); on 1,000,000 scans of 100,000 tickets reading by
 * ticket costs ~5 µs a ticket, the walk ~0.3 µs a scan until it has its page, and they
 * cross at about 600 tickets (server.history in bench/README.md).
 */
const HOLDER_FEW_TICKETS = 500;

/** The holder filter's name search (storage/name-search.ts) as an FTS5 query of the index it uses. */
export function ftsNameQuery(search: NameSearch): { kind: NameIndex; param: string } {
  const quoted = `"${search.text.replaceAll('"', '""')}"`;
  return search.kind === 'part' ? { kind: 'phrase', param: quoted } : { kind: 'prefix', param: `${quoted}*` };
}

/** ticket_names_search (trigrams, migration 6) or ticket_name_words (word prefixes, migration 16). */
export type NameIndex = 'phrase' | 'prefix';
export const NAME_INDEX: Record<NameIndex, string> = { phrase: 'ticket_names_search', prefix: 'ticket_name_words' };

const matchedNames = (kind: NameIndex) => `WITH matched_names AS (
  SELECT n.ticket_id FROM ${NAME_INDEX[kind]} f JOIN ticket_names n ON n.id = f.rowid
  WHERE ${NAME_INDEX[kind]} MATCH @holder AND n.event_id = @eventId)`;

type HistoryParams = Record<string, string | number>;
type HistoryRow = ScanRow & { holder: string | null };

/** The columns of HistoryExportRow, in its order. */
const EXPORT_COLUMNS = ['at', 'outcome', 'ticket_id', 'order_id', 'checkpoint_id', 'direction', 'inspector_id', 'device_id',
  'offline', 'id_checked', 'kind', 'annuls', 'quarantine', 'id', 'seq', 'received_at'].map((c) => `s.${c}`).join(', ');

/** What a page of the history reads: the stored scan with its holder's name (or NULL), or the export's columns. */
type Projection = 'holders' | 'scans' | 'export';

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)));

export function scanReadMethods(db: Db): ScanReadMethods {
  let logId: string | null = null;
  /** How many tickets the names match, counted up to one past "few". */
  const namesCount = (kind: NameIndex) => db.prepare<[HistoryParams], number>(
    `${matchedNames(kind)} SELECT count(*) FROM (SELECT 1 FROM matched_names LIMIT ${HOLDER_FEW_TICKETS + 1})`).pluck();
  const q = {
    ofTicket: db.prepare<[string, string], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND ticket_id = ? ORDER BY seq'),
    byId: db.prepare<[string, string], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND id = ?'),
    after: db.prepare<[string, number, number], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    latest: db.prepare<[string], { seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM scans WHERE event_id = ?'),
    conflicts: db.prepare<[string], ConflictRow>(`${CONFLICT_SELECT} WHERE c.event_id = ? ORDER BY c.created_at, c.rowid`),
    namesMatched: { phrase: namesCount('phrase'), prefix: namesCount('prefix') },
    quarantined: db.prepare<[string, number, number], ScanRow>(
      'SELECT * FROM scans WHERE event_id = ? AND quarantine IS NOT NULL AND seq < ? ORDER BY seq DESC LIMIT ?'),
  };

  const historyStatements = new Map<string, Database.Statement<[HistoryParams]>>();
  const historyStatement = (used: readonly string[], projection: Projection) => {
    const key = `${used.join(',')};${projection}`;
    let stmt = historyStatements.get(key);
    if (!stmt) {
      const where = ['s.event_id = @eventId', ...FILTERS.filter(([k]) => used.includes(k)).map(([, sql]) => sql)];
      const names = used.includes('phrase') ? matchedNames('phrase') : used.includes('prefix') ? matchedNames('prefix') : '';
      const columns = projection === 'export' ? EXPORT_COLUMNS : `s.*, ${projection === 'holders' ? 'coalesce(t.holder_name, o.buyer_name)' : 'NULL'} AS holder`;
      const joins = projection === 'holders' ? `LEFT JOIN tickets t ON t.event_id = s.event_id AND t.id = s.ticket_id
        LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id` : '';
      const order = 'ORDER BY s.at DESC, s.seq DESC';
      // A name search looks at many scans to keep a few: it finds the page's keys in an
      // index alone (scans_at or scans_ticket, migration 10), then reads the rows it keeps.
      // Every other filter keeps most of what it reads, and one pass is cheaper.
      stmt = db.prepare<[HistoryParams]>(names
        ? `${names} SELECT ${columns} FROM (
            SELECT s.seq FROM scans s WHERE ${where.join(' AND ')} ${order} LIMIT @limit) page
          JOIN scans s ON s.seq = page.seq ${joins} ${order}`
        : `SELECT ${columns} FROM scans s ${joins} WHERE ${where.join(' AND ')} ${order} LIMIT @limit`);
      // The export's rows as arrays: no object with named fields made per row.
      if (projection === 'export') stmt.raw(true);
      historyStatements.set(key, stmt);
    }
    return stmt;
  };

  /** A history query's filters as the statement's shape and parameters; null when it can match nothing. */
  const historyParams = (query: Omit<HistoryQuery, 'limit'>, limit: number): { used: string[]; params: HistoryParams } | null => {
    const params: HistoryParams = { eventId: query.eventId, limit: limit + 1 };
    const used: string[] = [];
    for (const k of PLAIN_FILTERS) {
      const v = query[k];
      if (v === undefined || v === null) continue;
      used.push(k);
      params[k] = v;
    }
    if (query.offline !== undefined) {
      used.push('offline');
      params.offline = query.offline ? 1 : 0;
    }
    if (query.before) {
      used.push('before');
      params.beforeAt = query.before.at;
      params.beforeSeq = query.before.seq;
    }
    if (query.holder !== undefined) {
      const named = nameSearch(query.holder);
      if (named === null) return null;
      const search = ftsNameQuery(named);
      params.holder = search.param;
      const matched = q.namesMatched[search.kind].get({ eventId: query.eventId, holder: search.param })!;
      used.push(search.kind, matched > HOLDER_FEW_TICKETS ? 'holderMany' : 'holderFew');
    }
    return { used, params };
  };

  /** Read one more row than asked: whether it exists says if another page follows. */
  const page = <R>(rows: R[], limit: number) => ({ rows: rows.slice(0, limit), more: rows.length > limit });

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
      const limit = clamp(query.limit, 1, HISTORY_PAGE_MAX);
      const shape = historyParams(query, limit);
      if (shape === null) return { scans: [], next: null };
      const all = historyStatement(shape.used, query.holders === false ? 'scans' : 'holders').all(shape.params) as HistoryRow[];
      const { rows, more } = page(all, limit);
      const scans: HistoryEntry[] = rows.map((r) => ({ ...storedScanFromRow(r), holder: r.holder }));
      const last = scans.at(-1);
      return { scans, next: more && last ? { at: last.scan.at, seq: last.seq } : null };
    },
    async historyExportRows(query) {
      const limit = clamp(query.limit, 1, HISTORY_EXPORT_PAGE_MAX);
      const shape = historyParams(query, limit);
      if (shape === null) return { rows: [], next: null };
      const all = historyStatement(shape.used, 'export').all(shape.params) as HistoryExportRow[];
      const more = all.length > limit;
      // The row past the page only said that another follows.
      if (more) all.pop();
      const last = all.at(-1);
      return { rows: all, next: more && last ? { at: last[0], seq: last[14] } : null };
    },
    async listConflicts(eventId) {
      return q.conflicts.all(eventId).map(conflictFromRow);
    },
    async quarantined(eventId, { before, limit }) {
      const n = clamp(limit, 1, HISTORY_PAGE_MAX);
      const { rows, more } = page(q.quarantined.all(eventId, before ?? Number.MAX_SAFE_INTEGER, n + 1), n);
      const scans = rows.map(storedScanFromRow);
      return { scans, next: more ? (scans.at(-1)?.seq ?? null) : null };
    },
  };
}
