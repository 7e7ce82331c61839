// The supervisors' live view: each event's counters (counters.ts), the sockets subscribed
// to them, and what is pushed to those sockets: a delta per gossiped batch, device alerts,
// conflict reviews. Conflicts themselves reach every supervisor's socket through the feed
// (hub/feed.ts) as they always did.
//
// A delta goes out when the batch's gossip does (hub/feeds.ts calls `gossiped` from the
// gossip flush), not on a timer of its own: gossip already coalesces scans under load (one
// message per burst, gossip.ts), so at 500 scans/s a supervisor gets as few messages as a
// scanner does, and the counters are never later than the scans a scanner hears. A timer
// would add its whole period to every update at a quiet gate.
//
// An event's counters are built when first asked for (a subscription, GET …/live), from
// storage, page by page; what is gossiped meanwhile waits and is counted after the pages
// (the scans the pages already held, by sequence number, are not counted twice). From then
// on every gossiped batch is counted, whether anyone watches or not.
import type { EventId, ScanId } from '@gatekeeper/shared/ids';
import { GkError, type ConflictReview, type DeviceAlert, type Down, type LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { Storage, StoredScan } from '../storage/types.ts';
import { OutgoingMessage } from '../hub/frames.ts';
import { LiveCounters } from './counters.ts';

/** Scans read per page while counters are built; between pages other work runs. */
const BUILD_PAGE = 5000;

/** Who a live message goes to: a socket of the event (hub/connection.ts). */
export interface LiveReader {
  readonly eventId: EventId;
  readonly staff: { role: string };
  readonly open: boolean;
  send(msg: Down | OutgoingMessage): void;
}

export interface LiveDeps {
  storage: Pick<Storage, 'scansAfter' | 'admissibleTicketCount'>;
  log: Logger;
}

class EventLive {
  counters: LiveCounters | null = null;
  /** Gossiped while the counters are built. */
  pending: StoredScan[] = [];
  ready: Promise<LiveCounters>;
  ticketsSold = 0;
  readonly readers = new Set<LiveReader>();
  constructor(build: (ev: EventLive) => Promise<LiveCounters>) { this.ready = build(this); }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Live {
  readonly #events = new Map<EventId, EventLive>();

  constructor(private readonly deps: LiveDeps) {}

  /** Counters of an event, built on first use. */
  #event(eventId: EventId): EventLive {
    let ev = this.#events.get(eventId);
    if (!ev) {
      ev = new EventLive((e) => this.#build(eventId, e));
      this.#events.set(eventId, ev);
      const built = ev;
      // A build that failed (storage unreadable) is tried again by the next caller.
      built.ready.catch((e: unknown) => {
        this.deps.log.error('could not build live counters', { event: eventId, err: String(e) });
        if (this.#events.get(eventId) === built) this.#events.delete(eventId);
      });
    }
    return ev;
  }

  async #build(eventId: EventId, ev: EventLive): Promise<LiveCounters> {
    const counters = new LiveCounters();
    ev.ticketsSold = await this.deps.storage.admissibleTicketCount(eventId);
    for (let cursor = 0; ;) {
      const page = await this.deps.storage.scansAfter(eventId, cursor, BUILD_PAGE);
      counters.apply(page.scans);
      cursor = page.cursor;
      if (!page.more) break;
      await nextTurn();
    }
    counters.apply(ev.pending.filter((s) => s.seq > counters.cursor));
    ev.pending = [];
    ev.counters = counters;
    return counters;
  }

  /** The event's counters now (GET …/live, and a subscription's first message). */
  async snapshot(eventId: EventId): Promise<LiveSnapshot> {
    const ev = this.#event(eventId);
    const counters = await ev.ready;
    return counters.snapshot(eventId, ev.ticketsSold);
  }

  /** A socket asks for the live view: a supervisor's or admin's gets the snapshot, then every change. */
  async subscribe(reader: LiveReader): Promise<void> {
    if (reader.staff.role === 'inspector') throw new GkError('forbidden', 'the live view is for supervisors');
    const ev = this.#event(reader.eventId);
    const counters = await ev.ready;
    if (!reader.open) return;
    // Snapshot and subscription in one turn: no batch can be counted between them.
    reader.send({ type: 'live', snapshot: counters.snapshot(reader.eventId, ev.ticketsSold) });
    ev.readers.add(reader);
  }

  leave(reader: LiveReader): void {
    this.#events.get(reader.eventId)?.readers.delete(reader);
  }

  /** A batch of stored scans is being gossiped now (feeds.ts): count it and push what changed. */
  gossiped(eventId: EventId, scans: readonly StoredScan[]): void {
    const ev = this.#events.get(eventId);
    if (!ev) return;
    if (!ev.counters) { ev.pending.push(...scans); return; }
    const changes = ev.counters.apply(scans);
    this.#push(ev, { type: 'liveDelta', delta: ev.counters.delta(eventId, changes) });
  }

  /** Tickets were imported or changed status: count them again and push the new total. */
  async ticketsChanged(eventId: EventId): Promise<void> {
    const ev = this.#events.get(eventId);
    if (!ev) return;
    const counters = await ev.ready;
    ev.ticketsSold = await this.deps.storage.admissibleTicketCount(eventId);
    this.#push(ev, {
      type: 'liveDelta',
      delta: { eventId, cursor: counters.cursor, ticketsSold: ev.ticketsSold, checkpoints: [], zones: [], minutes: [], outcomes: [], quarantine: [] },
    });
  }

  alerted(eventId: EventId, alert: DeviceAlert): void {
    const ev = this.#events.get(eventId);
    if (ev) this.#push(ev, { type: 'liveAlert', alert });
  }

  reviewed(eventId: EventId, conflictId: ScanId, review: ConflictReview): void {
    const ev = this.#events.get(eventId);
    if (ev) this.#push(ev, { type: 'conflictReviewed', eventId, conflictId, review });
  }

  #push(ev: EventLive, msg: Down): void {
    if (ev.readers.size === 0) return;
    const out = new OutgoingMessage(msg);
    for (const r of ev.readers) r.send(out);
  }
}
