// Column mapping for ticket imports: an organiser's export from another ticketing system
// names its columns its own way ("Barcode", "Ticket category"); a mapping says once which
// of ours each one is, or that it is left out, and is kept on the server to use again.
// Pure, so the server applies it and the console checks and suggests it with the same code.
import { z } from 'zod';

/** Our CSV columns, in the order a template lists them (sync-server/src/import/tickets.ts reads each). */
export const IMPORT_COLUMNS = [
  'ticket_id', 'order_id', 'type', 'holder_name', 'seat', 'kind', 'e_ticket', 'status',
  'valid_from', 'valid_until', 'id_check', 'imported_code', 'buyer_name', 'email', 'mobile',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const zImportColumn = z.enum(IMPORT_COLUMNS);
/** Without these a file cannot be imported at all. */
export const REQUIRED_IMPORT_COLUMNS: readonly ImportColumn[] = ['ticket_id', 'type'];

/** Most columns a mapping names: exports with more columns than this are not ticket lists. */
export const MAX_MAPPED_COLUMNS = 200;

/** One column of the file: what it is called there, and ours it fills (null: left out). */
export const zColumnMap = z.object({ from: z.string().trim().min(1).max(200), to: zImportColumn.nullable() });
export type ColumnMap = z.infer<typeof zColumnMap>;

/** Header names as the importer compares them: case, spaces and hyphens do not matter. */
export const columnKey = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * What is wrong with a mapping, as sentences ([] when nothing): a file column named twice
 * (the second would silently win), or two file columns filling one of ours.
 */
export function mappingProblems(columns: readonly ColumnMap[]): string[] {
  const problems: string[] = [];
  const from = new Map<string, string>();
  const to = new Map<ImportColumn, string>();
  for (const c of columns) {
    const key = columnKey(c.from);
    const first = from.get(key);
    if (first !== undefined) problems.push(`the file column ${JSON.stringify(c.from)} is mapped twice (also as ${JSON.stringify(first)})`);
    else from.set(key, c.from);
    if (c.to === null) continue;
    const taken = to.get(c.to);
    if (taken !== undefined) problems.push(`${c.to} is filled from both ${JSON.stringify(taken)} and ${JSON.stringify(c.from)}`);
    else to.set(c.to, c.from);
  }
  return problems;
}

/** A mapping as the API takes it: checked with mappingProblems. */
export const zColumnMapping = z.array(zColumnMap).max(MAX_MAPPED_COLUMNS).superRefine((columns, ctx) => {
  for (const message of mappingProblems(columns)) ctx.addIssue({ code: 'custom', message });
});

/**
 * A file's header read through a mapping: for each column, our name (as the importer
 * reads headers) or null when the mapping leaves it out. A column the mapping does not
 * name keeps its own name, so a file that already uses some of ours needs only the rest.
 */
export function mapHeader(header: readonly string[], columns: readonly ColumnMap[]): Array<string | null> {
  const byKey = new Map(columns.map((c) => [columnKey(c.from), c.to] as const));
  return header.map((h) => {
    const key = columnKey(h);
    return byKey.has(key) ? byKey.get(key)! : h;
  });
}

/**
 * A first mapping for a file the console has not seen: each column that already is one of
 * ours (in any case or spacing) maps to it; the rest wait for the organiser (null).
 */
export function suggestMapping(header: readonly string[], saved: readonly ColumnMap[] = []): ColumnMap[] {
  const known = new Map(saved.map((c) => [columnKey(c.from), c.to] as const));
  const ours = new Set<string>(IMPORT_COLUMNS);
  return header.filter((h) => h.trim() !== '').map((h) => {
    const key = columnKey(h);
    if (known.has(key)) return { from: h.trim(), to: known.get(key)! };
    return { from: h.trim(), to: ours.has(key) ? (key as ImportColumn) : null };
  });
}
