// The live counters' side of storage: the tallies the triggers of migration 10 keep as
// scans are stored, read in one transaction, and the scans of the tickets a gossiped batch
// touched, which is all the counters need to keep an annulment or a late exit exact.
import type { CheckpointId, EventId, TicketId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import type { LiveTally, Storage } from '../types.ts';
import type { Db } from './db.ts';
import { storedScanFromRow, type ScanRow } from '../rows.ts';

export type LiveTallyMethods = Pick<Storage, 'liveTally' | 'scansOfTickets'>;

export function liveTallyMethods(db: Db): LiveTallyMethods {
  const q = {
    cursor: db.prepare<[string], number>('SELECT coalesce(max(seq), 0) FROM scans WHERE event_id = ?').pluck(),
    totals: db.prepare<[string], { quarantined: number; admitted: number }>('SELECT quarantined, admitted FROM live_totals WHERE event_id = ?'),
    outcomes: db.prepare<[string], { outcome: Outcome; count: number }>('SELECT outcome, scans AS count FROM live_outcomes WHERE event_id = ? AND scans > 0'),
    minutes: db.prepare<[string], { checkpointId: CheckpointId; minute: number; entries: number }>(
      'SELECT checkpoint_id AS checkpointId, minute, entries FROM live_entries WHERE event_id = ? AND entries > 0'),
    zones: db.prepare<[string], { zone: string; inside: number }>('SELECT zone, inside FROM live_zones WHERE event_id = ? AND inside > 0'),
    // Annulments are few (scans_annuls holds only them); their tickets' scans come by ticket.
    annulled: db.prepare<[string, string], ScanRow>(`SELECT * FROM scans WHERE event_id = ? AND ticket_id IN (
      SELECT ticket_id FROM scans WHERE annuls IS NOT NULL AND event_id = ?) ORDER BY seq`),
    ofTickets: db.prepare<[string, string, number], ScanRow>(
      'SELECT * FROM scans WHERE event_id = ? AND ticket_id IN (SELECT value FROM json_each(?)) AND seq <= ? ORDER BY seq'),
  };
  // A read transaction: the tallies and the cursor are one moment's, whatever is stored meanwhile.
  const tally = db.transaction((eventId: EventId): LiveTally => {
    const cursor = q.cursor.get(eventId) ?? 0;
    const totals = q.totals.get(eventId) ?? { quarantined: 0, admitted: 0 };
    return {
      cursor, ...totals, outcomes: q.outcomes.all(eventId), minutes: q.minutes.all(eventId), zones: q.zones.all(eventId),
      annulled: q.annulled.all(eventId, eventId).map(storedScanFromRow),
    };
  });
  return {
    async liveTally(eventId) {
      return tally.deferred(eventId);
    },
    async scansOfTickets(eventId, ticketIds: readonly TicketId[], upTo) {
      if (ticketIds.length === 0) return [];
      return q.ofTickets.all(eventId, JSON.stringify(ticketIds), upTo).map(storedScanFromRow);
    },
  };
}
