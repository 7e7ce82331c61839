// Opening a socket: the client says hello with its version; the server welcomes or refuses.
import { z } from 'zod';
import { zId, type CheckpointId, type DeviceId, type EventId, type InspectorId } from '../ids.ts';

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
  /** Since version 5: no hello came within the server's deadline. Not a login problem: reconnect. */
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
});

export const zRefused = z.object({
  type: z.literal('refused'),
  reason: z.enum(Object.values(RefusalReason) as [RefusalReason, ...RefusalReason[]]),
  message: z.string(),
  /** The versions the server speaks, so the client can say what to update. */
  minVersion: z.number().int(),
  maxVersion: z.number().int(),
});
