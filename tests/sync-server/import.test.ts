import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zOrder, zTicket, type Order, type Ticket } from '@gatekeeper/shared/domain';
import { eventId, type EventId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/errors';
import { importTickets } from '@gatekeeper/sync-server/import/run';
import {
  MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, MAX_LISTED_ERRORS, parseTicketImport, type ImportError,
} from '@gatekeeper/sync-server/import/tickets';
import { demoTickets } from '@gatekeeper/sync-server/seed/demo';
import { openSqliteStorage } from '@gatekeeper/sync-server/storage/sqlite/index';
import type { Storage } from '@gatekeeper/sync-server/storage/types';

const EV = eventId('concert-2025');
const csv = (text: string) => parseTicketImport({ format: 'csv', text, eventId: EV });
const json = (doc: unknown) => parseTicketImport({ format: 'json', text: typeof doc === 'string' ? doc : JSON.stringify(doc), eventId: EV });

/** The errors of a file that must not import: nothing else comes back. */
function errorsOf(result: ReturnType<typeof parseTicketImport>): ImportError[] {
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.tickets).toEqual([]);
  expect(result.orders).toEqual([]);
  return result.errors;
}

const HEADER = 'ticket_id,type';
const at = (iso: string) => new Date(iso).getTime();

describe('CSV import: a good file', () => {
  it('reads every column, with defaults for empty cells and one order per order_id', () => {
    const r = csv([
      'ticket_id,order_id,type,holder_name,seat,kind,e_ticket,status,valid_from,valid_until,id_check,imported_code,buyer_name,email',
      'T1,O1,Adult,Sanne de Vries,"Row F, seat 12",event,yes,paid,2025-06-01T19:30:00+02:00,2025-06-01T23:59:59Z,no,,Sanne de Vries,sanne@example.com',
      'T2,O1,Child,,"Row F, seat 13",,no,unpaid,,,,,,',
      'T3,,VIP,Daan Jansen,,travel,,blocked,,,yes,EAN-4006381333931,,',
      'T4,O2,Senior,,,,,,,,,,Emma Bakker,',
    ].join('\n'));
    expect(r.errors).toEqual([]);
    expect(r.orders).toEqual<Order[]>([
      { id: 'O1', eventId: EV, buyerName: 'Sanne de Vries', email: 'sanne@example.com' } as Order,
      { id: 'O2', eventId: EV, buyerName: 'Emma Bakker', email: null } as Order,
    ]);
    expect(r.tickets).toHaveLength(4);
    expect(r.tickets[0]).toEqual({
      id: 'T1', eventId: EV, orderId: 'O1', type: 'Adult', holderName: 'Sanne de Vries', seat: 'Row F, seat 12',
      kind: 'event', eTicket: true, status: 'paid', validFrom: Date.UTC(2025, 5, 1, 17, 30), validUntil: Date.UTC(2025, 5, 1, 23, 59, 59),
      idCheck: false, importedCode: null,
    });
    expect(r.tickets[1]).toMatchObject({ id: 'T2', holderName: null, kind: 'event', eTicket: false, status: 'unpaid', idCheck: false });
    expect(r.tickets[2]).toMatchObject({ id: 'T3', orderId: null, kind: 'travel', eTicket: true, status: 'blocked', idCheck: true, importedCode: 'EAN-4006381333931' });
    expect(r.tickets[3]).toMatchObject({ id: 'T4', status: 'paid', eTicket: true, kind: 'event', validFrom: null, validUntil: null });
    for (const t of r.tickets) expect(zTicket.parse(t)).toEqual(t);
  });

  it('takes header names in any case, with spaces or hyphens for underscores, in any order', () => {
    const r = csv('Type, Ticket ID ,E-Ticket\nAdult,T1,No\n');
    expect(r.errors).toEqual([]);
    expect(r.tickets[0]).toMatchObject({ id: 'T1', type: 'Adult', eTicket: false });
  });

  it('reads quoted fields holding delimiters, line breaks and quotes', () => {
    const r = csv('ticket_id,type,holder_name,seat\r\n'
      + 'T1,Adult,"Jansen, Daan ""DJ""","Balcony\nRow A, seat 1"\r\n'
      + '"T2","Child","",""\r\n');
    expect(r.errors).toEqual([]);
    expect(r.tickets[0]).toMatchObject({ holderName: 'Jansen, Daan "DJ"', seat: 'Balcony\nRow A, seat 1' });
    expect(r.tickets[1]).toMatchObject({ id: 'T2', holderName: null, seat: null });
  });

  it('reads a byte-order mark and CRLF line endings as Excel saves them', () => {
    const r = csv('\uFEFFticket_id,type\r\nT1,Adult\r\nT2,Child\r\n');
    expect(r.errors).toEqual([]);
    expect(r.tickets.map((t) => t.id)).toEqual(['T1', 'T2']);
  });

  it('reads a semicolon-separated file as a Dutch Excel saves "CSV"', () => {
    const r = csv('ticket_id;type;seat\nT1;Adult;"Rij F; stoel 12"\n');
    expect(r.errors).toEqual([]);
    expect(r.tickets[0]).toMatchObject({ seat: 'Rij F; stoel 12' });
  });

  it('skips blank rows and trims cells', () => {
    const r = csv('ticket_id,type\n\n  T1 , Adult \n,\n\n');
    expect(r.errors).toEqual([]);
    expect(r.tickets).toHaveLength(1);
    expect(r.tickets[0]).toMatchObject({ id: 'T1', type: 'Adult' });
  });

  it('accepts the spellings of yes/no, cancelled and offsets people type', () => {
    const r = csv('ticket_id,type,e_ticket,id_check,status,valid_from\n'
      + 'T1,A,TRUE,1,Cancelled,2025-06-01 19:30+0200\n'
      + 'T2,A,nee,ja,REVOKED,2025-06-01T19:30:00.250-01:30\n');
    expect(r.errors).toEqual([]);
    expect(r.tickets[0]).toMatchObject({ eTicket: true, idCheck: true, status: 'canceled', validFrom: at('2025-06-01T17:30:00Z') });
    expect(r.tickets[1]).toMatchObject({ eTicket: false, idCheck: true, status: 'revoked', validFrom: at('2025-06-01T21:00:00.250Z') });
  });
});

