// What the console's settings keep: import column mappings and the keys the server makes
// for itself (sqlite/import-mappings.ts, server-secrets.ts). The audit is audit.ts.
import { randomBytes } from 'node:crypto';
import type { Storage } from '../types.ts';
import type { Audited } from './audit.ts';
import type { Sql } from './db.ts';
import { mappingFromRow, type MappingRow } from '../rows.ts';

export type PgSettingsMethods = Pick<Storage,
  'listImportMappings' | 'getImportMapping' | 'saveImportMapping' | 'serverSecret'>;

export function pgSettingsMethods(sql: Sql, withAudit: Audited): PgSettingsMethods {
  return {
    async listImportMappings(eventId) {
      return (await sql.all<MappingRow>('SELECT * FROM import_mappings WHERE event_id = $1 ORDER BY updated_at DESC, id', [eventId])).map(mappingFromRow);
    },
    async getImportMapping(eventId, id) {
      const row = await sql.one<MappingRow>('SELECT * FROM import_mappings WHERE event_id = $1 AND id = $2', [eventId, id]);
      return row ? mappingFromRow(row) : null;
    },
    async saveImportMapping(eventId, m, audit) {
      await withAudit((tx) => tx.run(
        `INSERT INTO import_mappings (event_id, id, name, columns_json, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (event_id, id) DO UPDATE SET name = excluded.name, columns_json = excluded.columns_json,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [eventId, m.id, m.name, JSON.stringify(m.columns), m.updatedBy, m.updatedAt]), audit);
    },
    async serverSecret(name) {
      // Whoever inserts first wins, on any instance; every caller then reads the same key.
      await sql.run('INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
      return (await sql.one<{ secret: Buffer }>('SELECT secret FROM server_secrets WHERE name = $1', [name]))!.secret;
    },
  };
}
