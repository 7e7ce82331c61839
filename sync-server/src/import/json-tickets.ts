// The JSON reader of ticket imports: { "orders": [...], "tickets": [...] } or a plain array
// of tickets, with the domain's field names. eventId may be left out; fields with a default
// may be left out; validFrom/validUntil are epoch milliseconds or ISO 8601 strings as in CSV.
// Every item goes through the same Book as a CSV row (ticket-book.ts).
import { zOrder, zTicket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import { dateTime, email, mobile } from './cells.ts';
import { isObject, MAX_IMPORT_ROWS, messageOf, type Book, type ErrorList } from './ticket-book.ts';

const TICKET_KEYS = new Set(Object.keys(zTicket.shape));
const ORDER_KEYS = new Set(Object.keys(zOrder.shape));

export function readJson(source: string, book: Book, errors: ErrorList): void {
  let doc: unknown;
  try {
    doc = JSON.parse(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  } catch (e) {
    errors.add(0, undefined, `not valid JSON: ${messageOf(e)}`);
    return;
  }
  let orders: unknown[] = [];
  let tickets: unknown[];
  if (Array.isArray(doc)) {
    tickets = doc;
  } else if (isObject(doc) && Array.isArray(doc.tickets) && (doc.orders === undefined || Array.isArray(doc.orders))) {
    const extra = Object.keys(doc).filter((k) => k !== 'orders' && k !== 'tickets');
    if (extra.length) {
      errors.add(0, undefined, `unknown top-level key${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; expected orders and tickets`);
      return;
    }
    tickets = doc.tickets;
    orders = (doc.orders as unknown[] | undefined) ?? [];
  } else {
    errors.add(0, undefined, 'expected { "orders": [...], "tickets": [...] } or an array of tickets');
    return;
  }
  if (tickets.length > MAX_IMPORT_ROWS || orders.length > MAX_IMPORT_ROWS) {
    errors.add(0, undefined, `the file has ${Math.max(tickets.length, orders.length)} items in one list; at most ${MAX_IMPORT_ROWS} can be imported at once: split it`);
    return;
  }

  orders.forEach((item, k) => {
    const row = k + 1;
    const fields = jsonItem(item, row, 'orders', ORDER_KEYS, book.eventId, errors);
    if (!fields) return;
    if (typeof fields.email === 'string') {
      try {
        email(fields.email);
      } catch (e) {
        errors.add(row, 'orders.email', messageOf(e));
        return;
      }
    }
    if (typeof fields.mobile === 'string') {
      // Kept with its country code, one spelling a number (as the CSV column: cells.ts).
      try {
        fields.mobile = mobile(fields.mobile);
      } catch (e) {
        errors.add(row, 'orders.mobile', messageOf(e));
        return;
      }
    }
    const parsed = zOrder.safeParse({ buyerName: null, email: null, ...fields, eventId: book.eventId });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.add(row, `orders.${issue.path.join('.')}`, issue.message);
      return;
    }
    book.listedOrder(parsed.data, row);
  });

  const referenced: Array<[OrderId, number]> = [];
  tickets.forEach((item, k) => {
    const row = k + 1;
    const fields = jsonItem(item, row, 'tickets', TICKET_KEYS, book.eventId, errors);
    if (!fields) return;
    for (const key of ['validFrom', 'validUntil'] as const) {
      if (typeof fields[key] !== 'string') continue;
      try {
        fields[key] = dateTime(fields[key] as string);
      } catch (e) {
        errors.add(row, `tickets.${key}`, messageOf(e));
        return;
      }
    }
    const ticket = book.ticket(fields, row, (key) => `tickets.${key}`);
    if (ticket?.orderId) referenced.push([ticket.orderId, row]);
  });
  // A ticket may name an order the file does not list: it gets one without a buyer, as a
  // CSV row with only order_id does.
  for (const [id, row] of referenced) book.orderFromRow(id, null, null, row);
}

/** An item as a plain object with only known keys, and its eventId checked and removed. */
function jsonItem(item: unknown, row: number, list: string, known: Set<string>, eventId: EventId, errors: ErrorList): Record<string, unknown> | null {
  if (!isObject(item)) {
    errors.add(row, list, `expected an object, got ${item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item}`);
    return null;
  }
  const unknown = Object.keys(item).filter((k) => !known.has(k));
  if (unknown.length) {
    errors.add(row, `${list}.${unknown[0]}`, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    return null;
  }
  const { eventId: itemEvent, ...fields } = item;
  if (itemEvent !== undefined && itemEvent !== eventId) {
    errors.add(row, `${list}.eventId`, `belongs to event ${JSON.stringify(itemEvent)}; this import is for ${eventId}`);
    return null;
  }
  return fields;
}
