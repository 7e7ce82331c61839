// Storing scans: where "first scan wins" becomes true on PostgreSQL, also with several
// server instances on one database. Each call is one transaction that first takes a lock
// per ticket it will store a scan of (a transaction-level advisory lock on the ticket's
// key, all of them at once and in one order, so two batches cannot deadlock), then reads
// the ticket's scans, decides and inserts. A second instance deciding the same ticket
// waits for the lock and then reads the scan stored under it: read committed sees every
// commit made before its statement began.
//
// A lock rather than a unique "one admission per ticket" row: what admits depends on the
// ticket's whole set (exits, annulments, validity windows, offline scans stamped earlier),
// which `decide` and arbitrate() read in JavaScript; a constraint could only say "one
// valid entry", and would refuse the offline scans that must be stored whatever they say.
//
// Idempotency is by scan id, checked inside the transaction: a retried scan gets the
// scan stored the first time. Two copies of one id racing in two transactions meet at
// the unique index; the second inserts nothing and answers with the first.
import { arbitrate } from '@gatekeeper/shared/admission';
import type { Scan, Verdict } from '@gatekeeper/shared/domain';
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import { isAdmitting } from '@gatekeeper/shared/outcomes';
import { NO_REASON } from '@gatekeeper/shared/reasons';
import type pg from 'pg';
import type { OnlineSubmission, StoredScan, Storage, SubmitResult, UploadResult } from '../types.ts';
import { inTransaction, type Sql } from './db.ts';
import { carry, hasConflicts, type Involved, planConflicts } from '../conflict-bookkeeping.ts';
import {
  CONFLICT_COLUMNS, CONFLICT_SELECT, conflictFromRow, conflictToRow, RECORDED_CONFLICT_SELECT, recordedConflictFromRow, scanFromRow, scanToRow,
  storedScanFromRow, type ConflictRow, type RecordedConflictRow, type ScanRow,
} from '../rows.ts';
import { bits, insertOf } from './row-sql.ts';

export type PgScanWriteMethods = Pick<Storage, 'submitOnline' | 'uploadOffline'>;

const SCAN_COLUMNS = [
  'id', 'event_id', 'ticket_id', 'order_id', 'code', 'checkpoint_id', 'zone', 'mode', 'direction', 'device_id',
  'inspector_id', 'hlc', 'at', 'clock_offset', 'outcome', 'offline', 'id_checked', 'received_at', 'quarantine',
  'kind', 'annuls',
] as const;

/** The verdict of a scan stored earlier, for a retried submission: we never decide twice. */
function verdictOfStored(scan: Scan): Verdict {
  return { outcome: scan.outcome, offline: scan.offline, ticketId: scan.ticketId, firstScan: null, reason: NO_REASON };
}

const stored = (r: object) => storedScanFromRow(bits<ScanRow>(r));

/** Take the lock of every ticket named, sorted, before reading any of them. */
async function lockTickets(sql: Sql, tickets: ReadonlyArray<{ eventId: EventId; ticketId: TicketId | null }>): Promise<void> {
  const keys = [...new Set(tickets.flatMap((t) => (t.ticketId === null ? [] : [JSON.stringify([t.eventId, t.ticketId])])))].sort();
  // 64-bit hashes: two tickets that share one only wait for each other, they never mix.
  // unnest yields the keys in the array's order, which is this sorted one.
  if (keys.length > 0) await sql.run('SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k', [keys]);
}

async function byId(sql: Sql, id: string): Promise<StoredScan | null> {
  const r = await sql.one<object>('SELECT * FROM scans WHERE id = $1', [id]);
  return r ? stored(r) : null;
}

async function ofTicket(sql: Sql, eventId: EventId, ticketId: TicketId): Promise<Scan[]> {
  return (await sql.all<object>('SELECT * FROM scans WHERE event_id = $1 AND ticket_id = $2 ORDER BY seq', [eventId, ticketId]))
    .map((r) => scanFromRow(bits<ScanRow>(r)));
}

/** Store the scan; null when a scan of that id is stored already (by a transaction that committed first). */
async function insert(sql: Sql, scan: Scan, receivedAt: number): Promise<StoredScan | null> {
  const [text, values] = insertOf('scans', SCAN_COLUMNS, scanToRow(scan, receivedAt), 'ON CONFLICT (id) DO NOTHING RETURNING seq');
  const row = await sql.one<{ seq: number }>(text, values);
  return row ? { seq: row.seq, receivedAt, scan } : null;
}

/**
 * Arbitrate one ticket's whole stored set and record what the bookkeeping
 * (conflict-bookkeeping.ts) plans, as the SQLite adapter does.
 */
