// Alerts about devices (one over its scan or upload limit), kept for supervisors: the
// quarantine route lists them next to the scans that did not count.
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';
import { deviceAlertFromRow, type DeviceAlertRow } from '../rows.ts';

export type AlertMethods = Pick<Storage, 'recordDeviceAlert' | 'listDeviceAlerts'>;

export function alertMethods(db: Db): AlertMethods {
  const q = {
    insert: db.prepare<Omit<DeviceAlertRow, 'id'>>(
      'INSERT INTO device_alerts (event_id, device_id, inspector_id, kind, message, at) VALUES (@event_id, @device_id, @inspector_id, @kind, @message, @at)'),
    list: db.prepare<[string, number], DeviceAlertRow>('SELECT * FROM device_alerts WHERE event_id = ? ORDER BY id DESC LIMIT ?'),
  };
  return {
    async recordDeviceAlert(a) {
      const id = Number(q.insert.run({ event_id: a.eventId, device_id: a.deviceId, inspector_id: a.inspectorId, kind: a.kind, message: a.message, at: a.at }).lastInsertRowid);
      return { ...a, id };
    },
    async listDeviceAlerts(eventId, limit) {
      return q.list.all(eventId, Math.max(1, Math.min(500, Math.floor(limit)))).map(deviceAlertFromRow);
    },
  };
}
