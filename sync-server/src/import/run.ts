// Import a ticket file into an event: everything or nothing. The parser reports every bad
// row; storage then writes the lot in one transaction. Used by the CLI and the admin API.
import { GkError } from '@gatekeeper/shared/protocol/errors';
import type { EventId } from '@gatekeeper/shared/ids';
import type { AuditRecord, ImportResult, Storage } from '../storage/types.ts';
import type { ColumnMap } from '@gatekeeper/shared/import-mapping';
import { parseTicketImport, type ImportError, type ImportFormat } from './tickets.ts';

/**
 * Throws GkError `not_found` for an unknown event and `invalid_import` (details: the
 * ImportError list) when any row is wrong; then nothing has been written. `audit` (an
 * import a person made) gives its audit row from what the file holds, stored with it.
 */
export async function importTickets(
  storage: Storage,
  eventId: EventId,
  input: { format: ImportFormat; text: string; columns?: readonly ColumnMap[] },
  audit?: (result: ImportResult) => AuditRecord,
): Promise<ImportResult> {
  if (!(await storage.getEvent(eventId))) throw new GkError('not_found', `no event with id ${eventId}`);
  const { orders, tickets, errors } = parseTicketImport({ ...input, eventId });
  if (errors.length > 0) throw new GkError('invalid_import', summarise(errors), errors);
  return storage.importTickets(eventId, orders, tickets, audit?.({ orders: orders.length, tickets: tickets.length }));
}

function summarise(errors: ImportError[]): string {
  // A JSON file numbers orders and tickets apart: row 3 of each are two rows.
  const rows = new Set(errors.filter((e) => e.row > 0).map((e) => `${e.field?.startsWith('orders') ? 'o' : 't'}${e.row}`));
  if (rows.size === 0) return `the file cannot be imported: ${errors[0].message}`;
  return rows.size === 1 ? '1 row has errors' : `${rows.size} rows have errors`;
}
