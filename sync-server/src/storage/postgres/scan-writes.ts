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
// The log's order: a sequence hands out its number at insert and the row is seen at commit,
// so two transactions could commit 12 before 11, and a reader at that instant (a catch-up,
// gossip's tail, a welcome's cursor) would be told 12 and never look below it again. So
// each transaction also takes its events' log locks (one advisory lock per event, after
// the tickets', held to commit) before it inserts: within an event, numbers are drawn and
// committed in the same order, and every reader sees a prefix of the event's log. The cost
// is that one event's scan transactions commit one after another, across instances (each
// instance's group commit batches what waits meanwhile); events do not wait for each other.
// Chosen over recording each row's transaction id (xid8) and reading only below
// pg_snapshot_xmin: that keeps commits concurrent, but the order becomes (xid, seq), a
// cursor the phones' protocol (one number) cannot carry (docs/postgres.md).
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
import type { Notifier } from './notify.ts';

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

/** Take the log lock of every event named, sorted, after the tickets' and before the first insert. */
async function lockLogs(sql: Sql, scans: ReadonlyArray<{ eventId: EventId }>): Promise<void> {
  const keys = [...new Set(scans.map((s) => `log:${s.eventId}`))].sort();
  await sql.run('SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k', [keys]);
}

async function byId(sql: Sql, id: string): Promise<StoredScan | null> {
  const r = await sql.one<object>('SELECT * FROM scans WHERE id = $1', [id]);
  return r ? stored(r) : null;
}

async function ofTicket(sql: Sql, eventId: EventId, ticketId: TicketId): Promise<Scan[]> {
  return (await sql.all<object>('SELECT * FROM scans WHERE event_id = $1 AND ticket_id = $2 ORDER BY seq', [eventId, ticketId]))
    .map((r) => scanFromRow(bits<ScanRow>(r)));
}

/** Store the scans in one statement, numbered in this order; the number of each inserted, by id (a copy of an id stored already is not). */
async function insertAll(sql: Sql, scans: readonly Scan[], receivedAt: number): Promise<Map<string, number>> {
  if (scans.length === 0) return new Map();
  const values: unknown[] = [];
  const rows = scans.map((scan) => {
    const row = scanToRow(scan, receivedAt);
    const at = values.length;
    values.push(...SCAN_COLUMNS.map((c) => row[c]));
    return `(${SCAN_COLUMNS.map((_, i) => `$${at + i + 1}`).join(', ')})`;
  });
  const inserted = await sql.all<{ id: string; seq: number }>(
    `INSERT INTO scans (${SCAN_COLUMNS.join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id, seq`, values);
  return new Map(inserted.map((r) => [r.id, r.seq]));
}

async function duplicateResult(sql: Sql, id: string): Promise<SubmitResult> {
  const first = (await byId(sql, id))!;
  return { status: 'duplicate', stored: first, verdict: verdictOfStored(first.scan), conflicts: [] };
}

/** A second copy of one id in one batch: answered as the first was stored. */
const duplicateOf = (first: SubmitResult): SubmitResult =>
  ({ status: 'duplicate', stored: first.stored, verdict: verdictOfStored(first.stored.scan), conflicts: [] });

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

/** Tell the other instances, in this transaction (delivered at its commit), what it stored. */
async function tell(sql: Sql, notifier: Notifier, results: ReadonlyArray<Involved & { stored: StoredScan }>): Promise<void> {
  const stored = results.filter((r) => r.status !== 'duplicate').map((r) => r.stored);
  // A conflict between two scans of this call is on both their results: told once.
  const conflicts = [...new Map(results.flatMap((r) => r.conflicts).map((c) => [JSON.stringify(c), c])).values()];
  await notifier.told(sql, stored, conflicts);
}

