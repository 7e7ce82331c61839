// Ticket imports: a CSV or JSON file as the body, everything or nothing (import/run.ts),
// with a preview that writes nothing, and column mappings an organiser saves once per
// event and uses again for the next export of the same system. Imports and saved
// mappings are audited. Admins only, as the CLI's import: a file can add any ticket.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  zImportQuery, zMappingBody, zMappingId, type ImportMapping, type ImportPreviewReply, type ImportReply, type MappingListReply, type MappingReply,
} from '@gatekeeper/shared/api/imports';
import type { EventId } from '@gatekeeper/shared/ids';
import { zColumnMapping, type ColumnMap } from '@gatekeeper/shared/import-mapping';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { importTickets } from '../import/run.ts';
import { MAX_IMPORT_BYTES, previewTicketImport, type ImportFormat } from '../import/tickets.ts';
import type { Storage } from '../storage/types.ts';
import { access, ticketsChanged } from './events.ts';
import { jsonBody, queryOf, type Ctx, type Env } from './context.ts';

/** The mapping a request names: a saved one by id, or one sent as JSON in `columns`. */
async function mappingOf(storage: Storage, eventId: EventId, q: { mapping?: string; columns?: string }): Promise<{ columns: ColumnMap[]; id: string | null }> {
  if (q.mapping !== undefined && q.columns !== undefined) throw new GkError('bad_request', 'send either mapping (a saved one) or columns, not both');
  if (q.mapping !== undefined) {
    const saved = await storage.getImportMapping(eventId, q.mapping);
    if (!saved) throw new GkError('not_found', `no saved mapping ${q.mapping}`);
    return { columns: saved.columns, id: saved.id };
  }
  if (q.columns === undefined) return { columns: [], id: null };
  let raw: unknown;
  try { raw = JSON.parse(q.columns); } catch { throw new GkError('bad_request', 'columns: not JSON'); }
  const r = zColumnMapping.safeParse(raw);
  if (!r.success) throw new GkError('bad_request', `columns: ${r.error.issues[0]!.message}`, r.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })));
  return { columns: r.data, id: null };
}

const formatOf = (c: Ctx): ImportFormat => ((c.req.header('content-type') ?? '').includes('csv') ? 'csv' : 'json');

export const importRoutes = new Hono<Env>()
  .post('/:eventId/import', bodyLimit({ maxSize: MAX_IMPORT_BYTES, onError: () => { throw new GkError('payload_too_large', `imports are limited to ${MAX_IMPORT_BYTES} bytes`); } }), async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const q = queryOf(c, zImportQuery);
    const { storage, log, now } = c.var.deps;
    const mapping = await mappingOf(storage, eventId, q);
    const format = formatOf(c);
    const text = await c.req.text();
    if (q.preview) {
      const p = previewTicketImport({ format, text, eventId, columns: mapping.columns });
      const sample = p.sample.map((t) => ({
        id: t.id, orderId: t.orderId, type: t.type, holderName: t.holderName, seat: t.seat, status: t.status,
        validFrom: t.validFrom, validUntil: t.validUntil, idCheck: t.idCheck, hasImportedCode: t.importedCode !== null,
      }));
      return c.json({ format, header: p.header, mapped: p.mapped, tickets: p.tickets, orders: p.orders, sample, errors: p.errors } satisfies ImportPreviewReply);
    }
    const result = await importTickets(storage, eventId, { format, text, columns: mapping.columns }, (counts) => ({
      eventId, actor: staff.id, action: 'tickets.import', target: eventId, before: null,
      after: { ...counts, format, bytes: Buffer.byteLength(text, 'utf8'), mapping: mapping.id, columns: mapping.columns.length ? mapping.columns : null },
      reason: null, at: now(),
    }));
    log.info('import', { event: eventId, by: staff.id, ...result });
    await ticketsChanged(c, eventId);
    return c.json(result satisfies ImportReply);
  })
  .get('/:eventId/import/mappings', async (c) => {
    const { eventId } = await access(c, 'admin');
    return c.json({ mappings: await c.var.deps.storage.listImportMappings(eventId) } satisfies MappingListReply);
  })
  .put('/:eventId/import/mappings/:mappingId', async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const id = zMappingId.safeParse(c.req.param('mappingId'));
    if (!id.success) throw new GkError('bad_request', 'mapping id: letters, digits, . _ - (at most 64)');
    const body = await jsonBody(c, zMappingBody);
    const { storage, now } = c.var.deps;
    const before = await storage.getImportMapping(eventId, id.data);
    const mapping: ImportMapping = { id: id.data, ...body, updatedAt: now(), updatedBy: staff.id };
    await storage.saveImportMapping(eventId, mapping, {
      eventId, actor: staff.id, action: 'import_mapping.save', target: mapping.id, before, after: mapping, reason: null, at: mapping.updatedAt,
    });
    return c.json({ mapping } satisfies MappingReply);
  });
