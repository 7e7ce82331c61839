// The supervisors' conflict inbox: conflicts newest first with the holder and the latest
// review, reviews recorded (each one kept: the table is the audit of who said what), and
// the count of tickets the live view measures admissions against.
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';
import { CONFLICT_ENTRY_SELECT, conflictEntryFromRow, type ConflictEntryRow } from '../rows.ts';

export type ConflictInboxMethods = Pick<Storage, 'conflictInbox' | 'reviewConflict' | 'admissibleTicketCount'>;

export function conflictInboxMethods(db: Db): ConflictInboxMethods {
  const q = {
    inbox: db.prepare<[string], ConflictEntryRow>(`${CONFLICT_ENTRY_SELECT} WHERE c.event_id = ? ORDER BY c.created_at DESC, c.rowid DESC`),
    one: db.prepare<[string, string], ConflictEntryRow>(`${CONFLICT_ENTRY_SELECT} WHERE c.event_id = ? AND c.loser_scan_id = ?`),
    review: db.prepare<[string, string, string, number, string]>(
      'INSERT INTO conflict_reviews (event_id, loser_scan_id, reviewed_by, reviewed_at, note) VALUES (?, ?, ?, ?, ?)'),
    paid: db.prepare<[string], number>("SELECT count(*) FROM tickets WHERE event_id = ? AND status = 'paid'").pluck(),
  };
  const reviewTx = db.transaction((eventId: string, conflictId: string, by: string, at: number, note: string) => {
    if (!q.one.get(eventId, conflictId)) return null;
    q.review.run(eventId, conflictId, by, at, note);
    return conflictEntryFromRow(q.one.get(eventId, conflictId)!);
  });
  return {
    async conflictInbox(eventId) {
      return q.inbox.all(eventId).map(conflictEntryFromRow);
    },
    async reviewConflict(eventId, conflictId, review) {
      return reviewTx.immediate(eventId, conflictId, review.by, review.at, review.note);
    },
    async admissibleTicketCount(eventId) {
      return q.paid.get(eventId) ?? 0;
    },
  };
}
