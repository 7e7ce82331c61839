// The audit of settings changed by people: who, what, when, before, after and why. Append-only;
// the one audit for every section of the console (code word, tickets, staff, checkpoints, imports).
import type { AuditEntry, AuditQuery } from '@gatekeeper/shared/api/settings';
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';

export type AuditMethods = Pick<Storage, 'recordAudit' | 'listAudit'>;

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

export function auditMethods(db: Db): AuditMethods {
  const insert = db.prepare<Omit<AuditRow, 'id' | 'actor_name'>>(
    `INSERT INTO audit_log (event_id, actor, action, target, before_json, after_json, reason, at)
     VALUES (@event_id, @actor, @action, @target, @before_json, @after_json, @reason, @at)`);
  const byId = db.prepare<[number], AuditRow>(
    'SELECT a.*, s.name AS actor_name FROM audit_log a LEFT JOIN staff s ON s.id = a.actor WHERE a.id = ?');
  // Newest first by id (the order they were recorded); staff rows (no event) only for admins.
  const list = db.prepare<Record<string, string | number | null>, AuditRow>(
    `SELECT a.*, s.name AS actor_name FROM audit_log a LEFT JOIN staff s ON s.id = a.actor
     WHERE (a.event_id = @eventId OR (@withStaff = 1 AND a.event_id IS NULL))
       AND (@action IS NULL OR a.action = @action) AND (@target IS NULL OR a.target = @target)
       AND (@before IS NULL OR a.id < @before)
     ORDER BY a.id DESC LIMIT @limit`);

  return {
    async recordAudit(entry) {
      const { lastInsertRowid } = insert.run({
        event_id: entry.eventId, actor: entry.actor, action: entry.action, target: entry.target,
        before_json: json(entry.before), after_json: json(entry.after), reason: entry.reason, at: entry.at,
      });
      return auditFromRow(byId.get(Number(lastInsertRowid))!);
    },
    async listAudit(eventId: EventId, query: AuditQuery & { withStaff: boolean }) {
      const rows = list.all({
        eventId, withStaff: query.withStaff ? 1 : 0, action: query.action ?? null, target: query.target ?? null,
        before: query.before ?? null, limit: query.limit + 1,
      });
      const entries = rows.slice(0, query.limit).map(auditFromRow);
      return { entries, next: rows.length > query.limit ? entries.at(-1)!.id : null };
    },
  };
}
