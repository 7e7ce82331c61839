// The one way a settings change is written to the audit: who, what, when, before and after.
// Routes call it after the change is stored, so the audit never names a change that failed.
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { AuditEntry, Storage } from '../storage/types.ts';

export interface AuditRecord {
  eventId: EventId;
  actor: InspectorId;
  /** `<what>.<verb>`: checkpoint.create, checkpoint.update, tickets.import, import_mapping.save. */
  action: string;
  /** Which one: a checkpoint's or mapping's id, or the event's for an import. */
  target: string;
  before: unknown;
  after: unknown;
  at: number;
}

export function recordAudit(storage: Pick<Storage, 'appendAudit'>, record: AuditRecord): Promise<AuditEntry> {
  return storage.appendAudit(record);
}
