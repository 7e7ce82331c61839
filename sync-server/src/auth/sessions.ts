// Sessions: a random token in an HttpOnly cookie; only its SHA-256 is stored, so a stolen
// database file does not hand out live sessions. Device secrets are made and kept the same
// way: the phone holds the secret, the server only its hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Storage, SessionRecord, StaffRecord } from '../storage/types.ts';

export const SESSION_COOKIE = 'gk_session';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A new random secret: a session token or a device secret (256 bits, base64url). */
export const newSecret = () => randomBytes(32).toString('base64url');

/** Whether `secret` hashes to `hash`, in constant time. */
export function secretMatches(secret: string | undefined, hash: string | null): boolean {
  if (!secret || !hash || secret.length > 128) return false;
  const a = Buffer.from(hashToken(secret));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function createSession(storage: Storage, inspector: StaffRecord, ttlMs: number, now: number): Promise<string> {
  // Every login sweeps the sessions that have ended: a server that runs for a season
  // would otherwise keep one row per login ever made (a table of stale token hashes).
  await storage.deleteExpiredSessions(now);
  const token = newSecret();
  await storage.createSession({ tokenHash: hashToken(token), inspectorId: inspector.id, createdAt: now, expiresAt: now + ttlMs });
  return token;
}

/** The session behind a token and its staff member, or null when unknown, expired or disabled. */
export async function resolveLogin(storage: Storage, token: string | undefined, now: number): Promise<{ staff: StaffRecord; session: SessionRecord } | null> {
  if (!token || token.length > 128) return null;
  const session = await storage.getSession(hashToken(token));
  if (!session || session.expiresAt <= now) return null;
  const staff = await storage.getStaff(session.inspectorId);
  return staff && !staff.disabled ? { staff, session } : null;
}

/** The staff member behind a session token, or null when it is unknown, expired or disabled. */
export async function resolveSession(storage: Storage, token: string | undefined, now: number): Promise<StaffRecord | null> {
  return (await resolveLogin(storage, token, now))?.staff ?? null;
}

/** Read one cookie from a Cookie header (the socket upgrade has no Hono context). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A malformed value ("%" alone) is no session, not a server error: decodeURIComponent
      // throws on it, and that made the socket upgrade answer 500 and log an error.
      try { return decodeURIComponent(part.slice(eq + 1).trim()); } catch { return undefined; }
    }
  }
  return undefined;
}
