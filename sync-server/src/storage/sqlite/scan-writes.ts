// Storing scans: the one place where "first scan wins" becomes true. Each call is one
// IMMEDIATE transaction, so between reading a ticket's scans and storing the new one no
// other writer (in this process or another) can slip a scan in.
//
// Idempotency is by scan id, checked inside that transaction (pretix checks its nonce
// inside the row lock for the same reason): a phone that timed out and retries with the
// same id gets the scan stored the first time, never a second copy or a second verdict.
import { arbitrate } from '@gatekeeper/shared/admission';
import type { Scan, Verdict } from '@gatekeeper/shared/domain';
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import { isAdmitting } from '@gatekeeper/shared/outcomes';
import { NO_REASON } from '@gatekeeper/shared/reasons';
import type { OnlineSubmission, StoredScan, Storage, SubmitResult, UploadResult } from '../types.ts';
import type { Db } from './db.ts';
import { carry, hasConflicts, type Involved, planConflicts } from '../conflict-bookkeeping.ts';
import {
  CONFLICT_COLUMNS, CONFLICT_SELECT, conflictFromRow, conflictToRow, RECORDED_CONFLICT_SELECT, recordedConflictFromRow, scanFromRow, scanToRow,
  storedScanFromRow, type ConflictInsertRow, type ConflictRow, type RecordedConflictRow, type ScanInsertRow, type ScanRow,
} from '../rows.ts';

export type ScanWriteMethods = Pick<Storage, 'submitOnline' | 'uploadOffline'>;

const SCAN_COLUMNS = [
  'id', 'event_id', 'ticket_id', 'order_id', 'code', 'checkpoint_id', 'zone', 'mode', 'direction', 'device_id',
  'inspector_id', 'hlc', 'at', 'clock_offset', 'outcome', 'offline', 'id_checked', 'received_at', 'quarantine',
  'kind', 'annuls',
] as const;

/** The verdict of a scan stored earlier, for a retried submission: we never decide twice. */
function verdictOfStored(scan: Scan): Verdict {
  return { outcome: scan.outcome, offline: scan.offline, ticketId: scan.ticketId, firstScan: null, reason: NO_REASON };
}

