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
import { Worker } from 'node:worker_threads';
import type { FileHandle } from 'node:fs/promises';
import type { SyncFile } from './wal-sync.ts';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { fsyncSync } = require('node:fs');
parentPort.on('message', (m) => {
  if (m === 'stop') { parentPort.close(); return; }
  try { fsyncSync(m.fd); parentPort.postMessage({ id: m.id }); }
  catch (e) { parentPort.postMessage({ id: m.id, error: { message: String(e && e.message), code: e && e.code } }); }
});
`;

interface Reply { id: number; error?: { message: string; code?: string } }

export class SyncWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(): void; reject(e: Error): void }>();
  readonly #exited: Promise<void>;
  #next = 1;
  #alive = true;

  constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (!m.error) return p.resolve();
      const e = new Error(m.error.message) as NodeJS.ErrnoException;
      if (m.error.code) e.code = m.error.code;
      p.reject(e);
    });
    const dead = (e: Error) => {
      this.#alive = false;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on('error', dead);
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => { dead(new Error('the fsync worker stopped')); resolve(); }));
  }

  /** The SyncFile to give WalSync. */
  readonly syncFile: SyncFile = (handle: FileHandle) => {
    if (!this.#alive) return handle.sync();
    return new Promise<void>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while a sync is owed to someone.
      this.#worker.ref();
      this.#worker.postMessage({ id, fd: handle.fd });
    }).finally(() => { if (this.#pending.size === 0) this.#worker.unref(); });
  };

  async stop(): Promise<void> {
    if (!this.#alive) return;
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
