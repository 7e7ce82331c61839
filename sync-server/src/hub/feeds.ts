// The scan service's listener: a stored scan makes its event's tail (event-tail.ts) read
// the log on, in order; what it reads is coalesced (gossip.ts) and handed to the event's
// feed (feed.ts) and, from the same flush, to the supervisors' live view (live/live.ts);
// conflicts are told once the scans they name have been read, after them. Another server
// instance's scans and conflicts come in the same way (`stored`, `conflicts`), from the
// storage's notifications.
import type { Conflict } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { ScanListener } from '../scans/scan-service.ts';
import type { Live } from '../live/live.ts';
import type { DeviceAlert, StoredScan } from '../storage/types.ts';
import type { Connection } from './connection.ts';
import { EventFeed, type FeedDeps, type Subscriber } from './feed.ts';
import { EventTail } from './event-tail.ts';
import { GossipBuffer } from './gossip.ts';

export class Feeds implements ScanListener {
  readonly #feeds = new Map<EventId, EventFeed>();
  readonly #tails = new Map<EventId, EventTail>();
  readonly #gossip: GossipBuffer;

  constructor(private readonly deps: FeedDeps, gossipTickMs: number, private readonly live: Live) {
    this.#gossip = new GossipBuffer(gossipTickMs, (eventId, scans, from, cursor, spreadMs) => {
      // Supervisors first: their batch is queued for counting before gossip's writes to
      // every scanner, which may be spread over the next tick (stagger.ts).
      this.live.gossiped(eventId, scans);
      this.#feeds.get(eventId)?.fanOut(scans, from, cursor, spreadMs);
    });
  }

  /** `begun`: read the welcome's cursor once it settles (EventTail.begun). */
  join(conn: Connection): { feed: EventFeed; sub: Subscriber; begun: Promise<void> } {
    const eventId = conn.eventId;
    let feed = this.#feeds.get(eventId);
    let tail = this.#tails.get(eventId);
    if (!feed || !tail) {
      this.#feeds.set(eventId, (feed = new EventFeed(eventId, this.deps)));
      this.#tails.set(eventId, (tail = new EventTail(eventId, this.deps, (scans, from) => this.#gossip.add(eventId, scans, from))));
    }
    return { feed, sub: feed.join(conn), begun: tail.begun };
  }

  leave(sub: Subscriber): void {
    const feed = this.#feeds.get(sub.conn.eventId);
    if (!feed) return;
    feed.leave(sub);
    this.live.leave(sub.conn);
    if (feed.subscribers.size === 0) {
      feed.finish();
      this.#feeds.delete(sub.conn.eventId);
      this.#tails.get(sub.conn.eventId)?.close();
      this.#tails.delete(sub.conn.eventId);
    }
  }

  /** Scans of the event were stored (here or on another instance): its tail reads on. An event nobody watches costs nothing. */
  stored(eventId: EventId, scans?: readonly StoredScan[]): void { void this.#tails.get(eventId)?.poke(scans); }

  conflicts(eventId: EventId, conflicts: Conflict[]): void {
    const tail = this.#tails.get(eventId);
    if (!tail) return;
    // After the scans they name: those were committed before the conflict was told.
    void tail.poke().then(() => {
      this.#gossip.flush();
      this.#feeds.get(eventId)?.conflicts(conflicts);
    });
  }

  /** Every watched event's tail reads on: after notifications may have been missed (a lost connection). */
  readAll(): void { for (const tail of this.#tails.values()) void tail.poke(); }

  alerted(eventId: EventId, alert: DeviceAlert): void { this.live.alerted(eventId, alert); }

  broadcast(eventId: EventId, msg: Down, minVersion = 1): void { this.#feeds.get(eventId)?.broadcast(msg, minVersion); }

  /** Sockets that have said hello, in every event. */
  count(): number { let n = 0; for (const f of this.#feeds.values()) n += f.subscribers.size; return n; }

  close(): void {
    this.#gossip.flush();
    for (const t of this.#tails.values()) t.close();
    for (const f of this.#feeds.values()) f.finish();
  }
}