export function scanWriteMethods(db: Db): ScanWriteMethods {
  const q = {
    byId: db.prepare<[string], ScanRow>('SELECT * FROM scans WHERE id = ?'),
    ofTicket: db.prepare<[string, string], ScanRow>('SELECT * FROM scans WHERE event_id = ? AND ticket_id = ? ORDER BY seq'),
    insert: db.prepare<ScanInsertRow>(
      `INSERT INTO scans (${SCAN_COLUMNS.join(', ')}) VALUES (${SCAN_COLUMNS.map((c) => `@${c}`).join(', ')})`),
    /** A ticket's rows, found by their losers (every one of them a scan of the ticket), in the order written. */
    recorded: db.prepare<[string], RecordedConflictRow>(`${RECORDED_CONFLICT_SELECT} WHERE loser_scan_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`),
    // REPLACE: a new rowid, so a replaced row counts as written last, as on PostgreSQL.
    putConflict: db.prepare<ConflictInsertRow>(
      `INSERT OR REPLACE INTO conflicts (${CONFLICT_COLUMNS.join(', ')}) VALUES (${CONFLICT_COLUMNS.map((c) => `@${c}`).join(', ')})`),
    resolve: db.prepare<[string, string]>('UPDATE conflicts SET annul_scan_id = ? WHERE loser_scan_id = ?'),
    conflictOf: db.prepare<[string], ConflictRow>(`${CONFLICT_SELECT} WHERE c.loser_scan_id = ?`),
  };

  const insert = (scan: Scan, receivedAt: number): StoredScan => {
    const seq = Number(q.insert.run(scanToRow(scan, receivedAt)).lastInsertRowid);
    return { seq, receivedAt, scan };
  };

  /**
   * Arbitrate one ticket's whole stored set and record what the bookkeeping
   * (conflict-bookkeeping.ts) plans: the conflicts that name a scan stored by this call,
   * and the double admissions an annulment stored now resolves.
   */
  const recordConflicts = (ticketScans: readonly Scan[], fresh: ReadonlyMap<string, Involved>, receivedAt: number) => {
    const arbitration = arbitrate(ticketScans);
    if (!hasConflicts(arbitration)) return;
    const recorded = q.recorded.all(JSON.stringify(ticketScans.map((s) => s.id))).map(recordedConflictFromRow);
    const plan = planConflicts(arbitration, new Set(fresh.keys()), recorded);
    for (const { conflict, involved } of plan.put) {
      q.putConflict.run(conflictToRow(conflict, receivedAt));
      carry(fresh, involved, conflict);
    }
    for (const { loserScanId, annulmentId } of plan.resolve) {
      q.resolve.run(annulmentId, loserScanId);
      carry(fresh, [annulmentId], conflictFromRow(q.conflictOf.get(loserScanId)!));
    }
  };

  const submitTx = db.transaction((items: OnlineSubmission[], receivedAt: number): SubmitResult[] => {
    const results: SubmitResult[] = [];
    for (const { request, decide } of items) {
      const existing = q.byId.get(request.id);
      if (existing) {
        const stored = storedScanFromRow(existing);
        results.push({ status: 'duplicate', stored, verdict: verdictOfStored(stored.scan), conflicts: [] });
        continue;
      }
      // Read inside the transaction, after any scan this same batch stored: two scans of
      // one ticket in one batch are decided one after the other, like two separate calls.
      const prior = request.ticketId === null ? [] : q.ofTicket.all(request.eventId, request.ticketId).map(scanFromRow);
      const verdict = decide(prior);
      const scan: Scan = { ...request, outcome: verdict.outcome, offline: false };
      const result: SubmitResult = { status: 'accepted', stored: insert(scan, receivedAt), verdict, conflicts: [] };
      results.push(result);
      // A decision over the stored set normally creates no conflict; arbitrate anyway,
      // because offline scans with odd stamps are in that set and the rule in `decide` is
      // the caller's. Only an admission can make or lose a conflict, so skip the rest.
      if (request.ticketId !== null && isAdmitting(scan.outcome)) {
        recordConflicts([...prior, scan], new Map([[scan.id, result]]), receivedAt);
      }
    }
    return results;
  });

  const uploadTx = db.transaction((scans: Scan[], receivedAt: number): UploadResult[] => {
    const results: UploadResult[] = [];
    const fresh = new Map<string, UploadResult>();
    const touched = new Map<string, { eventId: EventId; ticketId: TicketId }>();
    for (const scan of scans) {
      const existing = q.byId.get(scan.id);
      if (existing) {
        // Stored before (or earlier in this batch): answer with what is stored, which
        // is what every other node has heard; the copy sent now is ignored.
        results.push({ scanId: scan.id, status: 'duplicate', stored: storedScanFromRow(existing), conflicts: [] });
        continue;
      }
      // Never refused: the gate already admitted or turned the person away.
      const result: UploadResult = { scanId: scan.id, status: 'accepted', stored: insert(scan, receivedAt), conflicts: [] };
      results.push(result);
      fresh.set(scan.id, result);
      if (scan.ticketId !== null) touched.set(`${scan.eventId}\u0000${scan.ticketId}`, { eventId: scan.eventId, ticketId: scan.ticketId });
    }
    // Arbitrate once per ticket after the whole batch is in, so a batch holding both
    // sides of a conflict records it once, whatever order the phone sent them in.
    for (const { eventId, ticketId } of touched.values()) {
      recordConflicts(q.ofTicket.all(eventId, ticketId).map(scanFromRow), fresh, receivedAt);
    }
    return results;
  });

  return {
    async submitOnline(items, receivedAt) {
      // A `decide` that throws rolls back the whole batch: nothing is half-stored, and
      // the caller answers every scan of the batch with the error.
      return submitTx.immediate(items, receivedAt);
    },
    async uploadOffline(scans, receivedAt) {
      return uploadTx.immediate(scans, receivedAt);
    },
  };
}
