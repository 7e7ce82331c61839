// Reading scans: one ticket's set, the event's log by cursor (catch-up and gossip), the
// conflicts and their inbox, the quarantine list, device alerts.
import { HISTORY_PAGE_MAX } from '@gatekeeper/shared/api/history';
import type { StoredScan, Storage } from '../types.ts';
import type { Sql } from './db.ts';
import { CONFLICT_ENTRY_SELECT, CONFLICT_SELECT, conflictEntryFromRow, conflictFromRow, deviceAlertFromRow, scanFromRow, storedScanFromRow, type ConflictEntryRow, type ConflictRow, type DeviceAlertRow, type ScanRow } from '../rows.ts';
import { bits } from './row-sql.ts';

export type PgScanReadMethods = Pick<Storage,
  | 'ticketScans' | 'scansAfter' | 'latestCursor' | 'scanLogId' | 'listConflicts' | 'quarantined' | 'getScan' | 'scansOfTickets'
  | 'conflictInbox' | 'reviewConflict' | 'admissibleTicketCount' | 'recordDeviceAlert' | 'listDeviceAlerts'>;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)));
const stored = (r: object): StoredScan => storedScanFromRow(bits<ScanRow>(r));
const entry = (r: object) => conflictEntryFromRow(bits<ConflictEntryRow>(r));

/** Read one more row than asked: whether it exists says if another page follows. */
const page = <R>(rows: R[], limit: number) => ({ rows: rows.slice(0, limit), more: rows.length > limit });

export function pgScanReadMethods(sql: Sql): PgScanReadMethods {
  let logId: string | null = null;
  const oneEntry = async (on: Sql, eventId: string, id: string) =>
    on.one<object>(`${CONFLICT_ENTRY_SELECT} WHERE c.event_id = $1 AND c.loser_scan_id = $2`, [eventId, id]);
  return {
    async ticketScans(eventId, ticketId) {
      return (await sql.all<object>('SELECT * FROM scans WHERE event_id = $1 AND ticket_id = $2 ORDER BY seq', [eventId, ticketId]))
        .map((r) => scanFromRow(bits<ScanRow>(r)));
    },
    async getScan(eventId, id) {
      const r = await sql.one<object>('SELECT * FROM scans WHERE event_id = $1 AND id = $2', [eventId, id]);
      return r ? stored(r) : null;
    },
    async scansAfter(eventId, cursor, limit) {
      const n = Math.max(1, Math.floor(limit));
      const { rows, more } = page(await sql.all<object>(
        'SELECT * FROM scans WHERE event_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [eventId, cursor, n + 1]), n);
      const scans = rows.map(stored);
      return { scans, cursor: scans.at(-1)?.seq ?? cursor, more };
    },
    async latestCursor(eventId) {
      return Number((await sql.one<{ seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM scans WHERE event_id = $1', [eventId]))?.seq ?? 0);
    },
    async scanLogId() {
      // Made by migration 1 and never changed: read once.
      logId ??= (await sql.one<{ log_id: string }>('SELECT log_id FROM scan_log WHERE one = 1'))?.log_id ?? null;
      if (logId === null) throw new Error('the database has no scan log id (migration 1 did not run)');
      return logId;
    },
    async listConflicts(eventId) {
      return (await sql.all<object>(`${CONFLICT_SELECT} WHERE c.event_id = $1 ORDER BY c.created_at, c.n`, [eventId]))
        .map((r) => conflictFromRow(bits<ConflictRow>(r)));
    },
    async quarantined(eventId, { before, limit }) {
      const n = clamp(limit, 1, HISTORY_PAGE_MAX);
      const { rows, more } = page(await sql.all<object>(
        'SELECT * FROM scans WHERE event_id = $1 AND quarantine IS NOT NULL AND seq < $2 ORDER BY seq DESC LIMIT $3',
        [eventId, before ?? Number.MAX_SAFE_INTEGER, n + 1]), n);
      const scans = rows.map(stored);
      return { scans, next: more ? (scans.at(-1)?.seq ?? null) : null };
    },
    async scansOfTickets(eventId, ticketIds, upTo) {
      if (ticketIds.length === 0) return [];
      return (await sql.all<object>(
        'SELECT * FROM scans WHERE event_id = $1 AND ticket_id = ANY($2::text[]) AND seq <= $3 ORDER BY seq', [eventId, [...ticketIds], upTo])).map(stored);
    },
    async conflictInbox(eventId) {
      return (await sql.all<object>(`${CONFLICT_ENTRY_SELECT} WHERE c.event_id = $1 ORDER BY c.created_at DESC, c.n DESC`, [eventId])).map(entry);
    },
    async reviewConflict(eventId, conflictId, review) {
      // Insert only if the conflict exists, in one statement: no transaction needed.
      const added = await sql.run(
        `INSERT INTO conflict_reviews (event_id, loser_scan_id, reviewed_by, reviewed_at, note)
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM conflicts WHERE event_id = $1 AND loser_scan_id = $2)`,
        [eventId, conflictId, review.by, review.at, review.note]);
      if (added === 0) return null;
      return entry((await oneEntry(sql, eventId, conflictId))!);
    },
    async admissibleTicketCount(eventId) {
      return Number((await sql.one<{ n: number }>(`SELECT count(*) AS n FROM tickets WHERE event_id = $1 AND status = 'paid'`, [eventId]))?.n ?? 0);
    },
    async recordDeviceAlert(a) {
      const row = await sql.one<{ id: number }>(
        'INSERT INTO device_alerts (event_id, device_id, inspector_id, kind, message, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [a.eventId, a.deviceId, a.inspectorId, a.kind, a.message, a.at]);
      return { ...a, id: row!.id };
    },
    async listDeviceAlerts(eventId, limit) {
      return (await sql.all<DeviceAlertRow>('SELECT * FROM device_alerts WHERE event_id = $1 ORDER BY id DESC LIMIT $2',
        [eventId, clamp(limit, 1, 500)])).map(deviceAlertFromRow);
    },
  };
}
