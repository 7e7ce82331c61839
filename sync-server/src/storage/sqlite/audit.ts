// The audit of settings changed by people: who, what, when, before, after and why. Append-only;
// the one audit for every section of the console (code word, tickets, staff, checkpoints, imports).
// The only writer of audit_log: each change's module runs its writes through `audited`, which
// stores the row in the change's own transaction.
import type { AuditQuery } from '@gatekeeper/shared/api/settings';
import type { EventId } from '@gatekeeper/shared/ids';
import type { AuditRecord, Storage } from '../types.ts';
import type { Db } from './db.ts';
import { auditFromRow, auditJson, type AuditRow } from '../rows.ts';

export type AuditMethods = Pick<Storage, 'recordAudit' | 'listAudit'>;

function auditWriter(db: Db): (entry: AuditRecord) => number {
  const insert = db.prepare<Omit<AuditRow, 'id' | 'actor_name'>>(
    `INSERT INTO audit_log (event_id, actor, action, target, before_json, after_json, reason, at)
     VALUES (@event_id, @actor, @action, @target, @before_json, @after_json, @reason, @at)`);
  return (entry) => Number(insert.run({
    event_id: entry.eventId, actor: entry.actor, action: entry.action, target: entry.target,
    before_json: auditJson(entry.before), after_json: auditJson(entry.after), reason: entry.reason, at: entry.at,
  }).lastInsertRowid);
}

/**
 * Runs a change and stores its audit row (when given) in one IMMEDIATE transaction (a
 * savepoint inside one already open): a row that cannot be stored (an actor who is nobody,
 * a full disk) throws, and the change is rolled back with it.
 */
export function audited(db: Db): <T>(change: () => T, audit: AuditRecord | undefined) => T {
  const write = auditWriter(db);
  const tx = db.transaction((change: () => unknown, audit: AuditRecord | undefined) => {
    const result = change();
    if (audit) write(audit);
    return result;
  });
  return <T>(change: () => T, audit: AuditRecord | undefined) => tx.immediate(change, audit) as T;
}

export function auditMethods(db: Db): AuditMethods {
  const write = auditWriter(db);
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
      return auditFromRow(byId.get(write(entry))!);
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
