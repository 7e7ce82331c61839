// Staff, their assignment to events, login sessions, the phones they scan with and what
// each phone last reported (sqlite/people.ts and device-reports.ts tell why each rule).
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type pg from 'pg';
import type { Storage } from '../types.ts';
import type { Audited } from './audit.ts';
import { inTransaction, isConstraintError, isForeignKeyError, type Sql } from './db.ts';
import { deviceFromRow, type DeviceRow, deviceToRow, reportFromRow, type ReportRow, sessionFromRow, type SessionRow, sessionToRow, staffFromRow, type StaffRow, staffToRow } from '../rows.ts';
import { bits, insertOf } from './row-sql.ts';

export type PgPeopleMethods = Pick<Storage,
  | 'createStaff' | 'getStaff' | 'getStaffByUsername' | 'assignStaff' | 'isStaffOf' | 'listEventStaff'
  | 'listStaff' | 'setStaffPassword' | 'setStaffDisabled' | 'setStaffRole' | 'setStaffEvents' | 'listStaffEvents'
  | 'createSession' | 'getSession' | 'deleteSession' | 'deleteStaffSessions' | 'deleteExpiredSessions'
  | 'registerDevice' | 'getDevice' | 'getDeviceSecretHash' | 'bindSession' | 'listDevices' | 'revokeDevice' | 'touchDevice'
  | 'recordDeviceReport' | 'listDeviceReports'>;

const STAFF_COLUMNS = ['id', 'username', 'name', 'role', 'password_hash', 'disabled'] as const;
const SESSION_COLUMNS = ['token_hash', 'inspector_id', 'created_at', 'expires_at', 'device_id'] as const;
const DEVICE_COLUMNS = ['id', 'inspector_id', 'name', 'created_at', 'revoked_at', 'last_seen_at', 'secret_hash'] as const;
const DEVICE_SELECT = 'SELECT id, inspector_id, name, created_at, revoked_at, last_seen_at FROM devices';
const REPORT_COLUMNS = [
  'event_id', 'device_id', 'inspector_id', 'checkpoint_id', 'protocol_version', 'app_version', 'clock_offset_ms', 'waiting', 'seen_at',
] as const;

const staff = (r: object) => staffFromRow(bits<StaffRow>(r));

const mustExist = (changes: number, what: string) => {
  if (changes === 0) throw new GkError('not_found', `${what} does not exist`);
};

