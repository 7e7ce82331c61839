// The manifest in memory: rows as downloaded, and maps from ticket id, imported code and
// order id to a row. Tickets become objects only when looked up, so indexing 100,000 rows
// is a few map inserts each (~40 ms), not 100,000 allocations of a dozen fields.
import type { Ticket } from '@gatekeeper/shared/domain';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import type { Order } from '../ports.ts';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import { COL, toTicket, type TicketRow } from './ticket-rows.ts';

export const MIN_SEARCH_LENGTH = 3;

export interface SearchHit { ticket: Ticket; order: Order | null }

export class ManifestIndex {
  readonly eventId: EventId;
  #rows: TicketRow[] = [];
  #byId = new Map<string, number>();
  #byImported = new Map<string, number>();
  #byOrder = new Map<string, number[]>();
  #orders = new Map<string, Order>();
  #revoked = new Set<string>();
  /** Lower-cased "holder, order, buyer, ticket id" per row; built on the first search. */
  #haystack: string[] | null = null;

  /** Hash of a scanned text under the event's key: the rows hold imported codes only so. */
  readonly #hashCode: (code: string) => string;

  constructor(eventId: EventId, importedCodeKey: string) {
    this.eventId = eventId;
    this.#hashCode = importedCodeHasher(importedCodeKey);
  }

  get size(): number {
    return this.#rows.length;
  }

  /** Add or replace tickets and orders (a download, a delta, a stored chunk). */
  apply(rows: readonly TicketRow[], orders: readonly Order[]): void {
    for (const o of orders) this.#orders.set(o.id, o);
    for (const row of rows) this.#upsert(row);
    if (orders.length && this.#haystack) this.#haystack = null; // buyer names changed
  }

  setRevoked(ids: Iterable<string>): void {
    this.#revoked = new Set(ids);
  }

  ticket(id: string): Ticket | null {
    const pos = this.#byId.get(id);
    return pos === undefined ? null : this.#materialise(this.#rows[pos]);
  }

  /** The ticket whose imported barcode is `code` (the scanned text; hashed here). */
  byImportedCode(code: string): Ticket | null {
    const pos = this.#byImported.get(this.#hashCode(code));
    return pos === undefined ? null : this.#materialise(this.#rows[pos]);
  }

  order(id: string): Order | null {
    return this.#orders.get(id) ?? null;
  }

  /** The order's tickets in the order they were sold (row order). */
  orderTickets(id: string): Ticket[] {
    return (this.#byOrder.get(id) ?? []).map((pos) => this.#materialise(this.#rows[pos]));
  }

  /** Tickets whose holder, order id, buyer or ticket id contains the query (≥ 3 characters). */
  search(query: string, limit = 20): SearchHit[] {
    const q = query.trim().toLowerCase();
    if (q.length < MIN_SEARCH_LENGTH) return [];
    const hay = this.#haystack ??= this.#rows.map((r) => this.#hayOf(r));
    const hits: SearchHit[] = [];
    for (let i = 0; i < hay.length && hits.length < limit; i++) {
      if (hay[i].includes(q)) {
        const ticket = this.#materialise(this.#rows[i]);
        hits.push({ ticket, order: ticket.orderId ? this.order(ticket.orderId) : null });
      }
    }
    return hits;
  }

  /** Every row and order, for rewriting the stored chunks. */
  snapshot(): { rows: TicketRow[]; orders: Order[] } {
    return { rows: [...this.#rows], orders: [...this.#orders.values()] };
  }

  #materialise(row: TicketRow): Ticket {
    const t = toTicket(this.eventId, row);
    return this.#revoked.has(t.id) && t.status !== 'revoked' ? { ...t, status: 'revoked' } : t;
  }

  #hayOf(row: TicketRow): string {
    const orderId = row[COL.orderId] as OrderId | null;
    const buyer = orderId ? this.#orders.get(orderId)?.buyerName ?? '' : '';
    return `${row[COL.holderName] ?? ''}\u0001${orderId ?? ''}\u0001${buyer}\u0001${row[COL.id]}`.toLowerCase();
  }

  #upsert(row: TicketRow): void {
    const id = row[COL.id] as TicketId;
    const code = row[COL.importedCodeHash] as string | null;
    const orderId = row[COL.orderId] as string | null;
    const pos = this.#byId.get(id);
    if (pos === undefined) {
      const p = this.#rows.push(row) - 1;
      this.#byId.set(id, p);
      if (code !== null) this.#byImported.set(code, p);
      if (orderId !== null) {
        const list = this.#byOrder.get(orderId);
        if (list) list.push(p); else this.#byOrder.set(orderId, [p]);
      }
      if (this.#haystack) this.#haystack.push(this.#hayOf(row));
      return;
    }
    const old = this.#rows[pos];
    const oldCode = old[COL.importedCodeHash] as string | null;
    const oldOrder = old[COL.orderId] as string | null;
    if (oldCode !== code) {
      if (oldCode !== null && this.#byImported.get(oldCode) === pos) this.#byImported.delete(oldCode);
      if (code !== null) this.#byImported.set(code, pos);
    }
    if (oldOrder !== orderId) {
      if (oldOrder !== null) {
        const list = this.#byOrder.get(oldOrder)?.filter((p) => p !== pos) ?? [];
        if (list.length) this.#byOrder.set(oldOrder, list); else this.#byOrder.delete(oldOrder);
      }
      if (orderId !== null) {
        const list = this.#byOrder.get(orderId);
        if (list) list.push(pos); else this.#byOrder.set(orderId, [pos]);
      }
    }
    this.#rows[pos] = row;
    if (this.#haystack) this.#haystack[pos] = this.#hayOf(row);
  }
}
