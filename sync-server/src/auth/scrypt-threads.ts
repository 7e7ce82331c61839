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
import { Worker } from 'node:worker_threads';
import type { Scrypt, ScryptParams } from './passwords.ts';

/** The nice value hashing threads run at: the lowest priority. */
export const HASHING_NICE = 19;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
const { setPriority } = require('node:os');
try { setPriority(0, workerData.nice); } catch {}
parentPort.on('message', (m) => {
  if (m === 'stop') { parentPort.close(); return; }
  try { parentPort.postMessage({ id: m.id, key: scryptSync(m.password, m.salt, m.keylen, m.params) }); }
  catch (e) { parentPort.postMessage({ id: m.id, error: String(e && e.message) }); }
});
`;

interface Request { id: number; password: string; salt: Buffer; keylen: number; params: ScryptParams }
type Reply = { id: number; key: Uint8Array; error?: undefined } | { id: number; error: string };

class ScryptThread {
  readonly #worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice: HASHING_NICE } });
  readonly #pending = new Map<number, { resolve(key: Buffer): void; reject(e: Error): void }>();
  readonly exited: Promise<void>;
  #next = 1;
  alive = true;

  constructor() {
    // Nothing owed: do not hold the process open (a server that was never stopped).
    this.#worker.unref();
    this.#worker.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`scrypt failed: ${m.error}`));
      else p.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      if (this.#pending.size === 0) this.#worker.unref();
    });
    const dead = (e: Error) => {
      this.alive = false;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on('error', dead);
    this.exited = new Promise((resolve) => this.#worker.once('exit', () => { dead(new Error('the hashing thread stopped')); resolve(); }));
  }

  get pending(): number { return this.#pending.size; }

  scrypt(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while a hash is owed to someone.
      this.#worker.ref();
      this.#worker.postMessage({ id, password, salt, keylen, params } satisfies Request);
    });
  }

  /** Finishes what it was asked first: messages are handled in order. */
  stop(): Promise<void> {
    if (this.alive) {
      this.#worker.ref();
      this.#worker.postMessage('stop');
    }
    return this.exited;
  }
}

export class ScryptThreads {
  #threads: ScryptThread[] = [];
  #stopped = false;

  /** `size`: at most this many threads, one per hash the gate runs at once. */
  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError('ScryptThreads needs at least one thread');
  }

  /** The Scrypt to hash with (passwords.ts). */
  readonly scrypt: Scrypt = (password, salt, keylen, params) => {
    if (this.#stopped) return Promise.reject(new Error('the server is stopping: no more hashing'));
    return this.#pick().scrypt(password, salt, keylen, params);
  };

  /** An idle thread, else a new one while below `size`, else the least busy. */
  #pick(): ScryptThread {
    this.#threads = this.#threads.filter((t) => t.alive);
    const idle = this.#threads.find((t) => t.pending === 0);
    if (idle) return idle;
    if (this.#threads.length < this.size) {
      const t = new ScryptThread();
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
