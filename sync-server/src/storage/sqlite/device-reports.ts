// What each phone last said about itself, per event, for the supervisors' fleet
// (fleet/fleet.ts keeps the online phones' newer reports in memory).
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';
import { reportFromRow, type ReportRow } from '../rows.ts';

export type DeviceReportMethods = Pick<Storage, 'recordDeviceReport' | 'listDeviceReports'>;

export function deviceReportMethods(db: Db): DeviceReportMethods {
  const q = {
    upsert: db.prepare<ReportRow>(
      `INSERT INTO device_reports (event_id, device_id, inspector_id, checkpoint_id, protocol_version, app_version, clock_offset_ms, waiting, seen_at)
       VALUES (@event_id, @device_id, @inspector_id, @checkpoint_id, @protocol_version, @app_version, @clock_offset_ms, @waiting, @seen_at)
       ON CONFLICT (event_id, device_id) DO UPDATE SET inspector_id = excluded.inspector_id, checkpoint_id = excluded.checkpoint_id,
         protocol_version = excluded.protocol_version, app_version = excluded.app_version, clock_offset_ms = excluded.clock_offset_ms,
         waiting = excluded.waiting, seen_at = max(seen_at, excluded.seen_at)`),
    list: db.prepare<[string], ReportRow>('SELECT * FROM device_reports WHERE event_id = ? ORDER BY seen_at DESC, device_id'),
  };
  return {
    async recordDeviceReport(r) {
      q.upsert.run({
        event_id: r.eventId, device_id: r.deviceId, inspector_id: r.inspectorId, checkpoint_id: r.checkpointId, protocol_version: r.protocolVersion,
        app_version: r.appVersion, clock_offset_ms: r.clockOffsetMs, waiting: r.waiting, seen_at: r.seenAt,
      });
    },
    async listDeviceReports(eventId) {
      return q.list.all(eventId).map(reportFromRow);
    },
  };
}
