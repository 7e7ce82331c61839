// The manifest's orders, and which ticket rows belong to each, in typed arrays (see
// ticket-table.ts for why). An order id that tickets name gets a slot even before, or
// without, its order record: the tickets of an order are found by the id they carry.
// Each order's tickets are a chain through the rows (first, then next of each), in the
// order they were added: the order they were sold.
import type { Order } from '../ports.ts';
import { KeyTable } from './key-table.ts';
import { StringPool, type StringRef } from './string-pool.ts';

const NONE = -1;

function grown(a: Int32Array<ArrayBuffer>, min: number): Int32Array<ArrayBuffer> {
  if (min <= a.length) return a;
  const b = new Int32Array(Math.max(min, a.length * 2)).fill(NONE);
  b.set(a);
  return b;
}

export class OrderTable {
  readonly #pool = new StringPool();
  #slots = 0;
  // Per order slot.
  #id = new Int32Array(256).fill(NONE);
  #eventId = new Int32Array(256).fill(NONE);
  #buyer = new Int32Array(256).fill(NONE);
  /** 1: the order's record is known (not only its id, from a ticket). */
  #known = new Uint8Array(256);
  #first = new Int32Array(256).fill(NONE);
  #last = new Int32Array(256).fill(NONE);
  // Per ticket row.
  #slotOf = new Int32Array(1024).fill(NONE);
  #next = new Int32Array(1024).fill(NONE);
  readonly #byId = new KeyTable((slot, id) => this.#pool.equals(this.#id[slot], id));
  /** Nearly every order is of the one event: its id is kept once. */
  readonly #eventIds = new Map<string, StringRef>();

  /** The order's slot, or -1 when no ticket or record names it. */
  find(id: string): number {
    return this.#byId.get(id);
  }

  /** Record an order (new, or replacing its earlier record). */
  put(o: Order): void {
    const slot = this.#slot(o.id);
    let eventId = this.#eventIds.get(o.eventId);
    if (eventId === undefined) this.#eventIds.set(o.eventId, eventId = this.#pool.add(o.eventId));
    this.#eventId[slot] = eventId;
    this.#buyer[slot] = this.#pool.addOrNull(o.buyerName);
    this.#known[slot] = 1;
  }

  order(id: string): Order | null {
    const slot = this.find(id);
    if (slot < 0 || !this.#known[slot]) return null;
    // Every field of a manifest order: a new one is a type error here until it is kept.
    const order: Order = {
      id: this.#pool.get(this.#id[slot]) as Order['id'],
      eventId: this.#pool.get(this.#eventId[slot]) as Order['eventId'],
      buyerName: this.#pool.getOrNull(this.#buyer[slot]),
    };
    return order;
  }

  /** Every known order record. */
  all(): Order[] {
    const out: Order[] = [];
    for (let s = 0; s < this.#slots; s++) if (this.#known[s]) out.push(this.order(this.#pool.get(this.#id[s]))!);
    return out;
  }

  /** Ticket row `pos` belongs to order `id` (null: to none) from now on. */
  assign(pos: number, id: string | null): void {
    this.#slotOf = grown(this.#slotOf, pos + 1);
    this.#next = grown(this.#next, pos + 1);
    const was = this.#slotOf[pos];
    const slot = id === null ? NONE : this.#slot(id);
    if (was === slot) return;
    if (was !== NONE) this.#unlink(was, pos);
    this.#slotOf[pos] = slot;
    if (slot === NONE) return;
    this.#next[pos] = NONE;
    if (this.#last[slot] === NONE) this.#first[slot] = pos; else this.#next[this.#last[slot]] = pos;
    this.#last[slot] = pos;
  }

  /** The rows of order `id`'s tickets, in the order they were added. */
  tickets(id: string): number[] {
    const slot = this.find(id);
    const out: number[] = [];
    if (slot < 0) return out;
    for (let p = this.#first[slot]; p !== NONE; p = this.#next[p]) out.push(p);
    return out;
  }

  /** Call after a batch of put/assign (see StringPool.seal). */
  seal(): void {
    this.#pool.seal();
  }

  #slot(id: string): number {
    const found = this.#byId.get(id);
    if (found >= 0) return found;
    const slot = this.#slots++;
    if (slot === this.#id.length) {
      const n = slot * 2;
      [this.#id, this.#eventId, this.#buyer, this.#first, this.#last] = [this.#id, this.#eventId, this.#buyer, this.#first, this.#last].map((a) => grown(a, n));
      const known = new Uint8Array(n);
      known.set(this.#known);
      this.#known = known;
    }
    this.#id[slot] = this.#pool.add(id);
    this.#byId.set(id, slot);
    return slot;
  }

  #unlink(slot: number, pos: number): void {
    let prev = NONE;
    let p = this.#first[slot];
    while (p !== NONE && p !== pos) { prev = p; p = this.#next[p]; }
    if (p === NONE) return;
    if (prev === NONE) this.#first[slot] = this.#next[pos]; else this.#next[prev] = this.#next[pos];
    if (this.#last[slot] === pos) this.#last[slot] = prev;
    this.#next[pos] = NONE;
  }
}

