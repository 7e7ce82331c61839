// Storage failures that are the machine's, not the request's: the disk is full, the disk
// answered with an I/O error, another process holds the database lock past the busy
// timeout. SQLite rolls the transaction back, so nothing of the request was stored; the
// sender is told `unavailable` (HTTP 503) and sends it again later, and the scanner keeps
// the scans in its queue meanwhile. Anything else stays what it was (a bug is `internal`).
import Database from 'better-sqlite3';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { StorageHealth } from '../types.ts';
import { aroundEach } from './around-each.ts';

/** SQLite result codes (primary and extended) that mean "cannot store now". */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;
/** Errors of our own WAL fsync (wal-sync.ts), from the OS. */
const OS_UNAVAILABLE = new Set(['ENOSPC', 'EIO', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE']);

export function unavailableCause(e: unknown): string | null {
  if (e instanceof Database.SqliteError && SQLITE_UNAVAILABLE.test(e.code)) return e.code;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && OS_UNAVAILABLE.has(code)) return code;
  return null;
}

/**
 * Whether writes go through, for /healthz: a storage failure marks it down; only a write
 * that changed rows and was made durable marks it up again (reads go through on a full disk).
 */
export class WriteHealth {
  #health: StorageHealth = { writable: true, cause: null, since: null };
  constructor(private readonly now: () => number = Date.now) {}
  get(): StorageHealth { return { ...this.#health }; }
  failed(cause: string): void {
    if (this.#health.writable) this.#health = { writable: false, cause, since: this.now() };
    else this.#health.cause = cause;
  }
  wrote(): void { this.#health = { writable: true, cause: null, since: null }; }
}

/**
 * The same methods, with storage failures turned into GkError('unavailable') and told to
 * `health`; `changes` (SQLite's total_changes()) tells a write from a read.
 */
export function withUnavailable<T extends Record<string, unknown>>(methods: T, health: WriteHealth, changes: () => number): T {
  return aroundEach(methods, (_name, call) => async (...args) => {
    const before = changes();
    try {
      const result = await call(...args);
      if (changes() !== before) health.wrote();
      return result;
    } catch (e) {
      const cause = unavailableCause(e);
      if (cause === null) throw e;
      health.failed(cause);
      // SQLite's own errors roll the transaction back. An OS error here is our fsync after
      // the commit: the rows are in, but not known to be on disk.
      if (e instanceof Database.SqliteError) {
        throw new GkError('unavailable', `the server cannot store this now (${cause}); nothing was stored, send it again later`, { cause, stored: 'none' });
      }
      throw new GkError('unavailable', `the server could not make this durable (${cause}); send it again later`, { cause, stored: 'unknown' });
    }
  });
}
