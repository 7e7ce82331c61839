// Ticket rows as the manifest carries them (TICKET_COLUMNS order), checked by hand: a zod
// union per cell costs hundreds of ms on 100,000 rows, a typed loop a few.
import { TICKET_STATUSES, type Ticket } from '@gatekeeper/shared/domain';
import { isId, type EventId } from '@gatekeeper/shared/ids';
import { rowToTicket, TICKET_COLUMNS } from '@gatekeeper/shared/manifest';

export type TicketRow = readonly unknown[];

// Column positions, named once.
export const COL = {
  id: 0, orderId: 1, type: 2, holderName: 3, seat: 4, kind: 5, eTicket: 6, status: 7,
  validFrom: 8, validUntil: 9, idCheck: 10, importedCodeHash: 11,
} as const;

const STATUSES: ReadonlySet<unknown> = new Set(TICKET_STATUSES);
const strOrNull = (v: unknown) => v === null || typeof v === 'string';
const intOrNull = (v: unknown) => v === null || Number.isInteger(v);

/** A row this scanner can read; anything else is refused with the whole download. */
export function isTicketRow(row: unknown): row is TicketRow {
  if (!Array.isArray(row) || row.length !== TICKET_COLUMNS.length) return false;
  return isId(row[COL.id])
    && (row[COL.orderId] === null || isId(row[COL.orderId]))
    && typeof row[COL.type] === 'string'
    && strOrNull(row[COL.holderName]) && strOrNull(row[COL.seat])
    && (row[COL.kind] === 'event' || row[COL.kind] === 'travel')
    && typeof row[COL.eTicket] === 'boolean'
    && STATUSES.has(row[COL.status])
    && intOrNull(row[COL.validFrom]) && intOrNull(row[COL.validUntil])
    && typeof row[COL.idCheck] === 'boolean'
    && strOrNull(row[COL.importedCodeHash]);
}

export function checkRows(rows: unknown): asserts rows is TicketRow[] {
  if (!Array.isArray(rows)) throw new Error('manifest tickets are not a list');
  for (let i = 0; i < rows.length; i++) {
    if (!isTicketRow(rows[i])) throw new Error(`manifest ticket row ${i} is malformed`);
  }
}

export const toTicket = (eventId: EventId, row: TicketRow): Ticket => rowToTicket(eventId, row);
