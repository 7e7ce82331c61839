// Phones are registered before they scan, and a supervisor can revoke one (lost, stolen):
// its sockets close at once and its requests are refused.
import { Hono } from 'hono';
import { z } from 'zod';
import { deviceId, newId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { requireRole } from '../auth/roles.ts';
import type { DeviceRecord, StaffRecord, Storage } from '../storage/types.ts';
import { visibleEvents } from './auth.ts';
import { jsonBody, param, staffOf, type Env } from './context.ts';

const zRegister = z.object({ name: z.string().min(1).max(80) });

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

export const deviceRoutes = new Hono<Env>()
  .post('/', async (c) => {
    const staff = await staffOf(c);
    const { name } = await jsonBody(c, zRegister);
    const { storage, now } = c.var.deps;
    const device = { id: deviceId(newId('d-')), inspectorId: staff.id, name, createdAt: now(), revokedAt: null, lastSeenAt: null };
    await storage.registerDevice(device);
    return c.json({ device: { id: device.id, name } }, 201);
  })
  .get('/', async (c) => {
    const staff = await staffOf(c);
    requireRole(staff, 'supervisor');
    const { storage } = c.var.deps;
    const mine = await deviceScope(storage, staff);
    return c.json({ devices: (await storage.listDevices()).filter(mine) });
  })
  .post('/:deviceId/revoke', async (c) => {
    const staff = await staffOf(c);
    requireRole(staff, 'supervisor');
    const id = param(deviceId, c.req.param('deviceId'), 'device id');
    const { storage, now, push, log } = c.var.deps;
    const device = await storage.getDevice(id);
    if (!device) throw new GkError('not_found', `no device ${id}`);
    if (!(await deviceScope(storage, staff))(device)) throw new GkError('forbidden', `device ${id} belongs to staff of another event`);
    await storage.revokeDevice(id, now());
    push.disconnectDevice(id);
    log.info('device revoked', { device: id });
    return c.json({ ok: true });
  });
