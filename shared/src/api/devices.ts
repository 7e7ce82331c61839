// Phones: registering one (its secret is answered this once), claiming one for the next
// shift, and the list supervisors see.
import { z } from 'zod';
import { zId, type DeviceId, type InspectorId } from '../ids.ts';

/** POST /api/devices (201): the new device and its secret, answered this once. */
export const zRegisteredDeviceReply = z.object({
  device: z.object({ id: zId<DeviceId>(), name: z.string(), secret: z.string().min(1) }),
});
export type RegisteredDeviceReply = z.infer<typeof zRegisteredDeviceReply>;

/** POST /api/devices/claim: the device this session now speaks for. */
export const zClaimedDeviceReply = z.object({ device: z.object({ id: zId<DeviceId>(), name: z.string() }) });
export type ClaimedDeviceReply = z.infer<typeof zClaimedDeviceReply>;

/** A registered phone as supervisors see it (times in epoch ms). */
export const zDeviceInfo = z.object({
  id: zId<DeviceId>(),
  name: z.string(),
  /** Who registered it. */
  inspectorId: zId<InspectorId>(),
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
  lastSeenAt: z.number().int().nullable(),
});
export type DeviceInfo = z.infer<typeof zDeviceInfo>;

/** GET /api/devices: the phones of the staff of one's own events (an admin: every phone). */
export const zDeviceListReply = z.object({ devices: z.array(zDeviceInfo) });
export type DeviceListReply = z.infer<typeof zDeviceListReply>;
