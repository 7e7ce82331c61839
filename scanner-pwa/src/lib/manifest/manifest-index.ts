// The manifest in memory, kept as few objects as possible: tickets in columns with their
// text in one string (ticket-table.ts), orders likewise (order-table.ts), lookups by ticket
// id and imported code in typed-array hash tables (key-table.ts). A collection over the
// page's heap then walks a few dozen objects for 100,000 tickets instead of ~800,000 (the
// row arrays, their strings, and Map entries keyed by them), so a major GC that lands in a
// verdict's frame is short. A ticket becomes an object only when it is looked up.
import type { Ticket } from '@gatekeeper/shared/domain';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import type { Order } from '../ports.ts';
import type { EventId } from '@gatekeeper/shared/ids';
import { KeyTable } from './key-table.ts';
import { OrderTable } from './order-table.ts';
import { TicketTable } from './ticket-table.ts';
import { COL, toTicket, type TicketRow } from './ticket-rows.ts';

export const MIN_SEARCH_LENGTH = 3;

export interface SearchHit { ticket: Ticket; order: Order | null }

/** "holder, order, buyer, ticket id" of every row, lower-cased, in one string. */
interface Haystack { text: string; starts: Int32Array }

/** Between rows of the haystack: a query never spans two rows. */
const ROW_END = '\u0000';

export class ManifestIndex {
  readonly eventId: EventId;
  readonly #rows = new TicketTable();
  readonly #orders = new OrderTable();
  readonly #byId = new KeyTable((pos, id) => this.#rows.pool.equals(this.#rows.ref(pos, COL.id), id));
  readonly #byImported = new KeyTable((pos, hash) => this.#rows.pool.equals(this.#rows.ref(pos, COL.importedCodeHash), hash));
  #revoked = new Set<string>();
  /** Built on the first search, dropped when the rows or orders change. */
  #haystack: Haystack | null = null;

  /** Hash of a scanned text under the event's key: the rows hold imported codes only so. */
  readonly #hashCode: (code: string) => string;

  constructor(eventId: EventId, importedCodeKey: string) {
    this.eventId = eventId;
    this.#hashCode = importedCodeHasher(importedCodeKey);
  }

  get size(): number {
    return this.#rows.size;
  }

  /** Add or replace tickets and orders (a download, a delta, a stored chunk). */
  apply(rows: readonly TicketRow[], orders: readonly Order[]): void {
    for (const o of orders) this.#orders.put(o);
    for (const row of rows) this.#upsert(row);
    this.#rows.seal();
    this.#orders.seal();
    if (rows.length || orders.length) this.#haystack = null;
  }

  setRevoked(ids: Iterable<string>): void {
    this.#revoked = new Set(ids);
  }

  ticket(id: string): Ticket | null {
    const pos = this.#byId.get(id);
    return pos < 0 ? null : this.#materialise(pos);
  }

  /** The ticket whose imported barcode is `code` (the scanned text; hashed here). */
  byImportedCode(code: string): Ticket | null {
    const pos = this.#byImported.get(this.#hashCode(code));
    return pos < 0 ? null : this.#materialise(pos);
  }

  order(id: string): Order | null {
    return this.#orders.order(id);
  }

  /** The order's tickets in the order they were sold (row order). */
  orderTickets(id: string): Ticket[] {
    return this.#orders.tickets(id).map((pos) => this.#materialise(pos));
  }

  /** Tickets whose holder, order id, buyer or ticket id contains the query (≥ 3 characters). */
  search(query: string, limit = 20): SearchHit[] {
    const q = query.trim().toLowerCase();
    if (q.length < MIN_SEARCH_LENGTH) return [];
    const hay = this.#haystack ??= this.#buildHaystack();
    const hits: SearchHit[] = [];
    for (let at = hay.text.indexOf(q); at >= 0 && hits.length < limit;) {
      const pos = rowAt(hay.starts, at);
      const ticket = this.#materialise(pos);
      hits.push({ ticket, order: ticket.orderId ? this.order(ticket.orderId) : null });
      at = pos + 1 < hay.starts.length ? hay.text.indexOf(q, hay.starts[pos + 1]) : -1;
    }
    return hits;
  }

  /** Every row and order, for rewriting the stored chunks. */
  snapshot(): { rows: TicketRow[]; orders: Order[] } {
    const rows: TicketRow[] = [];
    for (let pos = 0; pos < this.#rows.size; pos++) rows.push(this.#rows.row(pos));
    return { rows, orders: this.#orders.all() };
  }

  #materialise(pos: number): Ticket {
    const t = toTicket(this.eventId, this.#rows.row(pos));
    return this.#revoked.has(t.id) && t.status !== 'revoked' ? { ...t, status: 'revoked' } : t;
  }

  #buildHaystack(): Haystack {
    const parts: string[] = [];
    const starts = new Int32Array(this.#rows.size);
    let length = 0;
    for (let pos = 0; pos < this.#rows.size; pos++) {
      const orderId = this.#rows.text(pos, COL.orderId);
      const buyer = orderId ? this.#orders.order(orderId)?.buyerName ?? '' : '';
      const part = `${this.#rows.text(pos, COL.holderName) ?? ''}\u0001${orderId ?? ''}\u0001${buyer}\u0001${this.#rows.text(pos, COL.id)}${ROW_END}`.toLowerCase();
      starts[pos] = length;
      length += part.length;
      parts.push(part);
    }
    return { text: parts.join(''), starts };
  }

  #upsert(row: TicketRow): void {
    const id = row[COL.id] as string;
    const code = row[COL.importedCodeHash] as string | null;
    let pos = this.#byId.get(id);
    if (pos < 0) {
      pos = this.#rows.push(row);
      this.#byId.set(id, pos);
    } else {
      this.#rows.set(pos, row);
    }
    // A code that moved away from this row no longer matches it (key-table.ts).
    if (code !== null) this.#byImported.set(code, pos);
    this.#orders.assign(pos, row[COL.orderId] as string | null);
  }
}

/** The row whose haystack span holds offset `at`. */
function rowAt(starts: Int32Array, at: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid] <= at) lo = mid; else hi = mid - 1;
  }
  return lo;
}