export function pgScanWriteMethods(pool: pg.Pool, notifier: Notifier): PgScanWriteMethods {
  return {
    async submitOnline(items: OnlineSubmission[], receivedAt) {
      // A `decide` that throws rolls the whole batch back: nothing is half-stored.
      return inTransaction(pool, async (sql) => {
        await lockTickets(sql, items.map((i) => i.request));
        // Read once for the batch, under the locks, in one statement: the scans stored under
        // these ids (marked gk_asked), and every scan of these tickets, in log order (a scan
        // that is both comes twice). Round trips, not rows, are what a batch costs here.
        const keyOf = (eventId: string, ticketId: string) => JSON.stringify([eventId, ticketId]);
        const ticketed = items.flatMap(({ request: r }) => (r.ticketId === null ? [] : [[r.eventId, r.ticketId] as const]));
        const existing = new Map<string, StoredScan>();
        const sets = new Map<string, Scan[]>();
        for (const r of await sql.all<{ gk_asked: boolean }>(
          `SELECT true AS gk_asked, s.* FROM scans s WHERE s.id = ANY($1::text[])
           UNION ALL
           SELECT false, s.* FROM scans s JOIN unnest($2::text[], $3::text[]) AS t(e, k) ON s.event_id = t.e AND s.ticket_id = t.k
           ORDER BY seq`,
          [items.map((i) => i.request.id), ticketed.map(([e]) => e), ticketed.map(([, t]) => t)])) {
          const { gk_asked: asked, ...row } = r;
          const x = stored(row);
          if (asked) { existing.set(x.scan.id, x); continue; }
          const key = keyOf(x.scan.eventId, x.scan.ticketId!);
          sets.set(key, [...(sets.get(key) ?? []), x.scan]);
        }
        // Decided in order, each on its ticket's stored scans and those decided before it here.
        const decided: Array<{ index: number; scan: Scan; verdict: Verdict; prior: Scan[] }> = [];
        const results: Array<SubmitResult | { duplicateOf: string }> = [];
        const fresh = new Set<string>();
        for (const { request, decide } of items) {
          const before = existing.get(request.id);
          if (before) { results.push({ status: 'duplicate', stored: before, verdict: verdictOfStored(before.scan), conflicts: [] }); continue; }
          if (fresh.has(request.id)) { results.push({ duplicateOf: request.id }); continue; }
          const key = request.ticketId === null ? null : keyOf(request.eventId, request.ticketId);
          const prior = key === null ? [] : [...(sets.get(key) ?? [])];
          const verdict = decide(prior);
          const scan: Scan = { ...request, outcome: verdict.outcome, offline: false };
          if (key !== null) sets.set(key, [...prior, scan]);
          fresh.add(scan.id);
          decided.push({ index: results.length, scan, verdict, prior });
          results.push({ duplicateOf: scan.id });
        }
        // The log's lock only now, just before the numbers are drawn: the reads and decisions
        // above need only the tickets' locks, and the event's other writers wait the less.
        await lockLogs(sql, items.map((i) => i.request));
        const seqs = await insertAll(sql, decided.map((d) => d.scan), receivedAt);
        const byId = new Map<string, SubmitResult>();
        for (const { index, scan, verdict, prior } of decided) {
          const seq = seqs.get(scan.id);
          // Not inserted: a copy of this id (a code that names no ticket, so no lock) committed first.
          const result: SubmitResult = seq === undefined
            ? await duplicateResult(sql, scan.id)
            : { status: 'accepted', stored: { seq, receivedAt, scan }, verdict, conflicts: [] };
          results[index] = result;
          byId.set(scan.id, result);
          if (seq !== undefined && scan.ticketId !== null && isAdmitting(scan.outcome)) {
            await recordConflicts(sql, [...prior, scan], new Map([[scan.id, result]]), receivedAt);
          }
        }
        const answered = results.map((r) => ('duplicateOf' in r ? duplicateOf(byId.get(r.duplicateOf)!) : r));
        await tell(sql, notifier, answered);
        return answered;
      });
    },
    async uploadOffline(scans: Scan[], receivedAt) {
      return inTransaction(pool, async (sql) => {
        await lockTickets(sql, scans);
        await lockLogs(sql, scans);
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
        await tell(sql, notifier, results);
        return results;
      });
    },
  };
}
