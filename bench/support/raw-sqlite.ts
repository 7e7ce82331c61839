// The floor under online arbitration: how many one-row write transactions better-sqlite3
// commits per second on this disk with the server's pragmas (WAL, synchronous=FULL) and
// the server's own schema, so each insert maintains the same seven indexes. No reads, no
// decision, no network: what a server that commits every scan on its own would reach.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../sync-server/src/storage/sqlite/migrations.ts';
import { scanToRow, type ScanInsertRow } from '../../sync-server/src/storage/rows.ts';
import { newId, type DeviceId, type InspectorId, type ScanId, type TicketId } from '@gatekeeper/shared/ids';
import { stamp } from '../../tests/support/factories.ts';
import { DEMO_EVENT } from '../../tests/support/server.ts';
import { MAIN_GATE } from './scanners.ts';

const COLUMNS = [
  'id', 'event_id', 'ticket_id', 'order_id', 'code', 'checkpoint_id', 'zone', 'mode', 'direction', 'device_id',
  'inspector_id', 'hlc', 'at', 'clock_offset', 'outcome', 'offline', 'id_checked', 'received_at',
] as const satisfies ReadonlyArray<keyof ScanInsertRow>;

export interface RawScanDb {
  /** One scan row in its own IMMEDIATE transaction, committed at synchronous=FULL. */
  insert(row: ScanInsertRow): void;
  close(): void;
}

export interface RawGroupDb {
  /** Many scan rows in one IMMEDIATE transaction, appended to the WAL without an fsync. */
  insertMany(rows: ScanInsertRow[]): void;
  /** fsync the WAL (on libuv's pool): every row inserted before the call is then on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The group-commit floor: synchronous=NORMAL (a commit appends to the WAL and returns)
 * and an explicit fsync of the WAL file after each batch, as the server does, with
 * nothing else: the least a server can do that answers once a scan is on disk and lets
 * the scans that arrive during one fsync share the next.
 */
export function openRawGroupDb(): RawGroupDb {
  const raw = openRawScanDb('NORMAL');
  let handle: FileHandle | null = null;
  return {
    insertMany: (rows) => raw.insertMany(rows),
    async sync() {
      handle ??= await open(`${raw.file}-wal`, 'r');
      await handle.sync();
    },
    async close() {
      await handle?.close();
      raw.close();
    },
  };
}

/** A fresh database in a temporary folder with the server's schema and the pragmas above. */
export function openRawScanDb(synchronous: 'FULL' | 'NORMAL' = 'FULL'): RawScanDb & { file: string; insertMany(rows: ScanInsertRow[]): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gk-bench-raw-'));
  const file = join(dir, 'raw.sqlite');
  const db = new Database(file);
  const close = () => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    db.prepare('INSERT INTO events (id, name, venue, starts_at, ends_at, time_zone) VALUES (?, ?, NULL, NULL, NULL, ?)')
      .run(DEMO_EVENT, 'Bench', 'Europe/Amsterdam');
    const insert = db.prepare<ScanInsertRow>(`INSERT INTO scans (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`);
    const one = db.transaction((row: ScanInsertRow) => { insert.run(row); });
    const many = db.transaction((rows: ScanInsertRow[]) => { for (const row of rows) insert.run(row); });
    return { insert: (row) => one.immediate(row), insertMany: (rows) => many.immediate(rows), close, file };
  } catch (e) {
    close();
    throw e;
  }
}

/** Commits per second over `durationMs`, one scan row per IMMEDIATE transaction. */
export function rawInsertRate(durationMs: number, maxRows = 200_000): { perSecond: number; rows: number } {
  const db = openRawScanDb();
  try {
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
    for (let n = 0; n < 50; n++) db.insert(row(n)); // warm the statement and the file
    let rows = 0;
    const t0 = performance.now();
    while (rows < maxRows && performance.now() - t0 < durationMs) {
      db.insert(row(50 + rows));
      rows++;
    }
    const elapsed = performance.now() - t0;
    return { perSecond: rows / (elapsed / 1000), rows };
  } finally {
    db.close();
  }
}
