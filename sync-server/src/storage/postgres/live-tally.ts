// The live counters' tally (types.ts LiveTally): the tallies the triggers of migration 4
// keep as scans are stored (the conditions are SQLite's, its migration 10), read in one
// snapshot with the cursor, so opening the live view reads a few hundred rows however
// large the event. Annulments are few; their tickets' scans come by ticket, as on SQLite.
import type { CheckpointId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import type pg from 'pg';
import type { Storage } from '../types.ts';
import { inTransaction } from './db.ts';
import { storedScanFromRow, type ScanRow } from '../rows.ts';
import { bits } from './row-sql.ts';

export type PgLiveTallyMethods = Pick<Storage, 'liveTally'>;

export function pgLiveTallyMethods(pool: pg.Pool): PgLiveTallyMethods {
  return {
    async liveTally(eventId) {
      return inTransaction(pool, async (sql) => {
        const { cursor } = (await sql.one<{ cursor: number }>('SELECT coalesce(max(seq), 0) AS cursor FROM scans WHERE event_id = $1', [eventId]))!;
        const totals = await sql.one<{ quarantined: number; admitted: number }>('SELECT quarantined, admitted FROM live_totals WHERE event_id = $1', [eventId]);
        const outcomes = await sql.all<{ outcome: Outcome; count: number }>('SELECT outcome, scans AS count FROM live_outcomes WHERE event_id = $1 AND scans > 0', [eventId]);
        const minutes = await sql.all<{ checkpointId: CheckpointId; minute: number; entries: number }>(
          'SELECT checkpoint_id AS "checkpointId", minute, entries FROM live_entries WHERE event_id = $1 AND entries > 0', [eventId]);
        const zones = await sql.all<{ zone: string; inside: number }>('SELECT zone, inside FROM live_zones WHERE event_id = $1 AND inside > 0', [eventId]);
        // Annulments are few; their tickets' scans come by ticket.
        const annulled = await sql.all<object>(`SELECT * FROM scans WHERE event_id = $1 AND ticket_id IN (
          SELECT ticket_id FROM scans WHERE annuls IS NOT NULL AND event_id = $1) ORDER BY seq`, [eventId]);
        return {
          cursor, quarantined: totals?.quarantined ?? 0, admitted: totals?.admitted ?? 0,
          outcomes, minutes, zones, annulled: annulled.map((r) => storedScanFromRow(bits<ScanRow>(r))),
        };
      }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
    },
  };
}
