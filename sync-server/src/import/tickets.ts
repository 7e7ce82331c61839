// Turns a CSV or JSON ticket file into the orders and tickets of one event, or into a list
// of everything wrong with it, row by row, so the organiser fixes the file in one pass.
// Pure: no storage. When anything is wrong, no orders or tickets are returned at all, so
// a caller cannot import half a file by mistake. This file holds the entry and the CSV
// path; the JSON path is json-tickets.ts; both share the checks in Book (ticket-book.ts)
// and the cell readers in cells.ts.
import { TICKET_STATUSES, zOrder, type Order, type Ticket } from '@gatekeeper/shared/domain';
import { orderId, ticketId, type EventId } from '@gatekeeper/shared/ids';
import { columnKey, IMPORT_COLUMNS, mapHeader, type ColumnMap, type ImportColumn } from '@gatekeeper/shared/import-mapping';
import { dateTime, email, mobile, oneOf, yesNo } from './cells.ts';
import { CsvError, parseCsv } from './csv.ts';
import { readJson } from './json-tickets.ts';
import { Book, ErrorList, MAX_IMPORT_ROWS, messageOf, TICKET_DEFAULTS, type ImportError } from './ticket-book.ts';

export { MAX_IMPORT_ROWS, MAX_LISTED_ERRORS, type ImportError } from './ticket-book.ts';

/** UTF-8 bytes of one file. 200,000 full rows of CSV are about 40 MiB. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export type ImportFormat = 'csv' | 'json';

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
 *   mobile                   the order's mobile number (SMS verification): as email; spaces,
 *                            hyphens, dots and brackets are dropped ("+31 6-1234 5678")
 *
 * A time without an offset is refused: read in the wrong zone it would silently move a
 * validity window by hours. Comma-separated; a header with semicolons and no commas (as a
 * Dutch Excel saves "CSV") or with tabs is read with that delimiter instead.
 */
type CsvKey = keyof typeof TICKET_DEFAULTS | 'id' | 'type' | 'buyerName' | 'email' | 'mobile';
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
  mobile: { key: 'mobile', read: mobile },
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
    const { buyerName = null, email: buyerEmail = null, mobile: buyerMobile = null, ...ticketFields } = raw as Record<string, unknown> & { buyerName?: string; email?: string; mobile?: string };
    const ticket = book.ticket(ticketFields, row, (key) => CSV_NAME_OF[key] ?? key);
    if (!ticket) continue;
    if (ticket.orderId === null) {
      if (buyerName !== null || buyerEmail !== null || buyerMobile !== null) {
        errors.add(row, buyerName !== null ? 'buyer_name' : buyerEmail !== null ? 'email' : 'mobile', 'buyer_name, email and mobile belong to an order: fill in order_id');
      }
      continue;
    }
    const order = zOrder.safeParse({ id: ticket.orderId, eventId: book.eventId, buyerName, email: buyerEmail, mobile: buyerMobile });
    if (!order.success) {
      for (const issue of order.error.issues) errors.add(row, issue.path[0] === 'email' || issue.path[0] === 'mobile' ? issue.path[0] : 'buyer_name', issue.message);
      continue;
    }
    book.orderFromRow(ticket.orderId, buyerName, buyerEmail, row, buyerMobile);
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
  if ((names.includes('buyer_name') || names.includes('email') || names.includes('mobile')) && !names.includes('order_id')) {
    problems.push('buyer_name, email and mobile belong to an order: add an order_id column');
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

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1);
