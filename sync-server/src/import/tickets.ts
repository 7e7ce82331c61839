// Turns a CSV or JSON ticket file into the orders and tickets of one event, or into a list
// of everything wrong with it, row by row, so the organiser fixes the file in one pass.
// Pure: no storage. When anything is wrong, no orders or tickets are returned at all, so
// a caller cannot import half a file by mistake. Both formats share the checks in Book;
// the cell readers are in cells.ts.
import { TICKET_STATUSES, zOrder, zTicket, type Order, type Ticket } from '@gatekeeper/shared/domain';
import { orderId, ticketId, type EventId, type OrderId, type TicketId } from '@gatekeeper/shared/ids';
import { columnKey, IMPORT_COLUMNS, mapHeader, type ColumnMap, type ImportColumn } from '@gatekeeper/shared/import-mapping';
import { dateTime, email, oneOf, yesNo } from './cells.ts';
import { CsvError, parseCsv } from './csv.ts';

/** Data rows (CSV) or tickets (JSON) in one file: a stadium sells fewer. */
export const MAX_IMPORT_ROWS = 200_000;
/** UTF-8 bytes of one file. 200,000 full rows of CSV are about 40 MiB. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** Errors listed; past this one more error says how many were left out. */
export const MAX_LISTED_ERRORS = 1000;

export type ImportFormat = 'csv' | 'json';

/**
 * One thing wrong with a file. `row`: in CSV the spreadsheet row (header = 1, a quoted
 * field with line breaks is still one row); in JSON the item's 1-based place in its list,
 * with `field` saying which list (`tickets.status`, `orders.email`). Row 0: the whole file.
 */
export interface ImportError { row: number; field?: string; message: string }

export interface TicketImport { orders: Order[]; tickets: Ticket[]; errors: ImportError[] }

export interface ImportInput {
  format: ImportFormat;
  text: string;
  eventId: EventId;
  /** CSV only: the file's column names mapped to ours (import-mapping.ts); others keep their name. */
  columns?: readonly ColumnMap[];
}

export function parseTicketImport(input: ImportInput): TicketImport {
  const { book, errors } = readImport(input);
  if (errors.count === 0) return { orders: [...book.orders.values()].map((o) => o.order), tickets: book.tickets, errors: [] };
  return { orders: [], tickets: [], errors: errors.finish() };
}

/**
 * What importing the file would do, for an organiser to check before they confirm: the
 * header as written and as mapped, the counts (0 while any row is wrong, since nothing
 * would be imported), the first `sampleSize` tickets read and every error.
 */
export interface ImportPreview {
  header: string[];
  mapped: Array<string | null>;
  tickets: number;
  orders: number;
  sample: Ticket[];
  errors: ImportError[];
}

export function previewTicketImport(input: ImportInput, sampleSize = 20): ImportPreview {
  const { book, errors, header, mapped } = readImport(input);
  const ok = errors.count === 0;
  return {
    header, mapped,
    tickets: ok ? book.tickets.length : 0,
    orders: ok ? book.orders.size : 0,
    sample: book.tickets.slice(0, sampleSize),
    errors: errors.finish(),
  };
}

interface ReadOut { book: Book; errors: ErrorList; header: string[]; mapped: Array<string | null> }

function readImport(input: ImportInput): ReadOut {
  const errors = new ErrorList();
  const book = new Book(input.eventId, errors);
  const out: ReadOut = { book, errors, header: [], mapped: [] };
  const bytes = Buffer.byteLength(input.text, 'utf8');
  if (bytes > MAX_IMPORT_BYTES) {
    errors.add(0, undefined, `the file is ${mib(bytes)} MiB; at most ${mib(MAX_IMPORT_BYTES)} MiB can be imported at once: split it`);
    return out;
  }
  if (input.format === 'csv') readCsv(input.text, book, errors, input.columns ?? [], out);
  else if (input.columns?.length) errors.add(0, undefined, 'a column mapping applies to CSV files; a JSON file names the fields itself');
  else readJson(input.text, book, errors);
  if (errors.count === 0 && book.tickets.length === 0) errors.add(0, undefined, 'the file holds no tickets');
  return out;
}

// ---------------------------------------------------------------------------------------
// CSV

