// One event's feed: the scans stored for the event, in sequence, to every socket of the
// event. A socket is either live (gossip written as it comes) or behind: catching up from
// storage, by cursor, one page at a time. While behind, gossip for it is not kept in
// memory at all, only the highest cursor it would have carried; the catch-up reads on
// until it has passed that cursor, then the socket is live again. So a socket that stops
// reading costs the server one page, however much is stored meanwhile, and misses nothing.
//
// A socket falls behind in three ways: its hello named a cursor (the welcome's catch-up),
// it asked for a `catchup`, or gossip found it backed up (it reads slower than the event
// is scanned). One catch-up runs at a time per socket; a request while one runs is
// remembered (the lowest cursor asked for) and runs once after it, however many arrive.
//
// Gossip comes in order from the event's tail (event-tail.ts), each batch the scans after
// one cursor up to another. A live socket whose last cursor is below a batch's start (it
// joined from a cursor read before the tail's) catches up from storage instead, so no
// socket is ever told a cursor past a scan it was not sent.
import type { Conflict } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import { MAX_BATCH, type Down } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { Storage, StoredScan } from '../storage/types.ts';
import type { Connection } from './connection.ts';
import { OutgoingMessage } from './frames.ts';
import { Stagger } from './stagger.ts';

/** Slices one gossip message's writes are spread over under load (stagger.ts). */
const GOSSIP_SLICES = 10;
/**
 * Scans per catch-up page (the protocol allows up to MAX_BATCH). A page of 1,000 is ~400 kB
 * of JSON: V8 puts a string that large in its large-object space, which only a full
 * collection frees, and 50 stalled readers filling their kernel buffers with such pages
 * grew the server by 155 MB (server.memory.slowReaders). A page of 200 (~80 kB) dies young.
 */
const PAGE_SCANS = Math.min(200, MAX_BATCH);
/** Conflicts kept for a socket while it catches up (they follow the scans they name). */
const MAX_HELD_CONFLICTS = 1000;

export interface FeedDeps {
  storage: Pick<Storage, 'scansAfter' | 'latestCursor'>;
  log: Logger;
  /** A socket that would need more held for it than a phone ever does: close it. */
  tooSlow(conn: Connection): void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One connection's place in its event's feed. */
export class Subscriber {
  /** Every scan up to this sequence number has been written to the socket. */
  sent = 0;
  /** The highest cursor of gossip not written while the socket was behind. */
  withheld = 0;
  /** Gossip is written as it comes; false from joining until the welcome, and while catching up. */
  live = false;
  gone = false;
  readonly heldConflicts: Down[] = [];
  running = false;
  /** A catch-up asked for while one runs: the lowest cursor asked for. */
  queued: number | null = null;

  constructor(readonly conn: Connection) {}
}

export class EventFeed {
  readonly subscribers = new Set<Subscriber>();
  readonly #stagger = new Stagger();

  constructor(readonly eventId: EventId, private readonly deps: FeedDeps) {}

  /** Joins behind (gossip withheld), so nothing reaches the client before its welcome; then `start`. */
  join(conn: Connection): Subscriber {
    const s = new Subscriber(conn);
    this.subscribers.add(s);
    return s;
  }

  leave(s: Subscriber): void {
    s.gone = true;
    this.subscribers.delete(s);
  }

  /** After the welcome: catch up from the hello's cursor, or go live from the welcome's. */
  start(s: Subscriber, from: number | null, welcomeCursor: number): void {
    if (from !== null) { s.sent = from; this.catchUp(s, from, true); return; }
    s.sent = welcomeCursor;
    if (s.withheld > welcomeCursor) this.catchUp(s, welcomeCursor, false);
    else this.#goLive(s);
  }

  /**
   * Send everything after `from`, page by page, waiting for the socket to drain between
   * pages. `answer`: the client asked, and gets at least one page (maybe empty) as its answer.
   */
  catchUp(s: Subscriber, from: number, answer = true): void {
    s.live = false;
    if (s.running) { s.queued = Math.min(s.queued ?? from, from); return; }
    s.running = true;
    void this.#run(s, from, answer)
      .catch((e: unknown) => {
        this.deps.log.error('catch-up failed', { event: this.eventId, device: s.conn.deviceId, err: String(e) });
        // Cursor-exact delivery cannot go on; the phone reconnects and resumes from its cursor.
        this.deps.tooSlow(s.conn);
      })
      .finally(() => { s.running = false; });
  }

