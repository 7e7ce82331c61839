// The scan service's listener: stored scans are coalesced (gossip.ts) and handed to their
// event's feed (feed.ts) and, from the same flush, to the supervisors' live view (live/live.ts);
// conflicts are told at once, after the scans they name.
import type { Conflict } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { ScanListener } from '../scans/scan-service.ts';
import type { Live } from '../live/live.ts';
import type { DeviceAlert, StoredScan } from '../storage/types.ts';
import type { Connection } from './connection.ts';
import { EventFeed, type FeedDeps, type Subscriber } from './feed.ts';
import { GossipBuffer } from './gossip.ts';

export class Feeds implements ScanListener {
  readonly #feeds = new Map<EventId, EventFeed>();
  readonly #gossip: GossipBuffer;

  constructor(private readonly deps: FeedDeps, gossipTickMs: number, private readonly live: Live) {
    this.#gossip = new GossipBuffer(gossipTickMs, (eventId, scans, cursor, spreadMs) => {
      // Supervisors first: their batch is queued for counting before gossip's writes to
      // every scanner, which may be spread over the next tick (stagger.ts).
      this.live.gossiped(eventId, scans);
      this.#feeds.get(eventId)?.fanOut(scans, cursor, spreadMs);
    });
  }

  join(conn: Connection): { feed: EventFeed; sub: Subscriber } {
    let feed = this.#feeds.get(conn.eventId);
    if (!feed) this.#feeds.set(conn.eventId, (feed = new EventFeed(conn.eventId, this.deps)));
    return { feed, sub: feed.join(conn) };
  }

  leave(sub: Subscriber): void {
    const feed = this.#feeds.get(sub.conn.eventId);
    if (!feed) return;
    feed.leave(sub);
    this.live.leave(sub.conn);
    if (feed.subscribers.size === 0) { feed.finish(); this.#feeds.delete(sub.conn.eventId); }
  }

  stored(eventId: EventId, scans: StoredScan[]): void { this.#gossip.add(eventId, scans); }

  conflicts(eventId: EventId, conflicts: Conflict[]): void {
    this.#gossip.flush();
    this.#feeds.get(eventId)?.conflicts(conflicts);
  }

  alerted(eventId: EventId, alert: DeviceAlert): void { this.live.alerted(eventId, alert); }

  broadcast(eventId: EventId, msg: Down, minVersion = 1): void { this.#feeds.get(eventId)?.broadcast(msg, minVersion); }

  /** Sockets that have said hello, in every event. */
  count(): number { let n = 0; for (const f of this.#feeds.values()) n += f.subscribers.size; return n; }

  close(): void {
    this.#gossip.flush();
    for (const f of this.#feeds.values()) f.finish();
  }
}
