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
// however many arrive. The cost is one indexed read per burst of stored scans.
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
  #reading: Promise<void> | null = null;
  #again = false;
  #closed = false;

  /** `read`: each page of scans after `from`, in order, up to `to`. */
  constructor(
    readonly eventId: EventId,
    private readonly deps: TailDeps,
    private readonly read: (scans: StoredScan[], from: number, to: number) => void,
  ) {
    // From the log's end as the feed opens: whoever joined before caught up from storage.
    this.#cursor = deps.storage.latestCursor(eventId);
    // A failed first read is retried by the next poke's (#run reads the cursor again).
    this.#cursor.catch(() => {});
  }

  /** Something was stored for the event: read on. Resolves once a read begun after this call is done. */
  poke(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#reading) {
      // The read under way may have begun before what this poke announces was committed:
      // it reads on once more, or, if it had already finished, a new read begins.
      this.#again = true;
      return this.#reading.then(() => (this.#again ? this.poke() : undefined));
    }
    this.#reading = this.#run().finally(() => { this.#reading = null; });
    return this.#reading;
  }

  close(): void { this.#closed = true; }

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
