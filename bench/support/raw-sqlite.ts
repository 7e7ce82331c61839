// The floor under online arbitration: how many one-row write transactions better-sqlite3
// commits per second on this disk with the server's pragmas (WAL, synchronous=FULL) and
// the server's own schema, so each insert maintains the same seven indexes. No reads, no
// decision, no network: what a server that commits every scan on its own would reach.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../sync-server/src/storage/sqlite/migrations.ts';
import { scanToRow, type ScanInsertRow } from '../../sync-server/src/storage/sqlite/rows.ts';
import { newId, type DeviceId, type InspectorId, type ScanId, type TicketId } from '@gatekeeper/shared/ids';
import { stamp } from '../../tests/support/scanner-client.ts';
import { DEMO_EVENT } from '../../tests/support/server.ts';
import { MAIN_GATE } from './scanners.ts';

const COLUMNS = [
  'id', 'event_id', 'ticket_id', 'order_id', 'code', 'checkpoint_id', 'zone', 'mode', 'direction', 'device_id',
  'inspector_id', 'hlc', 'at', 'clock_offset', 'outcome', 'offline', 'id_checked', 'received_at',
] as const satisfies ReadonlyArray<keyof ScanInsertRow>;

/** Commits per second over `durationMs`, one scan row per IMMEDIATE transaction. */
export function rawInsertRate(durationMs: number, maxRows = 200_000): { perSecond: number; rows: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gk-bench-raw-'));
  const db = new Database(join(dir, 'raw.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    db.prepare('INSERT INTO events (id, name, venue, starts_at, ends_at, time_zone) VALUES (?, ?, NULL, NULL, NULL, ?)')
      .run(DEMO_EVENT, 'Bench', 'Europe/Amsterdam');
    const insert = db.prepare<ScanInsertRow>(`INSERT INTO scans (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
    const one = db.transaction((row: ScanInsertRow) => { insert.run(row); });
    const deviceId = newId('d-') as DeviceId;
    const row = (n: number): ScanInsertRow => {
      const now = Date.now();
      const ticketId = `T${String(n + 1).padStart(5, '0')}` as TicketId;
      return scanToRow({
        id: newId('s-') as ScanId, eventId: DEMO_EVENT, ticketId, orderId: null, code: ticketId, checkpointId: MAIN_GATE,
        zone: 'grounds', mode: 'once_per_event', direction: 'entry', deviceId, inspectorId: 'i-inspector' as InspectorId,
        hlc: stamp(now), at: now, clockOffset: 0, outcome: 'valid', offline: false, idChecked: false,
      }, now);
    };
    for (let n = 0; n < 50; n++) one.immediate(row(n)); // warm the statement and the file
    let rows = 0;
    const t0 = performance.now();
    while (rows < maxRows && performance.now() - t0 < durationMs) {
      one.immediate(row(50 + rows));
      rows++;
    }
    const elapsed = performance.now() - t0;
    return { perSecond: rows / (elapsed / 1000), rows };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
