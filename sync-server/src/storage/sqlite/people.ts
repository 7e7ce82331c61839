// Staff, their assignment to events, login sessions and the phones they scan with.
import type { DeviceId, EventId, InspectorId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { DeviceRecord, SessionRecord, StaffRecord, Storage } from '../types.ts';
import { audited } from './audit.ts';
import { isConstraintError, type Db } from './db.ts';
import {
  deviceFromRow, deviceToRow, sessionFromRow, sessionToRow, staffFromRow, staffToRow,
  type DeviceRow, type SessionRow, type StaffRow,
} from '../rows.ts';

export type PeopleMethods = Pick<Storage,
  | 'createStaff' | 'getStaff' | 'getStaffByUsername' | 'assignStaff' | 'isStaffOf' | 'listEventStaff'
  | 'listStaff' | 'setStaffPassword' | 'setStaffDisabled' | 'setStaffRole' | 'setStaffEvents' | 'listStaffEvents'
  | 'createSession' | 'getSession' | 'deleteSession' | 'deleteStaffSessions' | 'deleteExpiredSessions'
  | 'registerDevice' | 'getDevice' | 'getDeviceSecretHash' | 'bindSession' | 'listDevices' | 'revokeDevice' | 'touchDevice'>;

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
    listStaff: db.prepare<[], StaffRow>('SELECT * FROM staff ORDER BY username, id'),
    setPassword: db.prepare<[string, string]>('UPDATE staff SET password_hash = ? WHERE id = ?'),
    setDisabled: db.prepare<[number, string]>('UPDATE staff SET disabled = ? WHERE id = ?'),
    setRole: db.prepare<[string, string]>('UPDATE staff SET role = ? WHERE id = ?'),
    unassignAll: db.prepare<[string]>('DELETE FROM event_staff WHERE inspector_id = ?'),
    assignments: db.prepare<[], { inspector_id: string; event_id: string }>('SELECT inspector_id, event_id FROM event_staff ORDER BY inspector_id, event_id'),
    deleteStaffSessions: db.prepare<[string]>('DELETE FROM sessions WHERE inspector_id = ?'),
    deleteStaffSessionsBut: db.prepare<[string, string]>('DELETE FROM sessions WHERE inspector_id = ? AND token_hash <> ?'),
    insertSession: db.prepare<SessionRow>(
      `INSERT INTO sessions (token_hash, inspector_id, created_at, expires_at, device_id)
       VALUES (@token_hash, @inspector_id, @created_at, @expires_at, @device_id)`),
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?'),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
    deleteExpiredSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
    // A phone registering again (a new login on it) updates who holds it and its name,
    // but never lifts a revocation: only a supervisor can give a revoked phone back, and
    // that needs a new device id. created_at stays the first registration, and so does the
    // secret: the phone that holds it is the device.
    registerDevice: db.prepare<DeviceRow & { secret_hash: string }>(
      `INSERT INTO devices (id, inspector_id, name, created_at, revoked_at, last_seen_at, secret_hash)
       VALUES (@id, @inspector_id, @name, @created_at, @revoked_at, @last_seen_at, @secret_hash)
       ON CONFLICT (id) DO UPDATE SET inspector_id = excluded.inspector_id, name = excluded.name`),
    getDevice: db.prepare<[string], DeviceRow>(
      'SELECT id, inspector_id, name, created_at, revoked_at, last_seen_at FROM devices WHERE id = ?'),
    getSecretHash: db.prepare<[string], { secret_hash: string | null }>('SELECT secret_hash FROM devices WHERE id = ?'),
    bindSession: db.prepare<[string, string, string]>(
      'UPDATE sessions SET device_id = ? WHERE token_hash = ? AND (device_id IS NULL OR device_id = ?)'),
    setHolder: db.prepare<[string, string]>('UPDATE devices SET inspector_id = ? WHERE id = ?'),
    endDeviceSessions: db.prepare<[string]>('DELETE FROM sessions WHERE device_id = ?'),
    listDevices: db.prepare<[], DeviceRow>(
      'SELECT id, inspector_id, name, created_at, revoked_at, last_seen_at FROM devices ORDER BY created_at, id'),
    // The first revocation time stands: revoking twice does not move when it happened.
    revokeDevice: db.prepare<[number, string]>('UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
    touchDevice: db.prepare<[number, string]>('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
  };

  const mustExist = (changes: number, what: string) => {
    if (changes === 0) throw new GkError('not_found', `${what} does not exist`);
  };

  // One transaction: the person is never seen with half their events.
  const setEventsTx = db.transaction((id: InspectorId, eventIds: readonly EventId[]) => {
    if (!q.getStaff.get(id)) throw new GkError('not_found', `staff ${id} does not exist`);
    q.unassignAll.run(id);
    for (const e of new Set(eventIds)) {
      try {
        q.assign.run(e, id);
      } catch (err) {
        if (isConstraintError(err)) throw new GkError('bad_request', `event ${e} does not exist`);
        throw err;
      }
    }
  });

  const withAudit = audited(db);

  return {
    async createStaff(staff: StaffRecord, events = [], audit) {
      withAudit(() => {
        try {
          q.insertStaff.run(staffToRow(staff));
        } catch (e) {
          if (isConstraintError(e)) throw new GkError('bad_request', `staff ${staff.id} or username ${staff.username} already exists`);
          throw e;
        }
        if (events.length > 0) setEventsTx(staff.id, events);
      }, audit);
    },
    async getStaff(id: InspectorId) {
      const r = q.getStaff.get(id);
      return r ? staffFromRow(r) : null;
    },
    async getStaffByUsername(username: string) {
      const r = q.getStaffByUsername.get(username);
      return r ? staffFromRow(r) : null;
    },
    async assignStaff(eventId: EventId, inspectorId: InspectorId, audit) {
      withAudit(() => q.assign.run(eventId, inspectorId), audit);
    },
    async isStaffOf(eventId: EventId, inspectorId: InspectorId) {
      return q.isStaffOf.get(eventId, inspectorId) !== undefined;
    },
    async listEventStaff(eventId: EventId) {
      return q.eventStaff.all(eventId).map(staffFromRow);
    },
    async listStaff() {
      return q.listStaff.all().map(staffFromRow);
    },
    async setStaffPassword(id: InspectorId, passwordHash: string, audit) {
      withAudit(() => mustExist(q.setPassword.run(passwordHash, id).changes, `staff ${id}`), audit);
    },
    async setStaffDisabled(id: InspectorId, disabled: boolean, audit) {
      withAudit(() => mustExist(q.setDisabled.run(disabled ? 1 : 0, id).changes, `staff ${id}`), audit);
    },
    async setStaffRole(id, role, audit) {
      withAudit(() => mustExist(q.setRole.run(role, id).changes, `staff ${id}`), audit);
    },
    async setStaffEvents(id, eventIds, audit) {
      withAudit(() => setEventsTx(id, eventIds), audit);
    },
    async listStaffEvents() {
      const out = new Map<InspectorId, EventId[]>();
      for (const r of q.assignments.all()) {
        const list = out.get(r.inspector_id as InspectorId) ?? [];
        list.push(r.event_id as EventId);
        out.set(r.inspector_id as InspectorId, list);
      }
      return out;
    },
    async deleteStaffSessions(id: InspectorId, keep?: string) {
      return (keep === undefined ? q.deleteStaffSessions.run(id) : q.deleteStaffSessionsBut.run(id, keep)).changes;
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
    async registerDevice(device: DeviceRecord, secretHash: string) {
      q.registerDevice.run({ ...deviceToRow(device), secret_hash: secretHash });
    },
    async getDevice(id: DeviceId) {
      const r = q.getDevice.get(id);
      return r ? deviceFromRow(r) : null;
    },
    async getDeviceSecretHash(id: DeviceId) {
      return q.getSecretHash.get(id)?.secret_hash ?? null;
    },
    async bindSession(tokenHash: string, deviceId: DeviceId, holder: InspectorId) {
      return db.transaction(() => {
        if (q.bindSession.run(deviceId, tokenHash, deviceId).changes === 0) return false;
        q.setHolder.run(holder, deviceId);
        return true;
      })();
    },
    async listDevices() {
      return q.listDevices.all().map(deviceFromRow);
    },
    async revokeDevice(id: DeviceId, at: number) {
      db.transaction(() => {
        mustExist(q.revokeDevice.run(at, id).changes, `device ${id}`);
        q.endDeviceSessions.run(id);
      })();
    },
    // Silent for an unknown device: a bookkeeping write must never fail the scan or the
    // connection it rides along with.
    async touchDevice(id: DeviceId, at: number) {
      q.touchDevice.run(at, id);
    },
  };
}