/**
 * CSV columns. Header names are case-insensitive; spaces and hyphens count as
 * underscores ("Ticket ID" is ticket_id). Any other column is an error, so a typo does
 * not silently drop data. Empty cells take the default.
 *
 *   ticket_id      required  letters, digits and . _ : - (at most 64)
 *   order_id                 groups tickets into an order: one order per distinct id
 *   type           required  ticket type as sold, e.g. Adult
 *   holder_name              the named holder of a personalised ticket
 *   seat                     e.g. "Row F, seat 12"
 *   kind                     event | travel (default event)
 *   e_ticket                 yes/no, true/false, 1/0, ja/nee (default yes)
 *   status                   paid | unpaid | canceled | blocked | revoked (default paid)
 *   valid_from               ISO 8601 date-time with Z or an offset: 2025-06-01T19:00+02:00
 *   valid_until              same; not before valid_from
 *   id_check                 yes/no as e_ticket (default no)
 *   imported_code            a plain barcode from another system; unique in the file
 *   buyer_name, email        the order's buyer: need order_id; the same on every row of it
 *
 * A time without an offset is refused: read in the wrong zone it would silently move a
 * validity window by hours. Comma-separated; a header with semicolons and no commas (as a
 * Dutch Excel saves "CSV") or with tabs is read with that delimiter instead.
 */
type CsvKey = keyof typeof TICKET_DEFAULTS | 'id' | 'type' | 'buyerName' | 'email';
interface Column { key: CsvKey; required?: true; read(cell: string): unknown }

const text = (cell: string): string => cell;
const CSV_COLUMNS: Record<ImportColumn, Column> = {
  ticket_id: { key: 'id', required: true, read: ticketId },
  order_id: { key: 'orderId', read: orderId },
  type: { key: 'type', required: true, read: text },
  holder_name: { key: 'holderName', read: text },
  seat: { key: 'seat', read: text },
  kind: { key: 'kind', read: (c) => oneOf(c, ['event', 'travel']) },
  e_ticket: { key: 'eTicket', read: yesNo },
  status: { key: 'status', read: (c) => oneOf(c, TICKET_STATUSES, { cancelled: 'canceled' }) },
  valid_from: { key: 'validFrom', read: dateTime },
  valid_until: { key: 'validUntil', read: dateTime },
  id_check: { key: 'idCheck', read: yesNo },
  imported_code: { key: 'importedCode', read: text },
  buyer_name: { key: 'buyerName', read: text },
  email: { key: 'email', read: email },
};
/** The CSV column names, in the order a template lists them. */
export const CSV_COLUMN_NAMES: readonly string[] = IMPORT_COLUMNS;
const CSV_NAME_OF = Object.fromEntries(Object.entries(CSV_COLUMNS).map(([name, c]) => [c.key, name])) as Record<string, string>;

function readCsv(source: string, book: Book, errors: ErrorList, mapping: readonly ColumnMap[], out: ReadOut): void {
  let records: string[][];
  try {
    records = parseCsv(source, { delimiter: sniffDelimiter(source) });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    errors.add(e.row, undefined, e.message);
    return;
  }
  if (records.length === 0) {
    errors.add(1, undefined, `the file is empty: the first row must name the columns (${CSV_COLUMN_NAMES.join(', ')})`);
    return;
  }
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    errors.add(0, undefined, `the file has ${records.length - 1} rows; at most ${MAX_IMPORT_ROWS} can be imported at once: split it`);
    return;
  }
  out.header = records[0].map((h) => h.trim());
  out.mapped = mapHeader(out.header, mapping);
  const columns = readHeader(out.header, out.mapped, errors);
  if (!columns) return;

  for (let r = 1; r < records.length; r++) {
    const cells = records[r];
    const row = r + 1;
    // Blank rows: a spreadsheet saves trailing empty rows as ",,,," lines.
    if (cells.every((c) => c.trim() === '')) continue;
    if (cells.length !== columns.length) {
      errors.add(row, undefined, `the row has ${cells.length} fields; the header has ${columns.length}`);
      continue;
    }
    const raw: Record<string, unknown> = {};
    let ok = true;
    columns.forEach((entry, k) => {
      // A column the mapping leaves out.
      if (entry === null) return;
      const [name, column] = entry;
      const cell = cells[k].trim();
      if (cell === '') {
        if (column.required) {
          errors.add(row, name, `${name} is required`);
          ok = false;
        }
        return;
      }
      try {
        raw[column.key] = column.read(cell);
      } catch (e) {
        errors.add(row, name, messageOf(e));
        ok = false;
      }
    });
    if (!ok) continue;
    const { buyerName = null, email: buyerEmail = null, ...ticketFields } = raw as Record<string, unknown> & { buyerName?: string; email?: string };
    const ticket = book.ticket(ticketFields, row, (key) => CSV_NAME_OF[key] ?? key);
    if (!ticket) continue;
    if (ticket.orderId === null) {
      if (buyerName !== null || buyerEmail !== null) {
        errors.add(row, buyerName !== null ? 'buyer_name' : 'email', 'buyer_name and email belong to an order: fill in order_id');
      }
      continue;
    }
    const order = zOrder.safeParse({ id: ticket.orderId, eventId: book.eventId, buyerName, email: buyerEmail });
    if (!order.success) {
      for (const issue of order.error.issues) errors.add(row, issue.path[0] === 'email' ? 'email' : 'buyer_name', issue.message);
      continue;
    }
    book.orderFromRow(ticket.orderId, buyerName, buyerEmail, row);
  }
}

