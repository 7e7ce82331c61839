// Who may do what: roles are ordered, and everyone but an admin is confined to the events
// they are staff of.
import { GkError, type Role } from '@gatekeeper/shared/protocol/index';
import type { EventId } from '@gatekeeper/shared/ids';
import type { StaffRecord, Storage } from '../storage/types.ts';

const RANK: Record<Role, number> = { inspector: 1, supervisor: 2, admin: 3 };

export function requireRole(staff: StaffRecord, role: Role): void {
  if (RANK[staff.role] < RANK[role]) throw new GkError('forbidden', `this needs the ${role} role; you are ${staff.role}`);
}

export async function requireEventAccess(storage: Storage, staff: StaffRecord, eventId: EventId, role: Role = 'inspector'): Promise<void> {
  requireRole(staff, role);
  if (!(await storage.getEvent(eventId))) throw new GkError('not_found', `no event ${eventId}`);
  if (staff.role !== 'admin' && !(await storage.isStaffOf(eventId, staff.id))) {
    throw new GkError('forbidden', `you are not staff of event ${eventId}`);
  }
}
