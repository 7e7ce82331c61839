// Making a commit durable without stopping the event loop for the disk.
//
// With synchronous=FULL, SQLite fsyncs the WAL inside every commit, and better-sqlite3
// runs that commit on the event loop: while the disk syncs (0.1 ms on a good SSD, tens of
// ms on an SD card in a venue's mini PC) no socket is read, no verdict or gossip is sent.
// Instead the connection runs with synchronous=NORMAL (a commit appends its frames to the
// WAL and returns) and a write is acknowledged only after this class has fsynced the WAL
// file, on libuv's thread pool. Once that fsync returns, every frame appended before it
// started is on disk: the same guarantee FULL gives, with the loop free meanwhile.
//
// Syncs are grouped: a caller whose write came after the sync in flight started waits
// for one more sync after it, shared by every caller in the same position.
import { open, type FileHandle } from 'node:fs/promises';

export type SyncFile = (handle: FileHandle) => Promise<void>;

export class WalSync {
  #unsynced = false;
  #current: Promise<void> | null = null;
  #follower: Promise<void> | null = null;
  #handle: Promise<FileHandle | null> | null = null;

  constructor(private readonly walPath: string, private readonly syncFile: SyncFile = (h) => h.sync()) {}

  /**
   * The last sync failed: what was committed before it may not be on disk. A write that
   * changes nothing (a duplicate of a scan that was committed then) must sync before it
   * answers "you have it", or a retry would be acknowledged on frames never made durable.
   */
  get unsynced(): boolean { return this.#unsynced; }

  /** Resolves once everything appended to the WAL before this call is on disk. */
  flush(): Promise<void> {
    if (this.#follower) return this.#follower;
    if (!this.#current) {
      this.#current = this.#sync().finally(() => { this.#current = null; });
      return this.#current;
    }
    // The sync in flight may have started before our write: wait for the next one.
    this.#follower = this.#current.catch(() => undefined).then(() => {
      this.#follower = null;
      return this.flush();
    });
    return this.#follower;
  }

  async close(): Promise<void> {
    await this.#current?.catch(() => undefined);
    await this.#follower?.catch(() => undefined);
    const h = await this.#handle?.catch(() => null);
    await h?.close();
    this.#handle = null;
  }

  async #sync(): Promise<void> {
    // Opened on first use: SQLite creates the WAL file with the first write. fsync works
    // on the file, whichever descriptor asks, so a read-only one is enough.
    this.#handle ??= open(this.walPath, 'r').catch((e: NodeJS.ErrnoException) => {
      this.#handle = null;
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    const handle = await this.#handle;
    try {
      if (handle) await this.syncFile(handle);
    } catch (e) {
      this.#unsynced = true;
      throw e;
    }
    this.#unsynced = false;
  }
}
