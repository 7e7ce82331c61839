// A bound on password hashing, and the one way the server hashes one. Each scrypt takes
// ~50 ms of a CPU; unbounded, a login flood queued hundreds of them and the loop's own
// file work waited behind (an online verdict took 16.4 s during one). At most
// `concurrency` hashes run at once, at most `queue` more wait, and anything beyond is
// refused at once with `busy` (503 + Retry-After): a person retries in a second, a flood
// costs nothing. While it is full a login is refused before it reaches the app
// (login-door.ts).
//
// Staff whose browser this server knows (known-browsers.ts) wait in a lane of their own,
// `knownQueue` long and served first: a flood fills the open queue, not theirs.
//
// The server hashes on threads of its own at the lowest CPU priority (scrypt-threads.ts);
// without `scrypt` (tests, in-process apps) hashes run on libuv's pool, so keep
// `concurrency` below its size (UV_THREADPOOL_SIZE, 4 by default) and the pool always has
// a thread for other work. The WAL fsync that scan acknowledgements wait on does not use
// the pool at all (storage/sqlite/sync-worker.ts).
import { availableParallelism } from 'node:os';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { hashPassword, poolScrypt, verifyPassword, type Scrypt } from './passwords.ts';

/** The longest rest a slot takes after a hash (see HashGateOptions.duty). */
export const MAX_REST_MS = 500;

/**
 * The longest while a flood fills the queue: at 500 ms a ~80 ms hash came round every
 * 0.58 s, 14% of a core, whatever floodDuty said. Nobody waits on it but the flood: staff
 * in the known lane skip the rest, and an open-lane login is refused `busy` meanwhile.
 */
export const MAX_FLOOD_REST_MS = 2_000;

/** Seconds a refused login is asked to wait. */
export const BUSY_RETRY_AFTER_S = 1;

/** What a login refused `busy` is told, here and at the door (login-door.ts). */
export const BUSY_MESSAGE = `the server is checking too many passwords at once; try again in ${BUSY_RETRY_AFTER_S} s`;

export interface HashGateOptions {
  concurrency: number;
  queue: number;
  /** Waiting places for logins from known browsers, served before the open queue. Default 8. */
  knownQueue?: number;
  /**
   * The share of its time a slot may spend hashing: after a hash that took t ms the slot
   * rests t × (1 / duty − 1) ms before the next. Default 1: no rest.
   */
  duty?: number;
  /**
   * The share while the open queue is full (a flood: most of what waits is guesses, and
   * staff wait in the known lane). Default: `duty`.
   */
  floodDuty?: number;
  /** Where the hashes run; libuv's pool when absent. */
  scrypt?: Scrypt;
}

/**
 * One hash at a time on a 2-core venue box leaves a core to the event loop; more cores,
 * more at once, always below the pool size. Half of that slot's time, not all of it: on
 * two cores a flood that kept one core hashing left the event loop, the fsync thread and
 * the kernel's socket work one core between them, and online verdicts slowed fourfold
 * (server.verdict.p99.loginFlood). At ~50 ms a hash that is still ~10 logins a second, a
 * shift of 200 inspectors in 20 s. 16 waiting is under two seconds of wait: inspectors
 * logging in together queue, a flood is refused. While the queue is full, a tenth: what
 * waits then is mostly the flood's guesses (staff wait in the known lane, served first and
 * without the rest), and every hash spent on them is a core's share the gates' verdicts do
 * not get (at a quarter, verdicts during a flood were 1.48 and 1.66 times as slow as
 * without one: the target is 1.5).
 */
export function defaultHashGateOptions(): HashGateOptions {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return { concurrency: Math.max(1, Math.min(availableParallelism() - 1, pool - 1)), queue: 16, duty: 0.5, floodDuty: 0.1 };
}

/** Which queue a hash waits in: anyone's, or a known browser's login (known-browsers.ts). */
export type HashLane = 'open' | 'known';

export class HashGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #known: Array<() => void> = [];
  /** Slots resting after a hash: a known browser's login that arrives wakes one. */
  readonly #resting = new Set<ReturnType<typeof setTimeout>>();

  constructor(readonly options: HashGateOptions = defaultHashGateOptions(), private readonly clock: () => number = () => performance.now()) {}

  /** A stored hash of `password` (passwords.ts), made when a slot is free. */
  hash(password: string): Promise<string> {
    return this.run(() => hashPassword(password, this.#scrypt));
  }

  /** Whether `password` matches `stored`, checked when a slot is free (in `lane`'s queue). */
  verify(password: string, stored: string, lane: HashLane = 'open'): Promise<boolean> {
    return this.run(() => verifyPassword(password, stored, this.#scrypt), lane);
  }

  get #scrypt(): Scrypt { return this.options.scrypt ?? poolScrypt; }

  /** Run `work` when a slot is free; throws `busy` at once when `lane`'s queue is full. */
  async run<T>(work: () => Promise<T>, lane: HashLane = 'open'): Promise<T> {
    if (this.#running >= this.options.concurrency) {
      const [queue, limit] = lane === 'known' ? [this.#known, this.options.knownQueue ?? 8] : [this.#waiting, this.options.queue];
      if (queue.length >= limit) {
        throw new GkError('busy', BUSY_MESSAGE);
      }
      await new Promise<void>((resolve) => {
        queue.push(resolve);
        if (lane === 'known') this.#wakeOne();
      });
    } else {
      this.#running++;
    }
    const started = this.clock();
    try {
      return await work();
    } finally {
      // A known browser's login does not wait out the rest: staff are few, and the rest is
      // there to starve a flood, not them.
      if (this.#known.length) this.#release();
      else this.#restThenRelease(this.clock() - started);
    }
  }

  #restThenRelease(hashedMs: number): void {
    const flood = this.#waiting.length >= this.options.queue;
    const duty = flood ? (this.options.floodDuty ?? this.options.duty ?? 1) : (this.options.duty ?? 1);
    // Capped: a hash that took long because the CPU was short (it runs at nice 19) used
    // little of it, and a rest of several seconds would only keep staff waiting.
    const rest = Math.min(flood ? MAX_FLOOD_REST_MS : MAX_REST_MS, hashedMs * (1 / duty - 1));
    if (rest <= 0) return this.#release();
    const timer = setTimeout(() => { this.#resting.delete(timer); this.#release(); }, rest);
    timer.unref();
    this.#resting.add(timer);
  }

  /** End one slot's rest now, for staff: the rest starves a flood, and staff should not
   *  wait out up to MAX_FLOOD_REST_MS of it. #release serves the known lane first. */
  #wakeOne(): void {
    const [timer] = this.#resting;
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#resting.delete(timer);
    this.#release();
  }

  /** Hand the slot straight to the next in line, so the count never dips and lets a
   *  newcomer jump the queue. */
  #release(): void {
    const next = this.#known.shift() ?? this.#waiting.shift();
    if (next) next(); else this.#running--;
  }

  /** A hash asked for now in the open lane would be refused `busy` (every slot taken, the queue full). */
  get full(): boolean { return this.#running >= this.options.concurrency && this.#waiting.length >= this.options.queue; }

  get running(): number { return this.#running; }
  get waiting(): number { return this.#waiting.length + this.#known.length; }
}
