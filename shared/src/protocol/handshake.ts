// Opening a socket: the client says hello with its version; the server welcomes or refuses.
import { z } from 'zod';
import { zId, type CheckpointId, type DeviceId, type EventId, type InspectorId } from '../ids.ts';
import { zDeviceReport } from './misc.ts';

/** The identity of a server's scan log: random, made with its database (hex, 32 characters today). */
export const zLogId = z.string().min(1).max(64);

export const zHello = z.object({
  type: z.literal('hello'),
  v: z.number().int().positive(),
  eventId: zId<EventId>(),
  deviceId: zId<DeviceId>(),
  checkpointId: zId<CheckpointId>().nullable(),
  /** The last gossip cursor this device has; the server sends what came after. null: none. */
  cursor: z.number().int().nonnegative().nullable(),
  /**
   * Since version 2: the encodings of binary frames this client can read. Listing
   * DEFLATE_RAW lets the server send `scans` messages compressed. Unknown names
   * are allowed and ignored, so a newer client can list encodings this server lacks.
   */
  compress: z.array(z.string().max(32)).max(8).optional(),
  /**
   * Since version 4: the secret this device got at registration (POST /api/devices). The
   * device id is public (manifests, history); the secret is what proves the phone. A hello
   * without it, or with a wrong one, is refused `unknownDevice`; one from a version 1–3
   * client without it is refused `clientTooOld`.
   */
  deviceSecret: z.string().max(128).optional(),
  /**
   * Since version 6: the scan log `cursor` came from (the `logId` of the welcome it was
   * counted under). When the server's log is another one (its database was replaced), the
   * cursor means nothing there and the catch-up starts from 0. Absent: the cursor is taken
   * as it is.
   */
  logId: zLogId.optional(),
  /** Since version 10: the phone's app version, clock offset and waiting scans (misc.ts zDeviceReport). */
  report: zDeviceReport.optional(),
});

/**
 * The one binary encoding: a `scans` message (gossip or a catch-up page) as its UTF-8
 * JSON compressed with raw DEFLATE (RFC 1951; the browser's DecompressionStream of this
 * format). Sent only to a client that listed it in `hello.compress`, and only for
 * messages big enough to gain from it; everything else is text.
 */
export const DEFLATE_RAW = 'deflate-raw';

export const RefusalReason = {
  clientTooOld: 'clientTooOld',
  serverTooOld: 'serverTooOld',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  deviceRevoked: 'deviceRevoked',
  unknownDevice: 'unknownDevice',
  unknownEvent: 'unknownEvent',
  /** Since version 6: no hello came within the server's deadline. Not a login problem: reconnect. */
  helloTimeout: 'helloTimeout',
} as const;
export type RefusalReason = (typeof RefusalReason)[keyof typeof RefusalReason];

export const zRole = z.enum(['inspector', 'supervisor', 'admin']);
export type Role = z.infer<typeof zRole>;

export const zWelcome = z.object({
  type: z.literal('welcome'),
  v: z.number().int().positive(),
  serverTime: z.number().int(),
  inspector: z.object({ id: zId<InspectorId>(), name: z.string(), role: zRole }),
  eventId: zId<EventId>(),
  codeWord: z.string().nullable(),
  /** The newest scan cursor of the event at the time of welcome. */
  cursor: z.number().int().nonnegative(),
  /**
   * Since version 6: the identity of the server's scan log, which cursors count in. Keep it
   * with the cursor; when it changes, the server's database was replaced and the cursor
   * belongs to a log that is gone: catch up from 0 (say it in the next hello's `logId`).
   */
  logId: zLogId,
});

export const zRefused = z.object({
  type: z.literal('refused'),
  reason: z.enum(Object.values(RefusalReason) as [RefusalReason, ...RefusalReason[]]),
  message: z.string(),
  /** The versions the server speaks, so the client can say what to update. */
  minVersion: z.number().int(),
  maxVersion: z.number().int(),
});