export function pgPeopleMethods(pool: pg.Pool, sql: Sql, withAudit: Audited): PgPeopleMethods {
  const assign = (on: Sql, eventId: string, inspectorId: string) =>
    on.run('INSERT INTO event_staff (event_id, inspector_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [eventId, inspectorId]);
  /** Replaces the person's events, in the caller's transaction. */
  const setEvents = async (tx: Sql, id: InspectorId, eventIds: readonly EventId[]) => {
    if (!(await tx.one('SELECT 1 FROM staff WHERE id = $1 FOR UPDATE', [id]))) throw new GkError('not_found', `staff ${id} does not exist`);
    await tx.run('DELETE FROM event_staff WHERE inspector_id = $1', [id]);
    for (const e of new Set(eventIds)) {
      try {
        await assign(tx, e, id);
      } catch (err) {
        if (isForeignKeyError(err)) throw new GkError('bad_request', `event ${e} does not exist`);
        throw err;
      }
    }
  };
  return {
    async createStaff(s, events = [], audit) {
      await withAudit(async (tx) => {
        try {
          await tx.run(...insertOf('staff', STAFF_COLUMNS, staffToRow(s)));
        } catch (e) {
          if (isConstraintError(e)) throw new GkError('bad_request', `staff ${s.id} or username ${s.username} already exists`);
          throw e;
        }
        if (events.length > 0) await setEvents(tx, s.id, events);
      }, audit);
    },
    async getStaff(id) {
      const r = await sql.one<object>('SELECT * FROM staff WHERE id = $1', [id]);
      return r ? staff(r) : null;
    },
    async getStaffByUsername(username) {
      // One account whatever the case: "Anna" is found when asked for "anna" (staff_username).
      const r = await sql.one<object>('SELECT * FROM staff WHERE lower(username) = lower($1)', [username]);
      return r ? staff(r) : null;
    },
    async assignStaff(eventId, inspectorId, audit) {
      await withAudit((tx) => assign(tx, eventId, inspectorId), audit);
    },
    async isStaffOf(eventId, inspectorId) {
      return (await sql.one('SELECT 1 FROM event_staff WHERE event_id = $1 AND inspector_id = $2', [eventId, inspectorId])) !== undefined;
    },
    async listEventStaff(eventId) {
      return (await sql.all<object>(
        'SELECT s.* FROM event_staff e JOIN staff s ON s.id = e.inspector_id WHERE e.event_id = $1 ORDER BY s.name, s.id', [eventId])).map(staff);
    },
    async listStaff() {
      return (await sql.all<object>('SELECT * FROM staff ORDER BY lower(username), id')).map(staff);
    },
    async setStaffPassword(id, passwordHash, audit) {
      await withAudit(async (tx) => mustExist(await tx.run('UPDATE staff SET password_hash = $1 WHERE id = $2', [passwordHash, id]), `staff ${id}`), audit);
    },
    async setStaffDisabled(id, disabled, audit) {
      await withAudit(async (tx) => mustExist(await tx.run('UPDATE staff SET disabled = $1 WHERE id = $2', [disabled, id]), `staff ${id}`), audit);
    },
    async setStaffRole(id, role, audit) {
      await withAudit(async (tx) => mustExist(await tx.run('UPDATE staff SET role = $1 WHERE id = $2', [role, id]), `staff ${id}`), audit);
    },
    async setStaffEvents(id, eventIds, audit) {
      // One transaction: the person is never seen with half their events.
      await withAudit((tx) => setEvents(tx, id, eventIds), audit);
    },
    async listStaffEvents() {
      const out = new Map<InspectorId, EventId[]>();
      for (const r of await sql.all<{ inspector_id: InspectorId; event_id: EventId }>('SELECT inspector_id, event_id FROM event_staff ORDER BY inspector_id, event_id')) {
        const list = out.get(r.inspector_id) ?? [];
        list.push(r.event_id);
        out.set(r.inspector_id, list);
      }
      return out;
    },
    async deleteStaffSessions(id, keep) {
      return keep === undefined
        ? sql.run('DELETE FROM sessions WHERE inspector_id = $1', [id])
        : sql.run('DELETE FROM sessions WHERE inspector_id = $1 AND token_hash <> $2', [id, keep]);
    },
    async createSession(session) {
      await sql.run(...insertOf('sessions', SESSION_COLUMNS, sessionToRow(session)));
    },
    async getSession(tokenHash) {
      const r = await sql.one<SessionRow>('SELECT * FROM sessions WHERE token_hash = $1', [tokenHash]);
      return r ? sessionFromRow(r) : null;
    },
    async deleteSession(tokenHash) {
      await sql.run('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
    async deleteExpiredSessions(now) {
      return sql.run('DELETE FROM sessions WHERE expires_at <= $1', [now]);
    },
    async registerDevice(device, secretHash) {
      // Registering again updates holder and name, never lifts a revocation, keeps the secret.
      await sql.run(...insertOf('devices', DEVICE_COLUMNS, { ...deviceToRow(device), secret_hash: secretHash },
        'ON CONFLICT (id) DO UPDATE SET inspector_id = excluded.inspector_id, name = excluded.name'));
    },
    async getDevice(id) {
      const r = await sql.one<DeviceRow>(`${DEVICE_SELECT} WHERE id = $1`, [id]);
      return r ? deviceFromRow(r) : null;
    },
    async getDeviceSecretHash(id) {
      return (await sql.one<{ secret_hash: string | null }>('SELECT secret_hash FROM devices WHERE id = $1', [id]))?.secret_hash ?? null;
    },
    async bindSession(tokenHash, deviceId, holder) {
      return inTransaction(pool, async (tx) => {
        const bound = await tx.run('UPDATE sessions SET device_id = $1 WHERE token_hash = $2 AND (device_id IS NULL OR device_id = $1)', [deviceId, tokenHash]);
        if (bound === 0) return false;
        await tx.run('UPDATE devices SET inspector_id = $1 WHERE id = $2', [holder, deviceId]);
        return true;
      });
    },
    async listDevices() {
      return (await sql.all<DeviceRow>(`${DEVICE_SELECT} ORDER BY created_at, id`)).map(deviceFromRow);
    },
    async revokeDevice(id, at) {
      await inTransaction(pool, async (tx) => {
        // The first revocation time stands.
        mustExist(await tx.run('UPDATE devices SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [at, id]), `device ${id}`);
        await tx.run('DELETE FROM sessions WHERE device_id = $1', [id]);
      });
    },
    async touchDevice(id, at) {
      // Silent for an unknown device: bookkeeping never fails the scan it rides along with.
      await sql.run('UPDATE devices SET last_seen_at = $1 WHERE id = $2', [at, id]);
    },
    async recordDeviceReport(r) {
      await sql.run(...insertOf('device_reports', REPORT_COLUMNS, {
        event_id: r.eventId, device_id: r.deviceId, inspector_id: r.inspectorId, checkpoint_id: r.checkpointId, protocol_version: r.protocolVersion,
        app_version: r.appVersion, clock_offset_ms: r.clockOffsetMs, waiting: r.waiting, seen_at: r.seenAt,
      }, `ON CONFLICT (event_id, device_id) DO UPDATE SET inspector_id = excluded.inspector_id, checkpoint_id = excluded.checkpoint_id,
          protocol_version = excluded.protocol_version, app_version = excluded.app_version, clock_offset_ms = excluded.clock_offset_ms,
          waiting = excluded.waiting, seen_at = greatest(device_reports.seen_at, excluded.seen_at)`));
    },
    async listDeviceReports(eventId) {
      return (await sql.all<ReportRow>('SELECT * FROM device_reports WHERE event_id = $1 ORDER BY seen_at DESC, device_id', [eventId])).map(reportFromRow);
    },
  };
}
