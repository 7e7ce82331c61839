// One event's log, read in order from storage as it grows: what gossip sends. A scan
// stored here, or on another server instance (a notification), only says "read on"; what
// goes out is what storage gives after the last cursor read, a page at a time, so gossip
// carries the scans in sequence and a cursor it tells covers every scan up to it.
//
// Sent straight from the write's answer instead, as it was, gossip relied on answers
// coming back in the order the scans were numbered. They do on one SQLite connection; on
// a database reached over a pool of connections two commits answer in either order, and
// a phone told cursor 12 before it had scan 11 would resume after 12 and never hear of 11
// (tests/integration/async-storage.test.ts). Storage in turn must give a prefix: a scan
// numbered below one it has handed out is never committed later (docs/postgres.md).
//
// Reads are one at a time: a poke while one runs is remembered and reads on once after it,
// however many arrive. A poke may bring the scans just stored (by this process, or by
// another instance whose notification carried them, storage/postgres/notify.ts): when they
// follow the last cursor read with no number missing, they are the log's next page and go
// out without a read. Reading every time cost the verdict benchmark a read and a decode of
// every scan a second time (bench/README.md). On one SQLite connection the numbers come
// in order, but not always their answers: an upload's and a group commit's scans that wait
// for the same WAL fsync are told in the order their callers resume, within one turn of
// the event loop. So scans past a gap wait for that turn to end; if the gap has not filled
// by then (another instance's scan, a write that failed to answer) the log is read.
//
import type { EventId } from '@gatekeeper/shared/ids';
import type { Logger } from '../log.ts';
import type { Storage, StoredScan } from '../storage/types.ts';

/** Scans per read; a burst beyond it is read in several pages, in order. */
const TAIL_PAGE = 500;

export interface TailDeps {
  storage: Pick<Storage, 'scansAfter' | 'latestCursor'>;
  log: Logger;
}

export class EventTail {
  #cursor: Promise<number>;
  /** The cursor once known and no read is running: where a stored page must begin. */
  #at: number | null = null;
  #reading: Promise<void> | null = null;
  #again = false;
  #closed = false;
  /** Scans this process stored past a gap, by number, waiting a turn for those before them. */
  readonly #early = new Map<number, StoredScan>();
  /** The end of the turn those wait for: then a gap still open is read. */
  #gapCheck: Promise<void> | null = null;

  /**
   * Settles once the tail knows where it begins (its first read of the log's end). A
   * welcome's cursor read after this is at or past that point, so every scan after the
   * welcome goes out as gossip; read before, over a pool of connections, the tail could
   * begin past a scan the welcome did not cover either (tests/integration/feed-first-cursor.test.ts).
   */
  readonly begun: Promise<void>;

  /** `read`: each page of scans after `from`, in order, up to `to`. */
  constructor(
    readonly eventId: EventId,
    private readonly deps: TailDeps,
    private readonly read: (scans: StoredScan[], from: number, to: number) => void,
  ) {
    // From the log's end as the feed opens: whoever joined before caught up from storage.
    this.#cursor = deps.storage.latestCursor(eventId);
    // A failed first read is retried by the next poke's (#run reads the cursor again).
    this.#cursor.then((at) => { if (!this.#reading) this.#at = at; }, () => {});
    this.begun = this.#cursor.then(() => undefined, () => undefined);
  }

  /**
   * Something was stored for the event (`stored`, when this process stored it, in the
   * order storage answered): read on. Resolves once what it announces has gone out.
   */
  poke(stored?: readonly StoredScan[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (!this.#reading && this.#at !== null && stored?.length) {
      for (const s of stored) if (s.seq > this.#at) this.#early.set(s.seq, s);
      this.#sendEarly();
      if (this.#early.size === 0) return Promise.resolve();
      this.#gapCheck ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#gapCheck = null;
        if (this.#closed) return undefined;
        // A read begun since (a poke without scans) covers them: they were committed before.
        if (this.#reading) return this.#reading;
        return this.#early.size === 0 ? undefined : this.poke();
      });
      return this.#gapCheck;
    }
    if (this.#reading) {
      // The read under way may have begun before what this poke announces was committed:
      // it reads on once more, or, if it had already finished, a new read begins.
      this.#again = true;
      return this.#reading.then(() => (this.#again ? this.poke() : undefined));
    }
    this.#at = null;
    // The read covers them: they are committed, after the cursor it reads from.
    this.#early.clear();
    this.#reading = this.#run().finally(() => {
      this.#reading = null;
      void this.#cursor.then((c) => { if (!this.#reading) this.#at = c; }, () => {});
    });
    return this.#reading;
  }

  close(): void { this.#closed = true; }

  /** Sends the scans held that now follow the cursor with no number missing. */
  #sendEarly(): void {
    const from = this.#at!;
    let to = from;
    const run: StoredScan[] = [];
    for (let next = this.#early.get(to + 1); next; next = this.#early.get(to + 1)) {
      this.#early.delete(next.seq);
      run.push(next);
      to = next.seq;
    }
    if (run.length === 0) return;
    this.#at = to;
    this.#cursor = Promise.resolve(to);
    this.read(run, from, to);
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#readOn();
      } catch (e) {
        this.deps.log.error('could not read the scan log for gossip', { event: this.eventId, err: String(e) });
        // Try the first cursor again next time, if that is what failed.
        this.#cursor = this.#cursor.catch(() => this.deps.storage.latestCursor(this.eventId));
        this.#cursor.catch(() => {});
        return;
      }
    } while (this.#again && !this.#closed);
  }

  async #readOn(): Promise<void> {
    let from = await this.#cursor;
    for (;;) {
      if (this.#closed) return;
      const page = await this.deps.storage.scansAfter(this.eventId, from, TAIL_PAGE);
      if (this.#closed) return;
      if (page.scans.length > 0) {
        this.read(page.scans, from, page.cursor);
        from = page.cursor;
        this.#cursor = Promise.resolve(from);
      }
      if (!page.more) return;
    }
  }
}