/** `mapped`: each column's name after the mapping, null for one it leaves out. */
function readHeader(header: string[], mapped: Array<string | null>, errors: ErrorList): Array<[string, Column] | null> | null {
  const names = mapped.map((h) => (h === null ? null : columnKey(h)));
  const isOurs = (n: string | null): n is ImportColumn => n !== null && Object.hasOwn(CSV_COLUMNS, n);
  // Named as the file writes them, so the organiser can find them.
  const unknown = header.filter((_, k) => names[k] !== null && !isOurs(names[k])).map((h) => (h.trim() === '' ? '(a column without a name)' : h.trim()));
  const twice = [...new Set(names.filter((n, k): n is string => n !== null && n !== '' && names.indexOf(n) !== k))];
  const missing = IMPORT_COLUMNS.filter((n) => CSV_COLUMNS[n].required && !names.includes(n));
  const problems: string[] = [];
  const s = (list: string[]): string => (list.length > 1 ? 's' : '');
  if (unknown.length) problems.push(`unknown column${s(unknown)} ${unknown.join(', ')}; the columns are ${CSV_COLUMN_NAMES.join(', ')}`);
  if (twice.length) problems.push(`column${s(twice)} ${twice.join(', ')} appear${twice.length > 1 ? '' : 's'} more than once`);
  if (missing.length) problems.push(`missing required column${s(missing)} ${missing.join(', ')}`);
  if ((names.includes('buyer_name') || names.includes('email')) && !names.includes('order_id')) {
    problems.push('buyer_name and email belong to an order: add an order_id column');
  }
  for (const p of problems) errors.add(1, undefined, p);
  return problems.length ? null : names.map((n) => (isOurs(n) ? [n, CSV_COLUMNS[n]] : null));
}

/** The header names hold no delimiters, so the first line tells which one the file uses. */
function sniffDelimiter(source: string): string {
  const end = source.search(/[\r\n]/);
  const first = end === -1 ? source : source.slice(0, end);
  if (first.includes(',')) return ',';
  if (first.includes(';')) return ';';
  if (first.includes('\t')) return '\t';
  return ',';
}

// ---------------------------------------------------------------------------------------
// JSON: { "orders": [...], "tickets": [...] } or a plain array of tickets, with the
// domain's field names. eventId may be left out; fields with a default may be left out;
// validFrom/validUntil are epoch milliseconds or ISO 8601 strings as in CSV.

const TICKET_KEYS = new Set(Object.keys(zTicket.shape));
const ORDER_KEYS = new Set(Object.keys(zOrder.shape));

function readJson(source: string, book: Book, errors: ErrorList): void {
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

// ---------------------------------------------------------------------------------------
// What both formats share: defaults, the domain schema, uniqueness, orders.

const TICKET_DEFAULTS = {
  orderId: null, holderName: null, seat: null, kind: 'event', eTicket: true, status: 'paid',
  validFrom: null, validUntil: null, idCheck: false, importedCode: null,
} as const;

interface OrderEntry { order: Order; row: number; listed: boolean }

/** The orders and tickets read so far, and the rows they came from. */
class Book {
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
  orderFromRow(id: OrderId, buyerName: string | null, email: string | null, row: number): void {
    const entry = this.orders.get(id);
    if (!entry) {
      this.orders.set(id, { order: { id, eventId: this.eventId, buyerName, email }, row, listed: false });
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
  }
}

/** Collects errors; keeps the first MAX_LISTED_ERRORS and counts the rest. */
class ErrorList {
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1);
