// Logging in and out. An attempt is counted before its password is hashed (per account
// and address, and per address: auth/rate-limit.ts), hashing waits its turn at the hash
// gate (auth/hash-gate.ts), and an unknown username costs the same scrypt as a wrong
// password. A browser where the same member of staff signed in before waits in a lane of
// its own there (auth/known-browsers.ts), so a flood cannot lock staff out.
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { PublicStaff, SessionReply } from '@gatekeeper/shared/api/index';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { HashLane } from '../auth/hash-gate.ts';
import { KNOWN_BROWSER_COOKIE, KNOWN_BROWSER_MAX_AGE_MS, KNOWN_BROWSER_PATH } from '../auth/known-browsers.ts';
import { DUMMY_HASH_PROMISE } from '../auth/passwords.ts';
import { createSession, hashToken, SESSION_COOKIE } from '../auth/sessions.ts';
import type { StaffRecord, Storage } from '../storage/types.ts';
import { clientAddress, jsonBody, servedOverHttps, staffOf, type Ctx, type Env } from './context.ts';

const zLogin = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

export const publicStaff = (s: StaffRecord): PublicStaff => ({ id: s.id, name: s.name, role: s.role });

export async function visibleEvents(storage: Storage, staff: StaffRecord) {
  const events = await storage.listEvents();
  if (staff.role === 'admin') return events;
  const mine = await Promise.all(events.map((e) => storage.isStaffOf(e.id, staff.id)));
  return events.filter((_, i) => mine[i]);
}

/** 429 with Retry-After when the throttle said to wait `waitMs`. */
export function refuseIfThrottled(c: Ctx, waitMs: number): void {
  if (waitMs <= 0) return;
  const s = Math.ceil(waitMs / 1000);
  c.header('Retry-After', String(s));
  throw new GkError('rate_limited', `too many failed logins; try again in ${s} s`);
}

/**
 * Verify at the hash gate; `stored` null (no such account) verifies against a dummy hash
 * so the answer takes as long. When the gate is full, `notTried` gives the attempt back
 * (no password was judged) and the `busy` error goes on.
 */
export async function checkPassword(c: Ctx, password: string, stored: string | null, notTried: () => void, lane: HashLane = 'open'): Promise<boolean> {
  try {
    return await c.var.deps.hashing.verify(password, stored ?? (await DUMMY_HASH_PROMISE), lane);
  } catch (e) {
    if (e instanceof GkError && e.code === 'busy') notTried();
    throw e;
  }
}

export const authRoutes = new Hono<Env>()
  .post('/login', async (c) => {
    const { storage, now, sessionTtlMs, logins, knownBrowsers, log } = c.var.deps;
    const { username, password } = await jsonBody(c, zLogin);
    const accountKey = username.toLowerCase();
    const address = clientAddress(c);
    // Reserved synchronously, before any await: 300 parallel guesses see each other's count.
    refuseIfThrottled(c, logins.reserve(accountKey, address));
    const staff = await storage.getStaffByUsername(accountKey);
    // A browser where this member of staff signed in before waits in its own lane.
    const known = staff === null ? null : knownBrowsers.forStaff(c.req.header('cookie'), staff.id);
    const ok = await checkPassword(c, password, staff?.passwordHash ?? null, () => logins.notTried(accountKey, address), known ? 'known' : 'open');
    if (!staff || !ok || staff.disabled) {
      if (known) knownBrowsers.failed(known);
      log.warn('login failed', { username: accountKey, address });
      throw new GkError('unauthenticated', 'wrong username or password');
    }
    logins.succeeded(accountKey, address);
    const token = await createSession(storage, staff, sessionTtlMs, now());
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'Strict', path: '/', maxAge: Math.floor(sessionTtlMs / 1000),
      secure: servedOverHttps(c),
    });
    // The session's first: a client that keeps one cookie (a script, our test clients) keeps that.
    setCookie(c, KNOWN_BROWSER_COOKIE, knownBrowsers.issue(staff.id), {
      httpOnly: true, sameSite: 'Strict', path: KNOWN_BROWSER_PATH, maxAge: Math.floor(KNOWN_BROWSER_MAX_AGE_MS / 1000),
      secure: servedOverHttps(c),
    });
    log.info('login', { inspector: staff.id });
    return c.json({ inspector: publicStaff(staff), events: await visibleEvents(storage, staff) } satisfies SessionReply);
  })
  .post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const tokenHash = hashToken(token);
      await c.var.deps.storage.deleteSession(tokenHash);
      // Its sockets close now, not when they next send something.
      c.var.deps.push.closeSession(tokenHash);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  })
  .get('/me', async (c) => {
    const staff = await staffOf(c);
    return c.json({ inspector: publicStaff(staff), events: await visibleEvents(c.var.deps.storage, staff) } satisfies SessionReply);
  })
  .get('/time', (c) => c.json({ serverTime: c.var.deps.now() }));