  async #run(s: Subscriber, from: number, answer: boolean): Promise<void> {
    let next: number | null = from;
    while (next !== null && !s.gone) {
      await this.#pages(s, next, answer);
      answer = s.queued !== null;
      next = s.queued ?? (s.withheld > s.sent ? s.sent : null);
      s.queued = null;
    }
    if (!s.gone) this.#goLive(s);
  }

  async #pages(s: Subscriber, from: number, answer: boolean): Promise<void> {
    const { writer } = s.conn;
    let cursor = from;
    for (let first = true; ; first = false) {
      if (writer.backedUp && !(await writer.drained())) return;
      if (s.gone) return;
      const page = await this.deps.storage.scansAfter(this.eventId, cursor, PAGE_SCANS);
      if (s.gone) return;
      const more = page.more || s.withheld > page.cursor;
      if (page.scans.length > 0 || (first && answer)) {
        if (!s.conn.sendPaced({ type: 'scans', scans: page.scans.map((x) => x.scan), cursor: page.cursor, more })) return;
      }
      cursor = page.cursor;
      // What this catch-up wrote, not the highest cursor ever written: a phone whose hello
      // cursor is past the log's end (its server restored from a backup) asks again from 0,
      // and gossip after that catch-up would otherwise count as sent already and never
      // reach it (pwa-replaced-database.test.ts). Lower than before only ever sends again.
      s.sent = cursor;
      if (!more) return;
      // Other sockets' verdicts go between the pages of a long catch-up.
      await nextTurn();
    }
  }

  #goLive(s: Subscriber): void {
    s.live = true;
    for (const m of s.heldConflicts.splice(0)) s.conn.send(m);
  }

  #deliver(s: Subscriber, out: OutgoingMessage, from: number, cursor: number): void {
    if (s.gone) return;
    if (!s.live) { s.withheld = Math.max(s.withheld, cursor); return; }
    if (cursor <= s.sent) return;
    if (s.conn.writer.backedUp || s.sent < from) {
      // Reading slower than the event is scanned, or behind where this batch starts: read
      // it from storage (once it drains).
      s.withheld = Math.max(s.withheld, cursor);
      this.catchUp(s, s.sent, false);
      return;
    }
    if (s.conn.sendPaced(out)) s.sent = Math.max(s.sent, cursor);
  }

  /** Gossip: one message for every socket, serialised and compressed at most once (frames.ts). */
  fanOut(scans: StoredScan[], from: number, cursor: number, spreadMs: number): void {
    if (this.subscribers.size === 0) return;
    // The scanner that made a scan gets it too (it dedupes by id), which keeps the cursor
    // meaning simple: every scan up to it has been sent.
    const out = new OutgoingMessage({ type: 'scans', scans: scans.map((s) => s.scan), cursor, more: false });
    const list = [...this.subscribers];
    const slices = Math.min(GOSSIP_SLICES, list.length);
    const per = Math.ceil(list.length / Math.max(1, slices));
    const parts = Array.from({ length: slices }, (_, i) => () => {
      for (const s of list.slice(i * per, (i + 1) * per)) this.#deliver(s, out, from, cursor);
    });
    this.#stagger.run(parts, spreadMs);
  }

  /** Conflicts go at once, after the scans they name: to both devices, and to every supervisor. */
  conflicts(conflicts: Conflict[]): void {
    this.#stagger.finish();
    for (const s of this.subscribers) {
      for (const c of conflicts) {
        const involved = c.winner.deviceId === s.conn.deviceId || c.loser.deviceId === s.conn.deviceId;
        if (!involved && s.conn.staff.role === 'inspector') continue;
        // About an annulment (version 7): an older app would drop `kind` and `annulment` and
        // show it as a fresh double admission, so it is not told.
        if ((c.kind !== undefined || c.annulment !== undefined) && s.conn.version < 7) continue;
        const msg: Down = { type: 'conflict', conflict: c };
        if (s.live) { s.conn.send(msg); continue; }
        if (s.heldConflicts.length >= MAX_HELD_CONFLICTS) { this.deps.tooSlow(s.conn); break; }
        s.heldConflicts.push(msg);
      }
    }
  }

  /** A notice for every socket of the event (the code word changed), of `minVersion` or later. */
  broadcast(msg: Down, minVersion = 1): void {
    for (const s of this.subscribers) if (s.conn.version >= minVersion) s.conn.send(msg);
  }

  finish(): void { this.#stagger.finish(); }
}
