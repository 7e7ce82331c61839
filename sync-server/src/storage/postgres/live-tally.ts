// The live counters' tally (types.ts LiveTally), counted from the scans themselves in one
// snapshot. SQLite keeps running tallies in tables its triggers update (its migration
// 10) so that opening the live view reads a few hundred rows; here every call reads the
// event's scans, which is exact but grows with the event: the tally tables are the next
// step (docs/postgres.md). The conditions are those of SQLite's triggers:
//   counted:   quarantine IS NULL (a quarantined scan counts only as quarantined)
//   an outcome: counted, not an annulment (kind IS NULL)
//   an entry:  an outcome of a ticket, valid, direction entry
//   a movement in an entry/exit zone: an outcome of a ticket, valid or exit, at a
//              checkpoint of mode entry_exit; the last one in the agreed order (hlc, then
//              device, then scan id, all COLLATE "C": JavaScript's order) says if inside.
import type { CheckpointId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import type pg from 'pg';
import type { Storage } from '../types.ts';
import { inTransaction } from './db.ts';
import { storedScanFromRow, type ScanRow } from '../rows.ts';
import { bits } from './row-sql.ts';

export type PgLiveTallyMethods = Pick<Storage, 'liveTally'>;

const OUTCOME = 's.quarantine IS NULL AND s.kind IS NULL';
const ENTRY = `${OUTCOME} AND s.ticket_id IS NOT NULL AND s.outcome = 'valid' AND s.direction = 'entry'`;
const MOVEMENT = `${OUTCOME} AND s.ticket_id IS NOT NULL AND s.outcome IN ('valid', 'exit') AND s.mode = 'entry_exit'`;

export function pgLiveTallyMethods(pool: pg.Pool): PgLiveTallyMethods {
  return {
    async liveTally(eventId) {
      return inTransaction(pool, async (sql) => {
        const totals = (await sql.one<{ cursor: number; quarantined: number; admitted: number }>(
          `SELECT coalesce(max(s.seq), 0) AS cursor,
             count(*) FILTER (WHERE s.quarantine IS NOT NULL) AS quarantined,
             count(DISTINCT s.ticket_id) FILTER (WHERE ${ENTRY}) AS admitted
           FROM scans s WHERE s.event_id = $1`, [eventId]))!;
        const outcomes = await sql.all<{ outcome: Outcome; count: number }>(
          `SELECT s.outcome, count(*) AS count FROM scans s WHERE s.event_id = $1 AND ${OUTCOME} GROUP BY s.outcome`, [eventId]);
        const minutes = await sql.all<{ checkpointId: CheckpointId; minute: number; entries: number }>(
          `SELECT s.checkpoint_id AS "checkpointId", (s.at / 60000) * 60000 AS minute, count(*) AS entries
           FROM scans s WHERE s.event_id = $1 AND ${ENTRY} GROUP BY 1, 2`, [eventId]);
        const zones = await sql.all<{ zone: string; inside: number }>(
          `SELECT zone, count(*) AS inside FROM (
             SELECT DISTINCT ON (s.zone, s.ticket_id) s.zone, s.direction FROM scans s
             WHERE s.event_id = $1 AND ${MOVEMENT} ORDER BY s.zone, s.ticket_id, s.hlc DESC, s.device_id DESC, s.id DESC) last
           WHERE direction = 'entry' GROUP BY zone`, [eventId]);
        // Annulments are few; their tickets' scans come by ticket.
        const annulled = await sql.all<object>(`SELECT * FROM scans WHERE event_id = $1 AND ticket_id IN (
          SELECT ticket_id FROM scans WHERE annuls IS NOT NULL AND event_id = $1) ORDER BY seq`, [eventId]);
        return {
          cursor: totals.cursor, quarantined: totals.quarantined, admitted: totals.admitted,
          outcomes, minutes, zones, annulled: annulled.map((r) => storedScanFromRow(bits<ScanRow>(r))),
        };
      }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
    },
  };
}