describe('CSV import: the order\u2019s mobile number (where an SMS verification code goes)', () => {
  it('reads mobile onto the order, written as people write numbers, the same on every row of it', () => {
    const r = csv('ticket_id,order_id,type,buyer_name,mobile\nT1,O1,A,Sanne,+31 6-1234 5678\nT2,O1,A,,\nT3,O1,A,,+31612345678\nT4,O2,A,Daan,\n');
    expect(r.errors).toEqual([]);
    expect(r.orders).toEqual([
      { id: 'O1', eventId: EV, buyerName: 'Sanne', email: null, mobile: '+31612345678' },
      { id: 'O2', eventId: EV, buyerName: 'Daan', email: null },
    ]);
    for (const o of r.orders) expect(zOrder.parse(o)).toEqual(o);
  });

  it('refuses a number that is not one, two numbers for one order, and a number without an order', () => {
    const errors = errorsOf(csv('ticket_id,order_id,type,mobile\nT1,O1,A,call me\nT2,O2,A,+31611111111\nT3,O2,A,+31622222222\nT4,,A,+31633333333\n'));
    expect(errors).toEqual([
      { row: 2, field: 'mobile', message: expect.stringMatching(/not a mobile number/) },
      { row: 4, field: 'mobile', message: 'order O2 already has mobile +31611111111 (row 3)' },
      { row: 5, field: 'mobile', message: expect.stringMatching(/fill in order_id/) },
    ]);
  });

  it('in JSON too: normalised, and refused without a country code', () => {
    const good = json({ orders: [{ id: 'O1', mobile: '0031 6 1234 5678' }], tickets: [{ id: 'T1', orderId: 'O1', type: 'A' }] });
    expect(good.errors).toEqual([]);
    expect(good.orders[0]!.mobile).toBe('+31612345678');
    const bad = errorsOf(json({ orders: [{ id: 'O1', mobile: '0612345678' }], tickets: [{ id: 'T1', orderId: 'O1', type: 'A' }] }));
    expect(bad).toEqual([{ row: 1, field: 'orders.mobile', message: expect.stringMatching(/country code/) }]);
  });

  it('wants an order_id column beside mobile', () => {
    expect(errorsOf(csv('ticket_id,type,mobile\nT1,A,+31612345678\n'))[0]!.message).toMatch(/add an order_id column/);
  });

  it('keeps the number when the file is imported', async () => {
    const storage = openSqliteStorage({ file: ':memory:' });
    try {
      await storage.createEvent({ id: EV, name: 'Concert', venue: null, startsAt: null, endsAt: null, timeZone: 'UTC' });
      await importTickets(storage, EV, { format: 'csv', text: 'ticket_id,order_id,type,mobile\nT1,O1,A,+31612345678\n' });
      expect((await storage.getOrder(EV, 'O1' as never))?.mobile).toBe('+31612345678');
    } finally {
      await storage.close();
    }
  });
});

