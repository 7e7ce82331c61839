// Ticket imports from the console: saved column mappings, the preview of a file (nothing
// written) and the import itself. The file travels as the request body (text/csv or
// application/json), the mapping in the query: POST /api/events/:eventId/import
// ?preview=1 &mapping=<saved id> or &columns=<JSON of ColumnMap[]>.
import { z } from 'zod';
import { zTicket } from '../domain.ts';
import { zId, type InspectorId } from '../ids.ts';
import { zColumnMapping, zImportColumn } from '../import-mapping.ts';

/** A mapping's id: chosen by the console, letters, digits, . _ - (at most 64). */
export const zMappingId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/** PUT /api/events/:eventId/import/mappings/:mappingId: the body. */
export const zMappingBody = z.object({ name: z.string().trim().min(1).max(80), columns: zColumnMapping });
export type MappingBody = z.infer<typeof zMappingBody>;

/** A saved mapping, kept per event (times in epoch ms). */
export const zImportMapping = zMappingBody.extend({
  id: zMappingId,
  updatedAt: z.number().int(),
  updatedBy: zId<InspectorId>(),
});
export type ImportMapping = z.infer<typeof zImportMapping>;

/** GET /api/events/:eventId/import/mappings: newest change first. */
export const zMappingListReply = z.object({ mappings: z.array(zImportMapping) });
export type MappingListReply = z.infer<typeof zMappingListReply>;

/** PUT …/import/mappings/:mappingId. */
export const zMappingReply = z.object({ mapping: zImportMapping });
export type MappingReply = z.infer<typeof zMappingReply>;

/** The query of POST …/import: `columns` is JSON (the console's mapping as edited, unsaved). */
export const zImportQuery = z.object({
  preview: z.enum(['1', 'true']).optional(),
  mapping: zMappingId.optional(),
  columns: z.string().max(32_000).optional(),
});

/**
 * One thing wrong with a file: `row` is the spreadsheet row in CSV (header = 1), the
 * item's place in its list in JSON; 0 is the whole file. `field`: the column, as mapped.
 */
export const zImportError = z.object({ row: z.number().int().nonnegative(), field: z.string().optional(), message: z.string() });
export type ImportErrorEntry = z.infer<typeof zImportError>;

/** A ticket as the preview lists it: what an organiser checks, without the barcode itself. */
export const zPreviewTicket = zTicket.pick({
  id: true, orderId: true, type: true, holderName: true, seat: true, status: true, validFrom: true, validUntil: true, idCheck: true,
}).extend({ hasImportedCode: z.boolean() });
export type PreviewTicket = z.infer<typeof zPreviewTicket>;

/** POST …/import?preview=1: what the import would do; 200 even when rows have errors. */
export const zImportPreviewReply = z.object({
  format: z.enum(['csv', 'json']),
  /** CSV: the file's header as written, and each column as mapped (null: left out). Empty for JSON. */
  header: z.array(z.string()),
  mapped: z.array(zImportColumn.or(z.string()).nullable()),
  /** What would be imported, counted over the whole file; 0 when any row has errors. */
  tickets: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
  /** The first tickets read, for the organiser to check the mapping (rows with errors are not among them). */
  sample: z.array(zPreviewTicket),
  errors: z.array(zImportError),
});
export type ImportPreviewReply = z.infer<typeof zImportPreviewReply>;

/** POST …/import: what was written (all of it, or an `invalid_import` error with the rows). */
export const zImportReply = z.object({ orders: z.number().int().nonnegative(), tickets: z.number().int().nonnegative() });
export type ImportReply = z.infer<typeof zImportReply>;
