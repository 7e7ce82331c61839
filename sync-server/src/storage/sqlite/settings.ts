// Settings as stored: the audit of changes (append-only) and the column mappings that
// ticket imports reuse. Both are small tables written by supervisors, never by scanners.
import type { ColumnMap } from '@gatekeeper/shared/import-mapping';
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { AuditEntry, ImportMapping, Storage } from '../types.ts';
import type { Db } from './db.ts';

export type SettingsMethods = Pick<Storage, 'appendAudit' | 'listAudit' | 'listImportMappings' | 'getImportMapping' | 'saveImportMapping'>;

interface AuditRow { id: number; event_id: string; actor: string; action: string; target: string; before_json: string | null; after_json: string | null; at: number }
interface MappingRow { event_id: string; id: string; name: string; columns_json: string; updated_by: string; updated_at: number }

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const unjson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id, eventId: r.event_id as EventId, actor: r.actor as InspectorId, action: r.action, target: r.target,
  before: unjson(r.before_json), after: unjson(r.after_json), at: r.at,
});
const mappingFromRow = (r: MappingRow): ImportMapping => ({
  id: r.id, name: r.name, columns: JSON.parse(r.columns_json) as ColumnMap[], updatedAt: r.updated_at, updatedBy: r.updated_by as InspectorId,
});

export function settingsMethods(db: Db): SettingsMethods {
  const q = {
    insertAudit: db.prepare<Omit<AuditRow, 'id'>>(
      `INSERT INTO audit_log (event_id, actor, action, target, before_json, after_json, at)
       VALUES (@event_id, @actor, @action, @target, @before_json, @after_json, @at)`),
    listAudit: db.prepare<[string, number], AuditRow>('SELECT * FROM audit_log WHERE event_id = ? ORDER BY id LIMIT ?'),
    listMappings: db.prepare<[string], MappingRow>('SELECT * FROM import_mappings WHERE event_id = ? ORDER BY updated_at DESC, id'),
    getMapping: db.prepare<[string, string], MappingRow>('SELECT * FROM import_mappings WHERE event_id = ? AND id = ?'),
    saveMapping: db.prepare<MappingRow>(
      `INSERT INTO import_mappings (event_id, id, name, columns_json, updated_by, updated_at)
       VALUES (@event_id, @id, @name, @columns_json, @updated_by, @updated_at)
       ON CONFLICT (event_id, id) DO UPDATE SET name = excluded.name, columns_json = excluded.columns_json,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
  };
  return {
    async appendAudit(e) {
      const row = { event_id: e.eventId, actor: e.actor, action: e.action, target: e.target, before_json: json(e.before), after_json: json(e.after), at: e.at };
      return { ...e, id: Number(q.insertAudit.run(row).lastInsertRowid) };
    },
    async listAudit(eventId, limit) {
      return q.listAudit.all(eventId, Math.max(1, Math.min(1000, Math.floor(limit)))).map(auditFromRow);
    },
    async listImportMappings(eventId) {
      return q.listMappings.all(eventId).map(mappingFromRow);
    },
    async getImportMapping(eventId, id) {
      const row = q.getMapping.get(eventId, id);
      return row ? mappingFromRow(row) : null;
    },
    async saveImportMapping(eventId, m) {
      q.saveMapping.run({ event_id: eventId, id: m.id, name: m.name, columns_json: JSON.stringify(m.columns), updated_by: m.updatedBy, updated_at: m.updatedAt });
    },
  };
}
