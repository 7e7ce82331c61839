// The WAL fsync on a thread of its own.
//
// FileHandle.sync() runs on libuv's thread pool (4 threads by default), which scrypt,
// zlib and DNS also use. During a login flood every pool thread was hashing a password
// and the fsync that a scan's acknowledgement waits on queued behind them: one online
// verdict took 16.4 s (issue 8). The hash gate (auth/hash-gate.ts) keeps hashing below
// the pool size, but anything else on the pool could still get in the way; a worker
// that does nothing but fsync cannot be starved by them.
//
// A file descriptor is per process, so the worker fsyncs the descriptor the main thread
// opened. If the worker dies, syncs go back to the thread pool: slower under load, never
// lost.
import type { FileHandle } from 'node:fs/promises';
import { RequestThread, requestThreadSource } from '../../request-thread.ts';
import type { SyncFile } from './wal-sync.ts';

const WORKER_SOURCE = requestThreadSource(`const { fsyncSync } = require('node:fs');`, 'fsyncSync(m.fd);');

export class SyncWorker {
  readonly #thread = new RequestThread<void>({ source: WORKER_SOURCE, name: 'fsync worker', read: () => undefined });

  /** The SyncFile to give WalSync. */
  readonly syncFile: SyncFile = (handle: FileHandle) => {
    if (!this.#thread.alive) return handle.sync();
    return this.#thread.ask({ fd: handle.fd });
  };

  stop(): Promise<void> {
    return this.#thread.stop();
  }
}
