// What the console's settings keep: the audit of changes, import column mappings, and the
// keys the server makes for itself (sqlite/audit.ts, import-mappings.ts, server-secrets.ts).
import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import type { ColumnMap } from '@gatekeeper/shared/import-mapping';
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { ImportMapping, Storage } from '../types.ts';
import type { Sql } from './db.ts';

export type PgSettingsMethods = Pick<Storage,
  'recordAudit' | 'listAudit' | 'listImportMappings' | 'getImportMapping' | 'saveImportMapping' | 'serverSecret'>;

interface AuditRow {
  id: number; event_id: string | null; actor: string; actor_name: string | null; action: string; target: string;
  before_json: string | null; after_json: string | null; reason: string | null; at: number;
}

const json = (v: AuditEntry['before']): string | null => (v === null ? null : JSON.stringify(v));
const unjson = (text: string | null): AuditEntry['before'] => (text === null ? null : JSON.parse(text));

const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id, eventId: r.event_id as EventId | null, actor: r.actor as InspectorId, actorName: r.actor_name,
  action: r.action as AuditEntry['action'], target: r.target,
  before: unjson(r.before_json), after: unjson(r.after_json), reason: r.reason, at: r.at,
});

interface MappingRow { event_id: string; id: string; name: string; columns_json: string; updated_by: string; updated_at: number }

const mappingFromRow = (r: MappingRow): ImportMapping => ({
  id: r.id, name: r.name, columns: JSON.parse(r.columns_json) as ColumnMap[], updatedAt: r.updated_at, updatedBy: r.updated_by as InspectorId,
});

export function pgSettingsMethods(sql: Sql): PgSettingsMethods {
  return {
    async recordAudit(e) {
      const row = await sql.one<AuditRow>(
        `WITH a AS (INSERT INTO audit_log (event_id, actor, action, target, before_json, after_json, reason, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
         SELECT a.*, s.name AS actor_name FROM a LEFT JOIN staff s ON s.id = a.actor`,
        [e.eventId, e.actor, e.action, e.target, json(e.before), json(e.after), e.reason, e.at]);
      return auditFromRow(row!);
    },
    async listAudit(eventId, query) {
      // Newest first by id (the order they were recorded); staff rows (no event) only when asked.
      const rows = await sql.all<AuditRow>(
        `SELECT a.*, s.name AS actor_name FROM audit_log a LEFT JOIN staff s ON s.id = a.actor
         WHERE (a.event_id = $1 OR ($2 AND a.event_id IS NULL))
           AND ($3::text IS NULL OR a.action = $3) AND ($4::text IS NULL OR a.target = $4)
           AND ($5::bigint IS NULL OR a.id < $5)
         ORDER BY a.id DESC LIMIT $6`,
        [eventId, query.withStaff, query.action ?? null, query.target ?? null, query.before ?? null, query.limit + 1]);
      const entries = rows.slice(0, query.limit).map(auditFromRow);
      return { entries, next: rows.length > query.limit ? entries.at(-1)!.id : null };
    },
    async listImportMappings(eventId) {
      return (await sql.all<MappingRow>('SELECT * FROM import_mappings WHERE event_id = $1 ORDER BY updated_at DESC, id', [eventId])).map(mappingFromRow);
    },
    async getImportMapping(eventId, id) {
      const row = await sql.one<MappingRow>('SELECT * FROM import_mappings WHERE event_id = $1 AND id = $2', [eventId, id]);
      return row ? mappingFromRow(row) : null;
    },
    async saveImportMapping(eventId, m) {
      await sql.run(
        `INSERT INTO import_mappings (event_id, id, name, columns_json, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (event_id, id) DO UPDATE SET name = excluded.name, columns_json = excluded.columns_json,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [eventId, m.id, m.name, JSON.stringify(m.columns), m.updatedBy, m.updatedAt]);
    },
    async serverSecret(name) {
      // Whoever inserts first wins, on any instance; every caller then reads the same key.
      await sql.run('INSERT INTO server_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
      return (await sql.one<{ secret: Buffer }>('SELECT secret FROM server_secrets WHERE name = $1', [name]))!.secret;
    },
  };
}