describe('CSV import: every error names its row', () => {
  it('names unknown columns on row 1 and reads no rows', () => {
    const errors = errorsOf(csv('ticket_id,type,colour,Price\nT1,Adult,red,10\n'));
    expect(errors).toEqual([{ row: 1, message: expect.stringMatching(/unknown columns colour, Price/) }]);
  });

  it('names missing required columns, repeated columns and a column without a name', () => {
    expect(errorsOf(csv('ticket_id,seat\nT1,A1\n'))).toEqual([{ row: 1, message: expect.stringMatching(/missing required column type/) }]);
    expect(errorsOf(csv('ticket_id,type,Type\nT1,A,A\n'))[0].message).toMatch(/column type appears more than once/);
    expect(errorsOf(csv('ticket_id,type,\nT1,A,\n'))[0].message).toMatch(/a column without a name/);
  });

  it('wants an order_id column beside buyer_name or email', () => {
    expect(errorsOf(csv('ticket_id,type,email\nT1,A,a@example.com\n'))[0]).toMatchObject({ row: 1, message: expect.stringMatching(/order_id column/) });
  });

  it('refuses an empty file and a file with only a header', () => {
    expect(errorsOf(csv(''))[0]).toMatchObject({ row: 1, message: expect.stringMatching(/empty/) });
    expect(errorsOf(csv('ticket_id,type\n'))[0]).toMatchObject({ row: 0, message: 'the file holds no tickets' });
  });

  it('names required cells left empty', () => {
    expect(errorsOf(csv(`${HEADER}\n,Adult\nT2,\n`))).toEqual([
      { row: 2, field: 'ticket_id', message: 'ticket_id is required' },
      { row: 3, field: 'type', message: 'type is required' },
    ]);
  });

  it('refuses ids that are not ids', () => {
    const errors = errorsOf(csv('ticket_id,order_id,type\nT 1,O1,A\nT2,O/2,A\n'));
    expect(errors).toEqual([
      { row: 2, field: 'ticket_id', message: expect.stringMatching(/not a valid ticket id: "T 1"/) },
      { row: 3, field: 'order_id', message: expect.stringMatching(/not a valid order id/) },
    ]);
  });

  it('refuses a kind, status or yes/no it does not know, one error per cell', () => {
    const errors = errorsOf(csv('ticket_id,type,kind,status,e_ticket,id_check\nT1,A,concert,payed,maybe,2\n'));
    expect(errors).toEqual([
      { row: 2, field: 'kind', message: expect.stringMatching(/"concert" is not one of event, travel/) },
      { row: 2, field: 'status', message: expect.stringMatching(/"payed" is not one of paid, unpaid/) },
      { row: 2, field: 'e_ticket', message: expect.stringMatching(/not yes or no/) },
      { row: 2, field: 'id_check', message: expect.stringMatching(/not yes or no/) },
    ]);
  });

  it('refuses dates that are not ISO 8601, not real, or without a time zone', () => {
    const errors = errorsOf(csv('ticket_id,type,valid_from\n'
      + 'T1,A,01/06/2025 19:30\nT2,A,2025-02-30T10:00Z\nT3,A,2025-06-01T19:30\nT4,A,2025-06-01\nT5,A,2025-06-01T24:00Z\n'));
    expect(errors.map((e) => [e.row, e.field])).toEqual([[2, 'valid_from'], [3, 'valid_from'], [4, 'valid_from'], [5, 'valid_from'], [6, 'valid_from']]);
    expect(errors[0].message).toMatch(/not an ISO 8601 date-time/);
    expect(errors[1].message).toMatch(/not a real date/);
    expect(errors[2].message).toMatch(/no time zone/);
  });

  it('refuses a validity window that ends before it starts', () => {
    const errors = errorsOf(csv('ticket_id,type,valid_from,valid_until\nT1,A,2025-06-02T00:00Z,2025-06-01T00:00Z\n'));
    expect(errors).toEqual([{ row: 2, field: 'valid_until', message: 'is before valid from' }]);
  });

  it('names a ticket id used twice, with the row that has it first', () => {
    const errors = errorsOf(csv(`${HEADER}\nT1,A\nT2,A\nT1,B\n`));
    expect(errors).toEqual([{ row: 4, field: 'ticket_id', message: 'ticket T1 is already on row 2' }]);
  });

  it('names an imported code used twice', () => {
    const errors = errorsOf(csv('ticket_id,type,imported_code\nT1,A,EAN-1\nT2,A,EAN-2\nT3,A,EAN-1\n'));
    expect(errors).toEqual([{ row: 4, field: 'imported_code', message: 'imported code EAN-1 is already on row 2' }]);
  });

  it('refuses two buyer names or emails for one order', () => {
    const errors = errorsOf(csv('ticket_id,order_id,type,buyer_name,email\n'
      + 'T1,O1,A,Sanne,s@example.com\nT2,O1,A,,\nT3,O1,A,Daan,\nT4,O1,A,,d@example.com\n'));
    expect(errors).toEqual([
      { row: 4, field: 'buyer_name', message: 'order O1 already has buyer "Sanne" (row 2)' },
      { row: 5, field: 'email', message: 'order O1 already has email s@example.com (row 2)' },
    ]);
  });

  it('refuses a buyer on a row without an order, and an email that is not one', () => {
    const errors = errorsOf(csv('ticket_id,order_id,type,buyer_name,email\nT1,,A,Sanne,\nT2,O2,A,,Sanne de Vries\n'));
    expect(errors).toEqual([
      { row: 2, field: 'buyer_name', message: expect.stringMatching(/fill in order_id/) },
      { row: 3, field: 'email', message: expect.stringMatching(/not an email address/) },
    ]);
  });

  it('refuses an email cell longer than an address can be before matching it, with a short message', () => {
    // 40,000 characters of what the pattern would accept: only a length check refuses
    // it, so the refusal shows the pattern was never run on it (a backtracking regex on
    // a cell this long blocks the event loop for over a second).
    const long = `${'a'.repeat(40_000)}@example.com`;
    const errors = errorsOf(csv(`ticket_id,order_id,type,email\nT1,O1,A,${long}\n`));
    expect(errors).toEqual([{ row: 2, field: 'email', message: expect.stringMatching(/longer than 254 characters/) }]);
    expect(errors[0]!.message.length).toBeLessThan(200);
  });

  it('applies the domain limits, naming the column', () => {
    const errors = errorsOf(csv(`ticket_id,type,holder_name\nT1,A,${'x'.repeat(129)}\n`));
    expect(errors).toEqual([{ row: 2, field: 'holder_name', message: expect.any(String) }]);
  });

  it('refuses a row with too many or too few fields', () => {
    const errors = errorsOf(csv(`${HEADER}\nT1,A,extra\nT2\n`));
    expect(errors).toEqual([
      { row: 2, message: 'the row has 3 fields; the header has 2' },
      { row: 3, message: 'the row has 1 fields; the header has 2' },
    ]);
  });

  it('counts rows as a spreadsheet does: blank rows count, a quoted line break does not start a row', () => {
    const errors = errorsOf(csv(`${HEADER},seat\nT1,A,"two\nlines"\n\nT2,,\n`));
    expect(errors).toEqual([{ row: 4, field: 'type', message: 'type is required' }]);
  });

  it('reports a row too long to be a ticket (a cell of megabytes) on its row, and nothing else', () => {
    const errors = errorsOf(csv(`${HEADER},holder_name\nT1,A,Sanne\nT2,A,${'x'.repeat(4 * 1024 * 1024)}\nT3,A,Daan\n`));
    expect(errors).toEqual([{ row: 3, message: expect.stringMatching(/row that starts on line 3 is longer than 64 KiB/) }]);
  });

  it('reports an unterminated quote at the row where it opens, with the line', () => {
    const errors = errorsOf(csv(`${HEADER},seat\nT1,A,"multi\nline"\nT2,A,"Row F, seat 12\nT3,A,\n`));
    expect(errors).toEqual([{ row: 3, message: expect.stringMatching(/unterminated quoted field.*line 4/) }]);
  });

  it('collects every bad row in one pass', () => {
    const errors = errorsOf(csv(`${HEADER},status\nT1,A,paid\nT2,A,payed\nT3,,paid\nT1,A,paid\n`));
    expect(errors.map((e) => e.row)).toEqual([3, 4, 5]);
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} rows with one error`, () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, k) => `T${k},Adult`);
    const errors = errorsOf(csv(`${HEADER}\n${rows.join('\n')}\n`));
    expect(errors).toEqual([{ row: 0, message: expect.stringMatching(/200001 rows; at most 200000/) }]);
  });

  it(`refuses a text of more than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB with one error, unread`, () => {
    const errors = errorsOf(csv(`${HEADER}\n${'x'.repeat(MAX_IMPORT_BYTES)}`));
    expect(errors).toEqual([{ row: 0, message: expect.stringMatching(/at most 64 MiB/) }]);
  });

  it(`lists at most ${MAX_LISTED_ERRORS} errors and says how many more there are`, () => {
    const rows = Array.from({ length: MAX_LISTED_ERRORS + 500 }, (_, k) => `T${k},`);
    const errors = errorsOf(csv(`${HEADER}\n${rows.join('\n')}`));
    expect(errors).toHaveLength(MAX_LISTED_ERRORS + 1);
    expect(errors.at(-1)).toEqual({ row: 0, message: '500 more errors not listed; fix these and import again' });
  });
});

describe('JSON import', () => {
  it('reads orders and tickets with the domain field names, filling in the event and defaults', () => {
    const r = json({
      orders: [{ id: 'O1', buyerName: 'Sanne de Vries', email: 'sanne@example.com' }],
      tickets: [
        { id: 'T1', orderId: 'O1', type: 'Adult', seat: 'Row F, seat 12', validFrom: Date.UTC(2025, 5, 1), validUntil: '2025-06-02T00:00:00+02:00' },
        { id: 'T2', eventId: EV, orderId: 'O9', type: 'Child', status: 'unpaid', eTicket: false, idCheck: true, holderName: 'Daan', importedCode: 'EAN-1' },
      ],
    });
    expect(r.errors).toEqual([]);
    expect(r.orders).toEqual([
      { id: 'O1', eventId: EV, buyerName: 'Sanne de Vries', email: 'sanne@example.com' },
      { id: 'O9', eventId: EV, buyerName: null, email: null },
    ]);
    expect(r.tickets[0]).toEqual({
      id: 'T1', eventId: EV, orderId: 'O1', type: 'Adult', holderName: null, seat: 'Row F, seat 12', kind: 'event',
      eTicket: true, status: 'paid', validFrom: Date.UTC(2025, 5, 1), validUntil: Date.UTC(2025, 5, 1, 22), idCheck: false, importedCode: null,
    });
    expect(r.tickets[1]).toMatchObject({ eventId: EV, status: 'unpaid', eTicket: false, idCheck: true, holderName: 'Daan', importedCode: 'EAN-1' });
  });

  it('reads a plain array of tickets, with a byte-order mark', () => {
    const r = json(`\uFEFF${JSON.stringify([{ id: 'T1', type: 'Adult' }, { id: 'T2', type: 'VIP', kind: 'travel' }])}`);
    expect(r.errors).toEqual([]);
    expect(r.orders).toEqual([]);
    expect(r.tickets.map((t) => [t.id, t.kind])).toEqual([['T1', 'event'], ['T2', 'travel']]);
  });

  it('refuses text that is not JSON, or not the expected shape, as one error', () => {
    expect(errorsOf(json('{"tickets": [')) ).toEqual([{ row: 0, message: expect.stringMatching(/^not valid JSON/) }]);
    expect(errorsOf(json({ items: [] }))[0].message).toMatch(/expected \{ "orders"/);
    expect(errorsOf(json({ tickets: [], extra: 1 }))[0].message).toMatch(/unknown top-level key extra/);
    expect(errorsOf(json([]))[0].message).toBe('the file holds no tickets');
  });

  it('gives each bad item its place in its list and the zod path', () => {
    const errors = errorsOf(json({
      orders: [{ id: 'O1' }, { id: 'O2', email: 'nope' }, { id: 'O1' }],
      tickets: [
        { id: 'T1', type: 'Adult' },
        { id: 'T2', type: 'Adult', status: 'payed' },
        'T3',
        { id: 'T4' },
        { id: 'T5', type: 'A', holder_name: 'x' },
        { id: 'T6', type: 'A', eventId: 'other-event' },
        { id: 'T1', type: 'A' },
        { id: 'T8', type: 'A', validFrom: '2025-06-01T19:30' },
        { id: 'T9', type: 'A', importedCode: 'X' },
        { id: 'T10', type: 'A', importedCode: 'X' },
      ],
    }));
    expect(errors).toEqual([
      { row: 2, field: 'orders.email', message: expect.stringMatching(/not an email address/) },
      { row: 3, field: 'orders.id', message: 'order O1 is already on row 1' },
      { row: 2, field: 'tickets.status', message: expect.any(String) },
      { row: 3, field: 'tickets', message: 'expected an object, got string' },
      { row: 4, field: 'tickets.type', message: expect.any(String) },
      { row: 5, field: 'tickets.holder_name', message: 'unknown field holder_name' },
      { row: 6, field: 'tickets.eventId', message: expect.stringMatching(/belongs to event "other-event"/) },
      { row: 7, field: 'tickets.id', message: 'ticket T1 is already on row 1' },
      { row: 8, field: 'tickets.validFrom', message: expect.stringMatching(/no time zone/) },
      { row: 10, field: 'tickets.importedCode', message: 'imported code X is already on row 9' },
    ]);
  });
});

describe('demo tickets', () => {
  it('are the same for the same arguments and valid for the domain', () => {
    const a = demoTickets(EV, 300);
    expect(demoTickets(EV, 300)).toEqual(a);
    expect(demoTickets(EV, 300, 7)).not.toEqual(a);
    expect(a.tickets).toHaveLength(300);
    for (const t of a.tickets) zTicket.parse(t);
    for (const o of a.orders) zOrder.parse(o);
    const sizes = a.orders.map((o) => a.tickets.filter((t) => t.orderId === o.id).length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  });

  it('hold every awkward case an inspector meets', () => {
    const { tickets } = demoTickets(EV, 300);
    const has = (p: (t: Ticket) => boolean) => tickets.filter(p).length;
    for (const status of ['unpaid', 'canceled', 'blocked', 'revoked'] as const) expect(has((t) => t.status === status)).toBeGreaterThan(0);
    expect(has((t) => t.idCheck && t.holderName !== null)).toBe(has((t) => t.idCheck));
    expect(has((t) => t.idCheck)).toBeGreaterThan(0);
    expect(has((t) => !t.eTicket)).toBeGreaterThan(0);
    expect(has((t) => t.kind === 'travel')).toBe(2);
    expect(has((t) => /^EAN-\d{13}$/.test(t.importedCode ?? ''))).toBeGreaterThan(0);
    expect(has((t) => /^Row [A-Z], seat \d+$/.test(t.seat ?? ''))).toBeGreaterThan(0);
    expect(new Set(tickets.map((t) => t.type))).toEqual(new Set(['Adult', 'Child', 'Senior', 'VIP']));
  });

  it('survive a round trip through CSV and through JSON', () => {
    const demo = demoTickets(EV, 500);
    expect(csv(toCsv(demo))).toEqual({ ...demo, errors: [] });
    expect(json(demo)).toEqual({ ...demo, errors: [] });
  });
});

describe('importTickets into SQLite', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = openSqliteStorage({ file: ':memory:' });
    await storage.createEvent({ id: EV, name: 'Concert', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' });
  });
  afterEach(async () => {
    await storage.close();
  });

  const GOOD = 'ticket_id,order_id,type,buyer_name\nT1,O1,Adult,Sanne\nT2,O1,Child,\nT3,,Adult,\n';

  it('imports a good file and returns the counts', async () => {
    expect(await importTickets(storage, EV, { format: 'csv', text: GOOD })).toEqual({ orders: 1, tickets: 3 });
    expect(await storage.getTicket(EV, 'T2' as Ticket['id'])).toMatchObject({ orderId: 'O1', type: 'Child' });
    expect((await storage.listOrderTickets(EV, 'O1' as Order['id'])).map((t) => t.id)).toEqual(['T1', 'T2']);
  });

  it('imports nothing when one row is bad, and says which', async () => {
    const text = `${GOOD}T4,O2,Adult,\nT5,O2,,\n`;
    const error = await importTickets(storage, EV, { format: 'csv', text }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GkError);
    expect(error).toMatchObject({ code: 'invalid_import', message: '1 row has errors', details: [{ row: 6, field: 'type', message: 'type is required' }] });
    expect(await storage.getTicket(EV, 'T1' as Ticket['id'])).toBeNull();
    expect(await storage.changesSince(EV, 0)).toMatchObject({ tickets: [], orders: [] });
  });

  it('counts the rows with errors in its message', async () => {
    const text = 'ticket_id,type,status\nT1,,payed\nT2,,\n';
    await expect(importTickets(storage, EV, { format: 'csv', text })).rejects.toThrow('2 rows have errors');
  });

  it('refuses an unknown event before reading the file', async () => {
    await expect(importTickets(storage, eventId('nope'), { format: 'csv', text: GOOD })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('imports the demo set from JSON', async () => {
    const demo = demoTickets(EV, 200);
    const result = await importTickets(storage, EV, { format: 'json', text: JSON.stringify(demo) });
    expect(result).toEqual({ orders: demo.orders.length, tickets: 200 });
    expect((await storage.changesSince(EV, 0)).tickets).toHaveLength(200);
  });
});

/** A CSV writer for the round trip: quotes every field that needs it. */
function toCsv({ orders, tickets }: { orders: Order[]; tickets: Ticket[] }): string {
  const byId = new Map(orders.map((o) => [o.id, o]));
  const cell = (v: string | number | boolean | null): string => {
    const s = v === null ? '' : typeof v === 'number' ? new Date(v).toISOString() : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = ['ticket_id,order_id,type,holder_name,seat,kind,e_ticket,status,valid_from,valid_until,id_check,imported_code,buyer_name,email'];
  for (const t of tickets) {
    const o = t.orderId ? byId.get(t.orderId) : undefined;
    lines.push([t.id, t.orderId, t.type, t.holderName, t.seat, t.kind, t.eTicket, t.status, t.validFrom, t.validUntil, t.idCheck,
      t.importedCode, o?.buyerName ?? null, o?.email ?? null].map(cell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
