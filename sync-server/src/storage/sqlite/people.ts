// Staff, their assignment to events, login sessions and the phones they scan with.
import type { DeviceId, EventId, InspectorId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { DeviceRecord, SessionRecord, StaffRecord, Storage } from '../types.ts';
import { isConstraintError, type Db } from './db.ts';
import {
  deviceFromRow, deviceToRow, sessionFromRow, sessionToRow, staffFromRow, staffToRow,
  type DeviceRow, type SessionRow, type StaffRow,
} from './rows.ts';

export type PeopleMethods = Pick<Storage,
  | 'createStaff' | 'getStaff' | 'getStaffByUsername' | 'assignStaff' | 'isStaffOf' | 'listEventStaff'
  | 'createSession' | 'getSession' | 'deleteSession' | 'deleteExpiredSessions'
  | 'registerDevice' | 'getDevice' | 'listDevices' | 'revokeDevice' | 'touchDevice'>;

export function peopleMethods(db: Db): PeopleMethods {
  const q = {
    insertStaff: db.prepare<StaffRow>(
      `INSERT INTO staff (id, username, name, role, password_hash, disabled)
       VALUES (@id, @username, @name, @role, @password_hash, @disabled)`),
    getStaff: db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE id = ?'),
    // The column is COLLATE NOCASE, so this finds "Anna" when asked for "anna".
    getStaffByUsername: db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE username = ?'),
    assign: db.prepare<[string, string]>('INSERT OR IGNORE INTO event_staff (event_id, inspector_id) VALUES (?, ?)'),
    isStaffOf: db.prepare<[string, string], { one: 1 }>('SELECT 1 AS one FROM event_staff WHERE event_id = ? AND inspector_id = ?'),
    eventStaff: db.prepare<[string], StaffRow>(
      `SELECT s.* FROM event_staff e JOIN staff s ON s.id = e.inspector_id WHERE e.event_id = ? ORDER BY s.name, s.id`),
    insertSession: db.prepare<SessionRow>(
      `INSERT INTO sessions (token_hash, inspector_id, created_at, expires_at)
       VALUES (@token_hash, @inspector_id, @created_at, @expires_at)`),
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    deleteExpiredSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
    // A phone registering again (a new login on it) updates who holds it and its name,
    // but never lifts a revocation: only a supervisor can give a revoked phone back, and
    // that needs a new device id. created_at stays the first registration.
    registerDevice: db.prepare<DeviceRow>(
      `INSERT INTO devices (id, inspector_id, name, created_at, revoked_at, last_seen_at)
       VALUES (@id, @inspector_id, @name, @created_at, @revoked_at, @last_seen_at)
       ON CONFLICT (id) DO UPDATE SET inspector_id = excluded.inspector_id, name = excluded.name`),
    getDevice: db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?'),
    listDevices: db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY created_at, id'),
    // The first revocation time stands: revoking twice does not move when it happened.
    revokeDevice: db.prepare<[number, string]>('UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
    touchDevice: db.prepare<[number, string]>('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
  };

  const mustExist = (changes: number, what: string) => {
    if (changes === 0) throw new GkError('not_found', `${what} does not exist`);
  };

  return {
    async createStaff(staff: StaffRecord) {
      try {
        q.insertStaff.run(staffToRow(staff));
      } catch (e) {
        if (isConstraintError(e)) throw new GkError('bad_request', `staff ${staff.id} or username ${staff.username} already exists`);
        throw e;
      }
    },
    async getStaff(id: InspectorId) {
      const r = q.getStaff.get(id);
      return r ? staffFromRow(r) : null;
    },
    async getStaffByUsername(username: string) {
      const r = q.getStaffByUsername.get(username);
      return r ? staffFromRow(r) : null;
    },
    async assignStaff(eventId: EventId, inspectorId: InspectorId) {
      q.assign.run(eventId, inspectorId);
    },
    async isStaffOf(eventId: EventId, inspectorId: InspectorId) {
      return q.isStaffOf.get(eventId, inspectorId) !== undefined;
    },
    async listEventStaff(eventId: EventId) {
      return q.eventStaff.all(eventId).map(staffFromRow);
    },
    async createSession(session: SessionRecord) {
      q.insertSession.run(sessionToRow(session));
    },
    async getSession(tokenHash: string) {
      const r = q.getSession.get(tokenHash);
      return r ? sessionFromRow(r) : null;
    },
    async deleteSession(tokenHash: string) {
      q.deleteSession.run(tokenHash);
    },
    async deleteExpiredSessions(now: number) {
      return q.deleteExpiredSessions.run(now).changes;
    },
    async registerDevice(device: DeviceRecord) {
      q.registerDevice.run(deviceToRow(device));
    },
    async getDevice(id: DeviceId) {
      const r = q.getDevice.get(id);
      return r ? deviceFromRow(r) : null;
    },
    async listDevices() {
      return q.listDevices.all().map(deviceFromRow);
    },
    async revokeDevice(id: DeviceId, at: number) {
      mustExist(q.revokeDevice.run(at, id).changes, `device ${id}`);
    },
    // Silent for an unknown device: a bookkeeping write must never fail the scan or the
    // connection it rides along with.
    async touchDevice(id: DeviceId, at: number) {
      q.touchDevice.run(at, id);
    },
  };
}
