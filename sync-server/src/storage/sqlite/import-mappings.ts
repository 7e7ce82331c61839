// The column mappings that ticket imports reuse, per event: written by organisers, never by
// scanners.
import type { Storage } from '../types.ts';
import { audited } from './audit.ts';
import type { Db } from './db.ts';
import { mappingFromRow, type MappingRow } from '../rows.ts';

export type ImportMappingMethods = Pick<Storage, 'listImportMappings' | 'getImportMapping' | 'saveImportMapping'>;

export function importMappingMethods(db: Db): ImportMappingMethods {
  const q = {
    list: db.prepare<[string], MappingRow>('SELECT * FROM import_mappings WHERE event_id = ? ORDER BY updated_at DESC, id'),
    get: db.prepare<[string, string], MappingRow>('SELECT * FROM import_mappings WHERE event_id = ? AND id = ?'),
    save: db.prepare<MappingRow>(
      `INSERT INTO import_mappings (event_id, id, name, columns_json, updated_by, updated_at)
       VALUES (@event_id, @id, @name, @columns_json, @updated_by, @updated_at)
       ON CONFLICT (event_id, id) DO UPDATE SET name = excluded.name, columns_json = excluded.columns_json,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
  };
  const withAudit = audited(db);
  return {
    async listImportMappings(eventId) {
      return q.list.all(eventId).map(mappingFromRow);
    },
    async getImportMapping(eventId, id) {
      const row = q.get.get(eventId, id);
      return row ? mappingFromRow(row) : null;
    },
    async saveImportMapping(eventId, m, audit) {
      withAudit(() => q.save.run({
        event_id: eventId, id: m.id, name: m.name, columns_json: JSON.stringify(m.columns), updated_by: m.updatedBy, updated_at: m.updatedAt,
      }), audit);
    },
  };
}
