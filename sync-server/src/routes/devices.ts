// Phones are registered before they scan, and a supervisor can revoke one (lost, stolen):
// its sockets close at once and its requests are refused.
import { Hono } from 'hono';
import { z } from 'zod';
import { deviceId, newId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { requireRole } from '../auth/roles.ts';
import { jsonBody, param, staffOf, type Env } from './context.ts';

const zRegister = z.object({ name: z.string().min(1).max(80) });

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
    requireRole(await staffOf(c), 'supervisor');
    return c.json({ devices: await c.var.deps.storage.listDevices() });
  })
  .post('/:deviceId/revoke', async (c) => {
    requireRole(await staffOf(c), 'supervisor');
    const id = param(deviceId, c.req.param('deviceId'), 'device id');
    const { storage, now, push, log } = c.var.deps;
    if (!(await storage.getDevice(id))) throw new GkError('not_found', `no device ${id}`);
    await storage.revokeDevice(id, now());
    push.disconnectDevice(id);
    log.info('device revoked', { device: id });
    return c.json({ ok: true });
  });
