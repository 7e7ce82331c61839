// The checks both import formats share: the domain schema with the defaults filled in,
// a ticket id and an imported code once per file, one buyer per order; and the error list
// they all report into. Kept apart from tickets.ts (the entry and the CSV path) so the
// JSON reader can use it without the two readers importing each other.
import { zTicket, type Order, type Ticket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';

/** Data rows (CSV) or tickets (JSON) in one file: a stadium sells fewer. */
export const MAX_IMPORT_ROWS = 200_000;
/** Errors listed; past this one more error says how many were left out. */
export const MAX_LISTED_ERRORS = 1000;

/**
 * One thing wrong with a file. `row`: in CSV the spreadsheet row (header = 1, a quoted
 * field with line breaks is still one row); in JSON the item's 1-based place in its list,
 * with `field` saying which list (`tickets.status`, `orders.email`). Row 0: the whole file.
 */
export interface ImportError { row: number; field?: string; message: string }

export const TICKET_DEFAULTS = {
  orderId: null, holderName: null, seat: null, kind: 'event', eTicket: true, status: 'paid',
  validFrom: null, validUntil: null, idCheck: false, importedCode: null,
} as const;

interface OrderEntry { order: Order; row: number; listed: boolean }

/** The orders and tickets read so far, and the rows they came from. */
export class Book {
  readonly tickets: Ticket[] = [];
  readonly orders = new Map<OrderId, OrderEntry>();
  private readonly ticketRows = new Map<TicketId, number>();
  private readonly codeRows = new Map<string, number>();
  readonly eventId: EventId;
  private readonly errors: ErrorList;
  constructor(eventId: EventId, errors: ErrorList) {
    this.eventId = eventId;
    this.errors = errors;
  }

  /** Validate one ticket against the domain schema and the rest of the file. */
  ticket(fields: Record<string, unknown>, row: number, fieldName: (key: string) => string): Ticket | null {
    const parsed = zTicket.safeParse({ ...TICKET_DEFAULTS, ...fields, eventId: this.eventId });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) this.errors.add(row, fieldName(issue.path.join('.')), issue.message);
      return null;
    }
    const t = parsed.data;
    let ok = true;
    if (t.validFrom !== null && t.validUntil !== null && t.validUntil < t.validFrom) {
      this.errors.add(row, fieldName('validUntil'), 'is before valid from');
      ok = false;
    }
    const first = this.ticketRows.get(t.id);
    if (first !== undefined) {
      this.errors.add(row, fieldName('id'), `ticket ${t.id} is already on row ${first}`);
      ok = false;
    } else {
      this.ticketRows.set(t.id, row);
    }
    if (t.importedCode !== null) {
      const codeFirst = this.codeRows.get(t.importedCode);
      if (codeFirst !== undefined) {
        this.errors.add(row, fieldName('importedCode'), `imported code ${t.importedCode} is already on row ${codeFirst}`);
        ok = false;
      } else {
        this.codeRows.set(t.importedCode, row);
      }
    }
    if (!ok) return null;
    this.tickets.push(t);
    return t;
  }

  /** An order as a JSON file lists it: each id once. */
  listedOrder(order: Order, row: number): void {
    const first = this.orders.get(order.id);
    if (first) this.errors.add(row, 'orders.id', `order ${order.id} is already on row ${first.row}`);
    else this.orders.set(order.id, { order, row, listed: true });
  }

  /** An order as ticket rows name it: the first row with a buyer name or email sets it. */
  /** `mobile` null: the file says nothing of it (the kept number stays, see zOrder.mobile). */
  orderFromRow(id: OrderId, buyerName: string | null, email: string | null, row: number, mobile: string | null = null): void {
    const entry = this.orders.get(id);
    if (!entry) {
      this.orders.set(id, { order: { id, eventId: this.eventId, buyerName, email, ...(mobile !== null ? { mobile } : {}) }, row, listed: false });
      return;
    }
    if (entry.listed) return;
    const o = entry.order;
    if (buyerName !== null) {
      if (o.buyerName === null) o.buyerName = buyerName;
      else if (o.buyerName !== buyerName) this.errors.add(row, 'buyer_name', `order ${id} already has buyer ${JSON.stringify(o.buyerName)} (row ${entry.row})`);
    }
    if (email !== null) {
      if (o.email === null) o.email = email;
      else if (o.email !== email) this.errors.add(row, 'email', `order ${id} already has email ${o.email} (row ${entry.row})`);
    }
    if (mobile !== null) {
      if (o.mobile == null) o.mobile = mobile;
      else if (o.mobile !== mobile) this.errors.add(row, 'mobile', `order ${id} already has mobile ${o.mobile} (row ${entry.row})`);
    }
  }
}

/** Collects errors; keeps the first MAX_LISTED_ERRORS and counts the rest. */
export class ErrorList {
  private readonly list: ImportError[] = [];
  private left = 0;
  get count(): number { return this.list.length + this.left; }
  add(row: number, field: string | undefined, message: string): void {
    if (this.list.length >= MAX_LISTED_ERRORS) this.left++;
    else this.list.push(field === undefined ? { row, message } : { row, field, message });
  }
  finish(): ImportError[] {
    if (this.left === 0) return this.list;
    return [...this.list, { row: 0, message: `${this.left} more error${this.left > 1 ? 's' : ''} not listed; fix these and import again` }];
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
