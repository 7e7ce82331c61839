// The embedded default: Storage on one SQLite file through better-sqlite3.
//
// Every method is synchronous SQLite work behind an async signature. On one connection
// in one Node process that means no two operations ever interleave; write transactions
// are BEGIN IMMEDIATE as well, so a second process on the same file (the import CLI)
// waits for the lock instead of racing a decision.
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Storage } from '../types.ts';
import { alertMethods } from './alerts.ts';
import { conflictInboxMethods } from './conflict-inbox.ts';
import { deviceReportMethods } from './device-reports.ts';
import { liveTallyMethods } from './live-tally.ts';
import { eventMethods } from './events.ts';
import { migrate } from './migrations.ts';
import { peopleMethods } from './people.ts';
import { scanReadMethods } from './scan-reads.ts';
import { scanWriteMethods } from './scan-writes.ts';
import { auditMethods } from './audit.ts';
import { codeWordRuleMethods } from './code-words.ts';
import { serverSecretMethods } from './server-secrets.ts';
import { importMappingMethods } from './import-mappings.ts';
import { ticketMethods } from './tickets.ts';
import { walletMethods } from './wallet.ts';
import { verificationMethods } from './verification.ts';
import { certificateMethods } from './certificates.ts';
import { Checkpointer, type CheckpointResult } from './checkpointer.ts';
import { aroundEach } from './around-each.ts';
import { WriteHealth, withUnavailable } from './unavailable.ts';
import { SyncWorker } from './sync-worker.ts';
import { WalSync, type SyncFile } from './wal-sync.ts';

export { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

export interface SqliteOptions {
  /** A file path, or ':memory:' for a database that lives as long as the connection. */
  file: string;
  /**
   * Durability of an acknowledged write. FULL (the default) survives power loss; NORMAL
   * survives only a crash of this process. See the note in openSqliteStorage.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Tests only: how the WAL file is synced (default: see `fsync`). */
  syncFile?: SyncFile;
  /**
   * Where the WAL fsync runs: 'worker', a thread of its own that nothing else can starve
   * (the server; sync-worker.ts), or 'pool', libuv's thread pool (the CLI and tests).
   */
  fsync?: 'worker' | 'pool';
  /**
   * Who checkpoints the WAL: 'worker', a thread of its own, off the event loop (the
   * server; checkpointer.ts), or 'sqlite', the committing connection itself whenever the
   * WAL passes 1,000 pages (SQLite's default; the CLI and tests). A file database only.
   */
  checkpoints?: 'worker' | 'sqlite';
  /** Told if the checkpoint worker fails (the connection then checkpoints by itself). */
  onCheckpointFailure?: (error: unknown) => void;
}

/** The connection settings as SQLite reports them, for health checks and tests. */
export interface SqlitePragmas {
  journalMode: string;
  /** SQLite's own setting: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. Always 1 here (see durability). */
  synchronous: number;
  /** FULL: every write is acknowledged after the WAL is fsynced (WalSync); NORMAL: not. */
  durability: 'FULL' | 'NORMAL';
  foreignKeys: boolean;
  busyTimeoutMs: number;
  userVersion: number;
  /** WAL pages after which a commit checkpoints by itself; 0 when the worker does it. */
  walAutocheckpoint: number;
}

export interface SqliteStorage extends Storage {
  /** `PRAGMA integrity_check`: "ok", or SQLite's list of what is damaged, one per line. */
  integrityCheck(): string;
  pragmas(): SqlitePragmas;
  /** The checkpoint worker's last report; null without a worker or before its first. */
  lastCheckpoint(): CheckpointResult | null;
  /**
   * Caps the file at this many pages (`PRAGMA max_page_count`; null: SQLite's maximum).
   * A write that needs more fails as on a full disk: how tests fill the disk.
   */
  setMaxPageCount(pages: number | null): void;
  /** Pages in the file now. */
  pageCount(): number;
}

/**
 * How long a writer waits for another connection's lock before SQLITE_BUSY. Long enough
 * for an import of 100,000 tickets in another process to commit; short enough that a
 * stuck lock shows up as an error rather than a scanner spinning for ever.
 */
const BUSY_TIMEOUT_MS = 5_000;

export function openSqliteStorage(options: SqliteOptions): SqliteStorage {
  // The file holds the events' private signing keys and every buyer's details: created
  // readable by its owner only (SQLite gives the -wal and -shm files the same mode).
  if (options.file !== ':memory:' && !existsSync(options.file)) closeSync(openSync(options.file, 'a', 0o600));
  const db = new Database(options.file);
  const durability = options.synchronous ?? 'FULL';
  try {
    // Durability. In WAL mode a transaction is committed once its frames are appended to
    // the WAL file; an acknowledged (committed) write survives `kill -9` of this process,
    // because the frames are in the OS's page cache and the next open replays them. To
    // survive power loss or an OS crash too, the WAL must be fsynced before the write is
    // acknowledged. We require that (durability FULL, the default) because an acknowledged
    // admission must never vanish: a scanner that was told "stored" drops the scan from its
    // queue, and a lost admission lets a copied ticket in a second time. SQLite's own
    // synchronous=FULL would fsync inside the commit, on the event loop; we run SQLite at
    // NORMAL and fsync the WAL ourselves, off the loop, before any write method resolves
    // (wal-sync.ts). Group commit pays for the fsync: submitOnline and uploadOffline store
    // a whole batch in one transaction, one fsync. Durability NORMAL skips that fsync:
    // the last transactions may be lost on power loss.
    db.pragma('journal_mode = WAL'); // ':memory:' answers "memory": nothing to make durable
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }

  const fsyncWorker = durability === 'FULL' && !db.memory && !options.syncFile && options.fsync === 'worker' ? new SyncWorker() : null;
  const onDisk = durability === 'FULL' && !db.memory ? new WalSync(`${db.name}-wal`, options.syncFile ?? fsyncWorker?.syncFile) : null;
  const checkpointer = options.checkpoints === 'worker' && !db.memory ? new Checkpointer(db, options.onCheckpointFailure ?? (() => {})) : null;
  const health = new WriteHealth();
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  const changes = () => totalChanges.get() as number;
  const methods = {
    ...eventMethods(db),
    ...ticketMethods(db),
    ...certificateMethods(db),
    ...peopleMethods(db),
    ...scanWriteMethods(db),
    ...scanReadMethods(db),
    ...alertMethods(db),
    ...conflictInboxMethods(db),
    ...deviceReportMethods(db),
    ...liveTallyMethods(db),
    ...auditMethods(db),
    ...codeWordRuleMethods(db),
    ...importMappingMethods(db),
    ...serverSecretMethods(db),
    ...walletMethods(db),
    ...verificationMethods(db),
  };
  const storage: SqliteStorage = {
    ...withUnavailable(onDisk ? syncedWrites(methods, onDisk, changes) : methods, health, changes),
    health: () => health.get(),
    async close() {
      await checkpointer?.stop();
      await onDisk?.close();
      await fsyncWorker?.stop();
      if (db.open) db.close();
    },
    lastCheckpoint: () => checkpointer?.last ?? null,
    setMaxPageCount(pages) {
      // SQLite never lowers the cap below the current size; 2^32 - 2 is its own maximum.
      db.pragma(`max_page_count = ${pages ?? 4294967294}`);
    },
    pageCount: () => Number(db.pragma('page_count', { simple: true })),
    integrityCheck() {
      const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      return rows.map((r) => r.integrity_check).join('\n');
    },
    pragmas() {
      const simple = (name: string) => db.pragma(name, { simple: true });
      return {
        journalMode: String(simple('journal_mode')),
        synchronous: Number(simple('synchronous')),
        durability,
        foreignKeys: Number(simple('foreign_keys')) === 1,
        busyTimeoutMs: Number(simple('busy_timeout')),
        userVersion: Number(simple('user_version')),
        walAutocheckpoint: Number(simple('wal_autocheckpoint')),
      };
    },
  };
  return storage;
}

/** The methods whose answer tells a scanner "the server has this scan". */
const ACKNOWLEDGING = new Set(['submitOnline', 'uploadOffline']);

/**
 * Every method, made to resolve only once its writes are on disk: a call that changed
 * rows (SQLite's total_changes() moved) waits for a WAL fsync before it returns. Reads,
 * and writes that changed nothing (a duplicate upload), return at once; but after a failed
 * fsync, a scan write waits for one that succeeds even when it changed nothing, since its
 * "duplicate" acknowledges a scan whose commit may not be on disk.
 */
function syncedWrites<T extends Record<string, unknown>>(methods: T, wal: WalSync, changes: () => number): T {
  return aroundEach(methods, (name, call) => async (...args) => {
    const before = changes();
    const result = await call(...args);
    if (changes() !== before || (wal.unsynced && ACKNOWLEDGING.has(name))) await wal.flush();
    return result;
  });
}
