// Logging in and out. Failures are rate-limited per account and per address, and an
// unknown username costs the same scrypt time as a wrong password.
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../auth/passwords.ts';
import { createSession, hashToken, SESSION_COOKIE } from '../auth/sessions.ts';
import type { StaffRecord, Storage } from '../storage/types.ts';
import { clientAddress, jsonBody, servedOverHttps, staffOf, type Env } from './context.ts';

const zLogin = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

export const publicStaff = (s: StaffRecord) => ({ id: s.id, name: s.name, role: s.role });

export async function visibleEvents(storage: Storage, staff: StaffRecord) {
  const events = await storage.listEvents();
  if (staff.role === 'admin') return events;
  const mine = await Promise.all(events.map((e) => storage.isStaffOf(e.id, staff.id)));
  return events.filter((_, i) => mine[i]);
}

export const authRoutes = new Hono<Env>()
  .post('/login', async (c) => {
    const { storage, now, sessionTtlMs, loginLimits, log } = c.var.deps;
    const { username, password } = await jsonBody(c, zLogin);
    const accountKey = username.toLowerCase();
    const address = clientAddress(c);
    const wait = Math.max(loginLimits.perAccount.retryAfter(accountKey), loginLimits.perAddress.retryAfter(address));
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      throw new GkError('rate_limited', `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`);
    }
    const staff = await storage.getStaffByUsername(accountKey);
    const ok = await verifyPassword(password, staff?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!staff || !ok || staff.disabled) {
      loginLimits.perAccount.hit(accountKey);
      loginLimits.perAddress.hit(address);
      log.warn('login failed', { username: accountKey, address });
      throw new GkError('unauthenticated', 'wrong username or password');
    }
    loginLimits.perAccount.reset(accountKey);
    const token = await createSession(storage, staff, sessionTtlMs, now());
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'Strict', path: '/', maxAge: Math.floor(sessionTtlMs / 1000),
      secure: servedOverHttps(c),
    });
    log.info('login', { inspector: staff.id });
    return c.json({ inspector: publicStaff(staff), events: await visibleEvents(storage, staff) });
  })
  .post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await c.var.deps.storage.deleteSession(hashToken(token));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  })
  .get('/me', async (c) => {
    const staff = await staffOf(c);
    return c.json({ inspector: publicStaff(staff), events: await visibleEvents(c.var.deps.storage, staff) });
  })
  .get('/time', (c) => c.json({ serverTime: c.var.deps.now() }));
