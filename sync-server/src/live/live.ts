// The supervisors' live view: each event's counters (counters.ts), the sockets subscribed
// to them, and what is pushed to those sockets: a delta per gossiped batch, device alerts,
// conflict reviews. Conflicts themselves reach every supervisor's socket through the feed
// (hub/feed.ts) as they always did.
//
// A delta goes out for each batch gossip sends (hub/feeds.ts calls `gossiped` from the
// gossip flush), not on a timer of its own: gossip already coalesces scans under load (one
// message per burst, gossip.ts), so at 500 scans/s a supervisor gets as few messages as a
// scanner does. Counting a batch reads the earlier scans of the tickets it touched (a few
// rows each, by scans_ticket), so the delta leaves once that read is answered; batches of
// one event are counted one after another, in the order gossip sent them.
//
// An event's counters are built when a supervisor subscribes, from the tally storage keeps
// as it stores scans (milliseconds for a million scans), and dropped when the last one
// leaves: an event nobody watches costs nothing. A batch gossiped while the tally is read
// waits for it; the scans the tally already holds, by sequence number, are not counted twice.
// GET …/live reads the tally and keeps nothing, unless the event is watched anyway.
import type { EventId, ScanId } from '@gatekeeper/shared/ids';
import { GkError, type ConflictReview, type DeviceAlert, type Down, type LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { Storage, StoredScan } from '../storage/types.ts';
import { OutgoingMessage } from '../hub/frames.ts';
import { LiveCounters } from './counters.ts';

/** Who a live message goes to: a socket of the event (hub/connection.ts). */
export interface LiveReader {
  readonly eventId: EventId;
  readonly staff: { role: string };
  readonly open: boolean;
  send(msg: Down | OutgoingMessage): void;
}

export interface LiveDeps {
  storage: Pick<Storage, 'liveTally' | 'scansOfTickets' | 'admissibleTicketCount'>;
  log: Logger;
}

class EventLive {
  ticketsSold = 0;
  readonly readers = new Set<LiveReader>();
  /** The batches being counted, one after another: each reads what the one before counted. */
  queue: Promise<void> = Promise.resolve();
  constructor(readonly ready: Promise<LiveCounters>) {}
}

export class Live {
  readonly #events = new Map<EventId, EventLive>();

  constructor(private readonly deps: LiveDeps) {}

  /** Counters of an event and how many tickets it sold, from storage. */
  async #build(eventId: EventId): Promise<{ counters: LiveCounters; ticketsSold: number }> {
    const ticketsSold = await this.deps.storage.admissibleTicketCount(eventId);
    return { counters: LiveCounters.fromTally(await this.deps.storage.liveTally(eventId)), ticketsSold };
  }

  /** A watched event's counters, built on first use. */
  #watch(eventId: EventId): EventLive {
    let ev = this.#events.get(eventId);
    if (!ev) {
      const built = this.#build(eventId).then(({ counters, ticketsSold }) => {
        watched.ticketsSold = ticketsSold;
        return counters;
      });
      const watched = new EventLive(built);
      this.#events.set(eventId, (ev = watched));
      // A build that failed (storage unreadable) is tried again by the next caller.
      built.catch((e: unknown) => {
        this.deps.log.error('could not build live counters', { event: eventId, err: String(e) });
        if (this.#events.get(eventId) === watched) this.#events.delete(eventId);
      });
    }
    return ev;
  }

  /** Nobody watches the event any more: its counters go. */
  #release(eventId: EventId, ev: EventLive): void {
    if (ev.readers.size === 0 && this.#events.get(eventId) === ev) this.#events.delete(eventId);
  }

  /** The event's counters now (GET …/live). */
  async snapshot(eventId: EventId): Promise<LiveSnapshot> {
    const ev = this.#events.get(eventId);
    if (ev) {
      const counters = await ev.ready;
      return counters.snapshot(eventId, ev.ticketsSold);
    }
    const { counters, ticketsSold } = await this.#build(eventId);
    return counters.snapshot(eventId, ticketsSold);
  }

  /** A socket asks for the live view: a supervisor's or admin's gets the snapshot, then every change. */
  async subscribe(reader: LiveReader): Promise<void> {
    if (reader.staff.role === 'inspector') throw new GkError('forbidden', 'the live view is for supervisors');
    const ev = this.#watch(reader.eventId);
    const counters = await ev.ready;
    if (!reader.open) { this.#release(reader.eventId, ev); return; }
    // Snapshot and subscription in one turn: no batch can be counted between them.
    reader.send({ type: 'live', snapshot: counters.snapshot(reader.eventId, ev.ticketsSold) });
    ev.readers.add(reader);
  }

  leave(reader: LiveReader): void {
    const ev = this.#events.get(reader.eventId);
    if (!ev) return;
    ev.readers.delete(reader);
    this.#release(reader.eventId, ev);
  }

  /** A batch of stored scans is being gossiped now (feeds.ts): count it and push what changed. */
  gossiped(eventId: EventId, scans: readonly StoredScan[]): void {
    const ev = this.#events.get(eventId);
    if (!ev) return;
    ev.queue = ev.queue
      .then(() => ev.ready)
      .then(async (counters) => {
        const fresh = scans.filter((s) => s.seq > counters.cursor);
        if (fresh.length === 0) return;
        const tickets = [...new Set(fresh.flatMap((s) => (s.scan.ticketId === null ? [] : [s.scan.ticketId])))];
        const prior = await this.deps.storage.scansOfTickets(eventId, tickets, counters.cursor);
        const changes = counters.apply(fresh, prior);
        this.#push(ev, { type: 'liveDelta', delta: counters.delta(eventId, changes) });
      })
      .catch((e: unknown) => this.deps.log.error('could not count a batch for the live view', { event: eventId, err: String(e) }));
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
