// The audit of settings changed by people (sqlite/audit.ts tells why each rule). The only
// writer of audit_log: each change's module runs its writes through `audited`, which stores
// the row in the change's own transaction.
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import type pg from 'pg';
import type { AuditRecord, Storage } from '../types.ts';
import { inTransaction, type Sql } from './db.ts';
import { auditFromRow, auditJson, type AuditRow } from '../rows.ts';

export type PgAuditMethods = Pick<Storage, 'recordAudit' | 'listAudit'>;

/** Stores the row and returns it as stored, with its id and the actor's name. */
const writeAudit = async (sql: Sql, e: AuditRecord): Promise<AuditEntry> => auditFromRow((await sql.one<AuditRow>(
  `WITH a AS (INSERT INTO audit_log (event_id, actor, action, target, before_json, after_json, reason, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *)
   SELECT a.*, s.name AS actor_name FROM a LEFT JOIN staff s ON s.id = a.actor`,
  [e.eventId, e.actor, e.action, e.target, auditJson(e.before), auditJson(e.after), e.reason, e.at]))!);

/** Runs a change on one transaction's connection, and stores its audit row (when given) in that transaction. */
export type Audited = <T>(change: (tx: Sql) => Promise<T>, audit: AuditRecord | undefined) => Promise<T>;

/**
 * A row that cannot be stored (an actor who is nobody) throws, and the change is rolled
 * back with it.
 */
export function audited(pool: pg.Pool): Audited {
  return (change, audit) => inTransaction(pool, async (tx) => {
    const result = await change(tx);
    if (audit) await writeAudit(tx, audit);
    return result;
  });
}

export function pgAuditMethods(sql: Sql): PgAuditMethods {
  return {
    async recordAudit(e) {
      return writeAudit(sql, e);
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
  };
}
