// Phones are registered before they scan, and a supervisor can revoke one (lost, stolen):
// its sessions end, its sockets close at once and its requests are refused.
//
// A phone is authenticated by the secret it gets at registration, not by its id (ids are
// in every manifest and history row). Each session speaks for one phone: the one it
// registered, or the one it claimed with that phone's secret when the next shift signed in
// on it. So a session cookie taken off a phone is worth that phone and no more, and ends
// when the phone is revoked.
import { Hono } from 'hono';
import { z } from 'zod';
import { deviceId, newId, zId, type DeviceId } from '@gatekeeper/shared/ids';
import type { ClaimedDeviceReply, DeviceInfo, DeviceListReply, RegisteredDeviceReply } from '@gatekeeper/shared/api/index';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { requireRole } from '../auth/roles.ts';
import { hashToken, newSecret, secretMatches } from '../auth/sessions.ts';
import type { DeviceRecord, SessionRecord, StaffRecord, Storage } from '../storage/types.ts';
import { visibleEvents } from './auth.ts';
import { jsonBody, loginOf, param, staffOf, type Ctx, type Env } from './context.ts';

const zRegister = z.object({ name: z.string().min(1).max(80) });
const zClaim = z.object({ deviceId: zId<DeviceId>(), secret: z.string().min(1).max(128) });

/**
 * Which phones `staff` may see and revoke: a supervisor those of the staff of their own
 * events (a supervisor of one event once could list, and revoke, the gate phones of
 * every other event on the server); an admin every phone.
 */
async function deviceScope(storage: Storage, staff: StaffRecord): Promise<(d: DeviceRecord) => boolean> {
  if (staff.role === 'admin') return () => true;
  const people = new Set<string>([staff.id]);
  for (const event of await visibleEvents(storage, staff)) {
    for (const s of await storage.listEventStaff(event.id)) people.add(s.id);
  }
  return (d) => people.has(d.inspectorId);
}

/** A device record as supervisors see it: named field by field, so a column added to the record is not published by accident. */
const deviceInfo = (d: DeviceRecord): DeviceInfo => ({
  id: d.id, name: d.name, inspectorId: d.inspectorId, createdAt: d.createdAt, revokedAt: d.revokedAt, lastSeenAt: d.lastSeenAt,
});

/** Bind the request's session to `id`; refused when the session already speaks for another phone. */
async function bind(c: Ctx, session: SessionRecord, id: DeviceId, holder: StaffRecord): Promise<void> {
  if (!(await c.var.deps.storage.bindSession(session.tokenHash, id, holder.id))) throw new GkError('forbidden', `this session already speaks for device ${session.deviceId ?? '?'}; log in again for another phone`);
}

export const deviceRoutes = new Hono<Env>()
  // Answers the secret once; only its hash is stored.
  .post('/', async (c) => {
    const { staff, session } = await loginOf(c);
    const { name } = await jsonBody(c, zRegister);
    if (session.deviceId) throw new GkError('forbidden', `this session already registered device ${session.deviceId}; log in again for another phone`);
    const { storage, now } = c.var.deps;
    const device = { id: deviceId(newId('d-')), inspectorId: staff.id, name, createdAt: now(), revokedAt: null, lastSeenAt: null };
    const secret = newSecret();
    await storage.registerDevice(device, hashToken(secret));
    await bind(c, session, device.id, staff);
    return c.json({ device: { id: device.id, name, secret } } satisfies RegisteredDeviceReply, 201);
  })
  // The next shift on a phone: the session of whoever signed in now speaks for it.
  .post('/claim', async (c) => {
    const { staff, session } = await loginOf(c);
    const claim = await jsonBody(c, zClaim);
    const { storage, log } = c.var.deps;
    const device = await storage.getDevice(claim.deviceId);
    // One answer for an unknown device and a wrong secret: ids are public, secrets are not.
    if (!device || !secretMatches(claim.secret, await storage.getDeviceSecretHash(claim.deviceId))) {
      log.warn('device claim refused', { device: claim.deviceId, inspector: staff.id });
      throw new GkError('forbidden', 'that device id and secret do not match a registered phone');
    }
    if (device.revokedAt !== null) throw new GkError('device_revoked', `device ${device.id} has been revoked`);
    await bind(c, session, device.id, staff);
    log.info('device claimed', { device: device.id, inspector: staff.id });
    return c.json({ device: { id: device.id, name: device.name } } satisfies ClaimedDeviceReply);
  })
  .get('/', async (c) => {
    const staff = await staffOf(c);
    requireRole(staff, 'supervisor');
    const { storage } = c.var.deps;
    const mine = await deviceScope(storage, staff);
    return c.json({ devices: (await storage.listDevices()).filter(mine).map(deviceInfo) } satisfies DeviceListReply);
  })
  .post('/:deviceId/revoke', async (c) => {
    const staff = await staffOf(c);
    requireRole(staff, 'supervisor');
    const id = param(deviceId, c.req.param('deviceId'), 'device id');
    const { storage, now, push, log } = c.var.deps;
    const device = await storage.getDevice(id);
    if (!device) throw new GkError('not_found', `no device ${id}`);
    if (!(await deviceScope(storage, staff))(device)) throw new GkError('forbidden', `device ${id} belongs to staff of another event`);
    // Ends the sessions bound to it too: a copied cookie dies with the phone.
    await storage.revokeDevice(id, now());
    push.disconnectDevice(id);
    log.info('device revoked', { device: id });
    return c.json({ ok: true });
  });
