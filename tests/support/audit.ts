// An event's audit rows as a test reads them: every one, oldest first (the storage answers
// newest first, a page at a time), without the staff rows that hold for every event.
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Storage } from '@gatekeeper/sync-server/storage/types';

export async function auditOldestFirst(storage: Pick<Storage, 'listAudit'>, eventId: EventId): Promise<AuditEntry[]> {
  const { entries, next } = await storage.listAudit(eventId, { limit: 10_000, withStaff: false });
  if (next !== null) throw new Error('more than 10,000 audit rows: a test does not write that many');
  return entries.reverse();
}
