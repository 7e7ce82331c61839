// A worker thread that answers requests one at a time, in the order asked, each matched to
// its caller by an id. The server keeps work off libuv's pool this way (auth/scrypt-threads.ts,
// storage/sqlite/sync-worker.ts), and each such thread must behave alike: it holds the process
// open only while an answer is owed (a server that was never stopped must still exit), a
// thread that dies fails every request it owed (so the caller can fall back or start
// another), and stop() lets it answer what it was asked first.
import { Worker } from 'node:worker_threads';

/**
 * The worker's source. `prelude` runs once, with `workerData` in scope; `answer` is the body
 * of a function of the request `m` whose return value goes back to the caller. What it
 * throws goes back as an error with its message and code.
 */
export function requestThreadSource(prelude: string, answer: string): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
${prelude}
const answer = (m) => { ${answer} };
parentPort.on('message', (m) => {
  if (m === 'stop') { parentPort.close(); return; }
  try { parentPort.postMessage({ id: m.id, value: answer(m) }); }
  catch (e) { parentPort.postMessage({ id: m.id, error: { message: String(e && e.message), code: e && e.code } }); }
});
`;
}

export interface RequestThreadOptions<Out> {
  /** From requestThreadSource. */
  source: string;
  workerData?: unknown;
  /** What the thread is, for the error that fails what it owed when it stops: "the … stopped". */
  name: string;
  /** The answer as the caller wants it (a Buffer arrives as a Uint8Array). */
  read(value: unknown): Out;
  /** Put before the message of an error the worker reports. */
  errorPrefix?: string;
}

interface Reply { id: number; value?: unknown; error?: { message: string; code?: string } }

export class RequestThread<Out> {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(v: Out): void; reject(e: Error): void }>();
  readonly #opts: RequestThreadOptions<Out>;
  readonly exited: Promise<void>;
  #next = 1;
  #alive = true;

  constructor(opts: RequestThreadOptions<Out>) {
    this.#opts = opts;
    this.#worker = new Worker(opts.source, { eval: true, workerData: opts.workerData });
    // Nothing owed: do not hold the process open.
    this.#worker.unref();
    this.#worker.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error) p.reject(this.#error(m.error));
      else p.resolve(this.#opts.read(m.value));
      if (this.#pending.size === 0) this.#worker.unref();
    });
    const dead = (e: Error) => {
      this.#alive = false;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on('error', dead);
    this.exited = new Promise((resolve) => this.#worker.once('exit', () => { dead(new Error(`the ${opts.name} stopped`)); resolve(); }));
  }

  get alive(): boolean { return this.#alive; }
  /** Requests not answered yet. */
  get pending(): number { return this.#pending.size; }

  /** `request` must be something the structured clone carries; its `id` is set here. */
  ask(request: object): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const id = this.#next++;
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while an answer is owed to someone.
      this.#worker.ref();
      this.#worker.postMessage({ ...request, id });
    });
  }

  /** Answers what it was asked first (messages are handled in order), then ends. */
  stop(): Promise<void> {
    if (this.#alive) {
      this.#worker.ref();
      this.#worker.postMessage('stop');
    }
    return this.exited;
  }

  #error(reported: NonNullable<Reply['error']>): Error {
    const e = new Error(`${this.#opts.errorPrefix ?? ''}${reported.message}`) as NodeJS.ErrnoException;
    if (reported.code) e.code = reported.code;
    return e;
  }
}
