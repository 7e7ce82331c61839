// The console's settings: the rule each day's code word is drawn by, and the audit of every
// change a person made to a setting (code word, ticket status, staff).
import type { AuditEntry, AuditQuery } from '@gatekeeper/shared/api/settings';
import type { CodeWordRule } from '@gatekeeper/shared/code-word';
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';

export type SettingsMethods = Pick<Storage, 'getCodeWordRule' | 'setCodeWordRule' | 'listCodeWordRules' | 'recordAudit' | 'listAudit'>;

interface RuleRow { event_id: string; words: string; change_at: string }
interface AuditRow {
  id: number; event_id: string | null; actor: string; actor_name: string | null; action: string; target: string;
  before: string | null; after: string | null; reason: string | null; at: number;
}

const ruleFromRow = (r: RuleRow): CodeWordRule => ({ words: JSON.parse(r.words) as string[], changeAt: r.change_at });

const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id, eventId: r.event_id as EventId | null, actor: r.actor as InspectorId, actorName: r.actor_name,
  action: r.action as AuditEntry['action'], target: r.target,
  before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after),
  reason: r.reason, at: r.at,
});

export function settingsMethods(db: Db): SettingsMethods {
  const q = {
    getRule: db.prepare<[string], RuleRow>('SELECT * FROM code_word_rules WHERE event_id = ?'),
    setRule: db.prepare<RuleRow>(
      `INSERT INTO code_word_rules (event_id, words, change_at) VALUES (@event_id, @words, @change_at)
       ON CONFLICT (event_id) DO UPDATE SET words = excluded.words, change_at = excluded.change_at`),
    clearRule: db.prepare<[string]>('DELETE FROM code_word_rules WHERE event_id = ?'),
    listRules: db.prepare<[], RuleRow>('SELECT * FROM code_word_rules ORDER BY event_id'),
    insertAudit: db.prepare<Omit<AuditRow, 'id' | 'actor_name'>>(
      `INSERT INTO audit_log (event_id, actor, action, target, before, after, reason, at)
       VALUES (@event_id, @actor, @action, @target, @before, @after, @reason, @at)`),
    getAudit: db.prepare<[number], AuditRow>(
      'SELECT a.*, s.name AS actor_name FROM audit_log a LEFT JOIN staff s ON s.id = a.actor WHERE a.id = ?'),
  };
  // Newest first by id (the order they were recorded); staff rows (no event) only for admins.
  const listAudit = db.prepare<Record<string, string | number | null>, AuditRow>(
    `SELECT a.*, s.name AS actor_name FROM audit_log a LEFT JOIN staff s ON s.id = a.actor
     WHERE (a.event_id = @eventId OR (@withStaff = 1 AND a.event_id IS NULL))
       AND (@action IS NULL OR a.action = @action) AND (@target IS NULL OR a.target = @target)
       AND (@before IS NULL OR a.id < @before)
     ORDER BY a.id DESC LIMIT @limit`);

  return {
    async getCodeWordRule(eventId: EventId) {
      const r = q.getRule.get(eventId);
      return r ? ruleFromRow(r) : null;
    },
    async setCodeWordRule(eventId: EventId, rule: CodeWordRule | null) {
      if (rule === null) q.clearRule.run(eventId);
      else q.setRule.run({ event_id: eventId, words: JSON.stringify(rule.words), change_at: rule.changeAt });
    },
    async listCodeWordRules() {
      return q.listRules.all().map((r) => ({ eventId: r.event_id as EventId, rule: ruleFromRow(r) }));
    },
    async recordAudit(entry) {
      const { lastInsertRowid } = q.insertAudit.run({
        event_id: entry.eventId, actor: entry.actor, action: entry.action, target: entry.target,
        before: entry.before === null ? null : JSON.stringify(entry.before),
        after: entry.after === null ? null : JSON.stringify(entry.after),
        reason: entry.reason, at: entry.at,
      });
      return auditFromRow(q.getAudit.get(Number(lastInsertRowid))!);
    },
    async listAudit(eventId: EventId, query: AuditQuery & { withStaff: boolean }) {
      const rows = listAudit.all({
        eventId, withStaff: query.withStaff ? 1 : 0, action: query.action ?? null, target: query.target ?? null,
        before: query.before ?? null, limit: query.limit + 1,
      });
      const entries = rows.slice(0, query.limit).map(auditFromRow);
      return { entries, next: rows.length > query.limit ? entries.at(-1)!.id : null };
    },
  };
}
