// The supervisors' device fleet: every phone that has spoken for an event, who holds it,
// where it scans, whether it is online, what it reported (protocol 10's device report), and
// the flags (../fleet.ts). GET …/fleet answers the list; GET …/fleet/stream pushes a row each
// time one changes (a phone comes online, goes offline, reports, is revoked).
import { z } from 'zod';
import { zId, type CheckpointId, type DeviceId, type EventId, type InspectorId } from '../ids.ts';

/** One phone of the event (times in epoch ms, the server's clock). */
export const zFleetDevice = z.object({
  id: zId<DeviceId>(),
  /** Its registered name ("Android scanner K7Q2"). */
  name: z.string(),
  /** Who was signed in on it when it last spoke for this event; null when the server no longer knows them. */
  inspector: z.object({ id: zId<InspectorId>(), name: z.string() }).nullable(),
  /** The checkpoint it said in its last hello for this event; null: none chosen. */
  checkpointId: zId<CheckpointId>().nullable(),
  /** A socket of the phone is open now, for this event. */
  online: z.boolean(),
  /** When the server last heard it (hello, ping, the socket closing); null: never. */
  lastSeenAt: z.number().int().nullable(),
  /** The phone's last report: null from a phone of protocol 9 or older. */
  appVersion: z.string().nullable(),
  clockOffsetMs: z.number().int().nullable(),
  /** Its scans waiting to upload, as it last said. */
  waiting: z.number().int().nonnegative().nullable(),
  /** The protocol version its last hello said. */
  protocolVersion: z.number().int().positive(),
  revokedAt: z.number().int().nullable(),
  /** fleetFlags (../fleet.ts) as of `serverTime`. */
  silent: z.boolean(),
  clockOff: z.boolean(),
});
export type FleetDevice = z.infer<typeof zFleetDevice>;

/** GET /api/events/:eventId/fleet: online phones first, then by when last heard, newest first. */
export const zFleetReply = z.object({
  eventId: zId<EventId>(),
  /** When the flags were computed: the console recomputes them from here as time passes. */
  serverTime: z.number().int(),
  /** The threshold of `silent` (GK_FLEET_SILENT_MS). */
  silentAfterMs: z.number().int().positive(),
  devices: z.array(zFleetDevice),
});
export type FleetReply = z.infer<typeof zFleetReply>;

/** One event of GET …/fleet/stream (`event: device`): a phone's row as it is now. */
export const zFleetChange = z.object({ serverTime: z.number().int(), device: zFleetDevice });
export type FleetChange = z.infer<typeof zFleetChange>;
