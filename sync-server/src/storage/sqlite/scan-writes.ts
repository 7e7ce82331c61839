// Storing scans: the one place where "first scan wins" becomes true. Each call is one
// IMMEDIATE transaction, so between reading a ticket's scans and storing the new one no
// other writer (in this process or another) can slip a scan in.
//
// Idempotency is by scan id, checked inside that transaction (pretix checks its nonce
// inside the row lock for the same reason): a phone that timed out and retries with the
// same id gets the scan stored the first time, never a second copy or a second verdict.
import { arbitrate } from '@gatekeeper/shared/admission';
import type { Conflict, Scan, Verdict } from '@gatekeeper/shared/domain';
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import { isAdmitting } from '@gatekeeper/shared/outcomes';
import { NO_REASON } from '@gatekeeper/shared/reasons';
import type { OnlineSubmission, StoredScan, Storage, SubmitResult, UploadResult } from '../types.ts';
import type { Db } from './db.ts';
import {
  CONFLICT_SELECT, conflictFromRow, scanFromRow, scanToRow, storedScanFromRow, type ConflictRow, type ScanInsertRow, type ScanRow,
} from '../rows.ts';

export type ScanWriteMethods = Pick<Storage, 'submitOnline' | 'uploadOffline'>;

const SCAN_COLUMNS = [
  'id', 'event_id', 'ticket_id', 'order_id', 'code', 'checkpoint_id', 'zone', 'mode', 'direction', 'device_id',
  'inspector_id', 'hlc', 'at', 'clock_offset', 'outcome', 'offline', 'id_checked', 'received_at', 'quarantine',
  'kind', 'annuls',
] as const;

interface ConflictInsertRow {
  loser_scan_id: string; winner_scan_id: string; event_id: string; ticket_id: string; scope: string; created_at: number;
  kind: string | null; annul_scan_id: string | null;
}

/** Results that can carry conflicts: a submit result or an upload result. */
type Involved = { status: SubmitResult['status']; conflicts: Conflict[] };

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
    recorded: db.prepare<[string], { winner_scan_id: string; kind: string | null }>('SELECT winner_scan_id, kind FROM conflicts WHERE loser_scan_id = ?'),
    putConflict: db.prepare<ConflictInsertRow>(
      `INSERT OR REPLACE INTO conflicts (loser_scan_id, winner_scan_id, event_id, ticket_id, scope, created_at, kind, annul_scan_id)
       VALUES (@loser_scan_id, @winner_scan_id, @event_id, @ticket_id, @scope, @created_at, @kind, @annul_scan_id)`),
    /** Double admissions naming this scan (as either side) that no annulment has resolved yet. */
    unresolved: db.prepare<[string, string], { loser_scan_id: string }>(
      'SELECT loser_scan_id FROM conflicts WHERE (loser_scan_id = ? OR winner_scan_id = ?) AND kind IS NULL AND annul_scan_id IS NULL'),
    resolve: db.prepare<[string, string]>('UPDATE conflicts SET annul_scan_id = ? WHERE loser_scan_id = ?'),
    conflictOf: db.prepare<[string], ConflictRow>(`${CONFLICT_SELECT} WHERE c.loser_scan_id = ?`),
  };

  const insert = (scan: Scan, receivedAt: number): StoredScan => {
    const seq = Number(q.insert.run(scanToRow(scan, receivedAt)).lastInsertRowid);
    return { seq, receivedAt, scan };
  };

  /**
   * Arbitrate one ticket's whole stored set and record each conflict that involves a scan
   * stored by this call and is not recorded yet. The conflict goes to the result of each
   * such scan it names: the loser learns it lost, a late scan with an earlier stamp learns
   * it has just made someone else lose, and an annulment learns of the refusal it made
   * needless (refused_annulled). A double admission that an annulment stored now cancels
   * one side of is not deleted (it happened): its row names the annulment from then on,
   * and the annulment's result carries it, so supervisors are told it was resolved.
   */
  const recordConflicts = (ticketScans: readonly Scan[], fresh: ReadonlyMap<string, Involved>, receivedAt: number) => {
    const { conflicts, annulments } = arbitrate(ticketScans);
    for (const c of conflicts) {
      const involved = [c.loser.scanId, c.winner.scanId, c.annulment?.scanId].flatMap((id) => {
        const r = id === undefined ? undefined : fresh.get(id);
        return r ? [r] : [];
      });
      if (involved.length === 0) continue;
      const recorded = q.recorded.get(c.loser.scanId);
      if (recorded && recorded.winner_scan_id === c.winner.scanId && recorded.kind === (c.kind ?? null)) continue;
      // REPLACE: the loser already lost to a later scan; the earliest admission now wins.
      q.putConflict.run({
        loser_scan_id: c.loser.scanId, winner_scan_id: c.winner.scanId, event_id: c.eventId,
        ticket_id: c.ticketId, scope: c.scope, created_at: receivedAt, kind: c.kind ?? null, annul_scan_id: c.annulment?.scanId ?? null,
      });
      for (const r of involved) {
        r.conflicts.push(c);
        r.status = 'conflict';
      }
    }
    for (const { annulled, annulment } of annulments) {
      const by = fresh.get(annulment.id);
      if (!by) continue;
      for (const { loser_scan_id } of q.unresolved.all(annulled.id, annulled.id)) {
        q.resolve.run(annulment.id, loser_scan_id);
        by.conflicts.push(conflictFromRow(q.conflictOf.get(loser_scan_id)!));
        by.status = 'conflict';
      }
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