async function recordConflicts(sql: Sql, ticketScans: readonly Scan[], fresh: ReadonlyMap<string, Involved>, receivedAt: number): Promise<void> {
  const arbitration = arbitrate(ticketScans);
  if (!hasConflicts(arbitration)) return;
  // Found by their losers, every one of them a scan of the ticket; in the order written.
  const recorded = (await sql.all<RecordedConflictRow>(`${RECORDED_CONFLICT_SELECT} WHERE loser_scan_id = ANY($1::text[]) ORDER BY n`, [ticketScans.map((s) => s.id)]))
    .map(recordedConflictFromRow);
  const plan = planConflicts(arbitration, new Set(fresh.keys()), recorded);
  for (const { conflict, involved } of plan.put) {
    // Replaced whole: deleted and inserted anew, so it gets the next n, as the plan expects.
    await sql.run('DELETE FROM conflicts WHERE loser_scan_id = $1', [conflict.loser.scanId]);
    const [text, values] = insertOf('conflicts', CONFLICT_COLUMNS, conflictToRow(conflict, receivedAt));
    await sql.run(text, values);
    carry(fresh, involved, conflict);
  }
  for (const { loserScanId, annulmentId } of plan.resolve) {
    await sql.run('UPDATE conflicts SET annul_scan_id = $1 WHERE loser_scan_id = $2', [annulmentId, loserScanId]);
    const row = await sql.one<object>(`${CONFLICT_SELECT} WHERE c.loser_scan_id = $1`, [loserScanId]);
    carry(fresh, [annulmentId], conflictFromRow(bits<ConflictRow>(row!)));
  }
}

export function pgScanWriteMethods(pool: pg.Pool): PgScanWriteMethods {
  return {
    async submitOnline(items: OnlineSubmission[], receivedAt) {
      // A `decide` that throws rolls the whole batch back: nothing is half-stored.
      return inTransaction(pool, async (sql) => {
        await lockTickets(sql, items.map((i) => i.request));
        const results: SubmitResult[] = [];
        for (const { request, decide } of items) {
          const existing = await byId(sql, request.id);
          if (existing) {
            results.push({ status: 'duplicate', stored: existing, verdict: verdictOfStored(existing.scan), conflicts: [] });
            continue;
          }
          // Read under the ticket's lock, after any scan this batch stored: two scans of
          // one ticket in one batch are decided one after the other.
          const prior = request.ticketId === null ? [] : await ofTicket(sql, request.eventId, request.ticketId);
          const verdict = decide(prior);
          const scan: Scan = { ...request, outcome: verdict.outcome, offline: false };
          const inserted = await insert(sql, scan, receivedAt);
          if (!inserted) {
            const first = (await byId(sql, request.id))!;
            results.push({ status: 'duplicate', stored: first, verdict: verdictOfStored(first.scan), conflicts: [] });
            continue;
          }
          const result: SubmitResult = { status: 'accepted', stored: inserted, verdict, conflicts: [] };
          results.push(result);
          if (request.ticketId !== null && isAdmitting(scan.outcome)) {
            await recordConflicts(sql, [...prior, scan], new Map([[scan.id, result]]), receivedAt);
          }
        }
        return results;
      });
    },
    async uploadOffline(scans: Scan[], receivedAt) {
      return inTransaction(pool, async (sql) => {
        await lockTickets(sql, scans);
        const results: UploadResult[] = [];
        const fresh = new Map<string, UploadResult>();
        const touched = new Map<string, { eventId: EventId; ticketId: TicketId }>();
        for (const scan of scans) {
          // Never refused: the gate already admitted or turned the person away.
          const inserted = await insert(sql, scan, receivedAt);
          if (!inserted) {
            // Stored before (or earlier in this batch): answer with what is stored.
            results.push({ scanId: scan.id, status: 'duplicate', stored: (await byId(sql, scan.id))!, conflicts: [] });
            continue;
          }
          const result: UploadResult = { scanId: scan.id, status: 'accepted', stored: inserted, conflicts: [] };
          results.push(result);
          fresh.set(scan.id, result);
          if (scan.ticketId !== null) touched.set(JSON.stringify([scan.eventId, scan.ticketId]), { eventId: scan.eventId, ticketId: scan.ticketId });
        }
        // Once per ticket after the whole batch is in: a batch holding both sides of a
        // conflict records it once, whatever order the phone sent them in.
        for (const { eventId, ticketId } of touched.values()) {
          await recordConflicts(sql, await ofTicket(sql, eventId, ticketId), fresh, receivedAt);
        }
        return results;
      });
    },
  };
}
