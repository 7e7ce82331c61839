// Scrypt on threads of their own, at the lowest CPU priority (nice 19).
//
// On libuv's pool a hash ran at the priority of everything else in the process: during a
// login flood on a 2-core box the hashing thread, the event loop that decides scans and
// the thread that fsyncs the WAL each got a third of the CPU, and online verdicts slowed
// (server.verdict.p99.loginFlood). At nice 19 the scheduler gives the hashing thread only
// what the others leave: a scan's work always goes first, and a flood's hashes wait (the
// hash gate then refuses the rest, 503 busy). A person logging in on a quiet server does
// not notice: an idle CPU runs a nice-19 thread at full speed.
//
// On Linux each thread has its own nice value and `setPriority(0, …)` sets the calling
// thread's, so the worker lowers itself and the event loop's thread keeps its priority.
// Elsewhere the call may lower the whole process or fail; either way the hash still runs.
//
// A thread is started on first use (most servers hash rarely), one per hash the gate lets
// run at once; a thread that dies is replaced on the next hash. `stop()` ends them all;
// the server calls it when it closes.
import { RequestThread, requestThreadSource } from '../request-thread.ts';
import type { Scrypt, ScryptParams } from './passwords.ts';

/** The nice value hashing threads run at: the lowest priority. */
export const HASHING_NICE = 19;

const WORKER_SOURCE = requestThreadSource(
  `const { scryptSync } = require('node:crypto');
const { setPriority } = require('node:os');
try { setPriority(0, workerData.nice); } catch {}`,
  'return scryptSync(m.password, m.salt, m.keylen, m.params);',
);

interface Request { password: string; salt: Buffer; keylen: number; params: ScryptParams }

function scryptThread(): RequestThread<Buffer> {
  return new RequestThread<Buffer>({
    source: WORKER_SOURCE,
    workerData: { nice: HASHING_NICE },
    name: 'hashing thread',
    errorPrefix: 'scrypt failed: ',
    // A Buffer crosses to this thread as a plain Uint8Array: a Buffer over its memory, no copy.
    read: (key) => { const k = key as Uint8Array; return Buffer.from(k.buffer, k.byteOffset, k.byteLength); },
  });
}

export class ScryptThreads {
  #threads: RequestThread<Buffer>[] = [];
  #stopped = false;

  /** `size`: at most this many threads, one per hash the gate runs at once. */
  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError('ScryptThreads needs at least one thread');
  }

  /** The Scrypt to hash with (passwords.ts). */
  readonly scrypt: Scrypt = (password, salt, keylen, params) => {
    if (this.#stopped) return Promise.reject(new Error('the server is stopping: no more hashing'));
    return this.#pick().ask({ password, salt, keylen, params } satisfies Request);
  };

  /** An idle thread, else a new one while below `size`, else the least busy. */
  #pick(): RequestThread<Buffer> {
    this.#threads = this.#threads.filter((t) => t.alive);
    const idle = this.#threads.find((t) => t.pending === 0);
    if (idle) return idle;
    if (this.#threads.length < this.size) {
      const t = scryptThread();
      this.#threads.push(t);
      return t;
    }
    return this.#threads.reduce((a, b) => (b.pending < a.pending ? b : a));
  }

  /** Lets the hashes asked for finish, then ends every thread; later hashes are refused. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#threads.map((t) => t.stop()));
    this.#threads = [];
  }
}
