// What every route receives, and the small helpers they share: who is asking, and a
// body parsed with the one schema.
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { z } from 'zod';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { resolveLogin, SESSION_COOKIE } from '../auth/sessions.ts';
import type { CodeWords } from '../code-word/code-words.ts';
import type { Issuer } from '../issuer.ts';
import type { Live } from '../live/live.ts';
import type { OrderMails } from '../wallet/order-mails.ts';
import type { WalletVerification } from '../wallet/verification.ts';
import type { Fleet } from '../fleet/fleet.ts';
import type { Logger } from '../log.ts';
import type { ScanService } from '../scans/scan-service.ts';
import type { DeviceRecord, SessionRecord, StaffRecord, Storage } from '../storage/types.ts';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { DeviceId, EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { HashGate } from '../auth/hash-gate.ts';
import type { KnownBrowsers } from '../auth/known-browsers.ts';
import type { LoginThrottle } from '../auth/rate-limit.ts';

export interface AppDeps {
  storage: Storage;
  scans: ScanService;
  issuer: Issuer;
  /** The hub, as far as routes need it. */
  push: {
    /** To every socket of the event that speaks `minVersion` (default 1) or later. */
    broadcast(eventId: EventId, msg: Down, minVersion?: number): void;
    disconnectDevice(id: DeviceId): void;
    /** Close every socket of one member of staff at once (disabled, password reset, signed out everywhere). */
    closeStaff(staffId: InspectorId): void;
    /** Close the sockets opened with one session (logout). */
    closeSession(tokenHash: string): void;
  };
  /** The supervisors' live view (live/live.ts): its snapshot, and what routes change in it. */
  live: Pick<Live, 'snapshot' | 'reviewed' | 'ticketsChanged'>;
  /** The supervisors' device fleet (fleet/fleet.ts): its list, and its changes as they happen. */
  fleet: Pick<Fleet, 'list' | 'watch'>;
  /** The order mails with the holders' links, and opening an order from one (wallet/order-mails.ts). */
  orderMails: OrderMails;
  /** The holders' SMS and e-mail verification, and the door in front of the public wallet routes (wallet/verification.ts). */
  verification: WalletVerification;
  /** The code word of the day: by hand, or drawn each day (code-word/code-words.ts). */
  codeWords: CodeWords;
  log: Logger;
  now: () => number;
  sessionTtlMs: number;
  /** Login attempts, counted before any password is hashed. */
  logins: LoginThrottle;
  /** Every password hash (login, password change) runs through it. */
  hashing: HashGate;
  /** Browsers where staff signed in: their logins wait in a lane of their own at `hashing`. */
  knownBrowsers: KnownBrowsers;
  /** Folder of the built scanner app, or null to serve none. */
  pwaDir: string | null;
  /** Origins allowed to make state-changing requests besides the server's own (GK_ALLOWED_ORIGINS). */
  allowedOrigins?: readonly string[];
}

export type Env = { Variables: { deps: AppDeps } };
export type Ctx = Context<Env>;

/** The logged-in staff member, or an `unauthenticated` error. */
export async function staffOf(c: Ctx): Promise<StaffRecord> {
  return (await loginOf(c)).staff;
}

/** The logged-in staff member and their session, or an `unauthenticated` error. */
export async function loginOf(c: Ctx): Promise<{ staff: StaffRecord; session: SessionRecord }> {
  const { storage, now } = c.var.deps;
  const login = await resolveLogin(storage, getCookie(c, SESSION_COOKIE), now());
  if (!login) throw new GkError('unauthenticated', 'log in first');
  return login;
}

/**
 * The phone this session speaks for: registered or claimed under it, and not revoked.
 * Routes that hand a phone event data or take its scans ask for it, so that a session
 * without its device (a cookie copied off the phone, then the phone revoked) gets nothing.
 */
export async function sessionDevice(c: Ctx, session: SessionRecord): Promise<DeviceRecord> {
  if (!session.deviceId) throw new GkError('forbidden', 'register this phone first (POST /api/devices)');
  const device = await c.var.deps.storage.getDevice(session.deviceId);
  if (!device) throw new GkError('forbidden', `device ${session.deviceId} is not registered`);
  if (device.revokedAt !== null) throw new GkError('device_revoked', `device ${device.id} has been revoked`);
  return device;
}

export async function jsonBody<S extends z.ZodType>(c: Ctx, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try { body = await c.req.json(); } catch { throw new GkError('bad_request', 'the body is not JSON'); }
  return parsed(schema, body, 'body');
}

/** The query string, parsed with the one schema (shared/src/api/). */
export function queryOf<S extends z.ZodType>(c: Ctx, schema: S): z.output<S> {
  return parsed(schema, c.req.query(), 'query');
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new GkError('bad_request', `${i.path.map(String).join('.') || what}: ${i.message}`, r.error.issues.slice(0, 20).map((x) => ({ path: x.path.map(String).join('.'), message: x.message })));
  }
  return r.data;
}

/** Parse a path or query value with an id parser, as a 400 rather than a 500. */
export function param<T>(parse: (v: unknown) => T, value: string | undefined, what: string): T {
  try { return parse(value); } catch { throw new GkError('bad_request', `${what} is not a valid id`); }
}

/**
 * The browser reached us over HTTPS: directly, or through a TLS-terminating proxy that
 * says so. Trusting the header can only add `Secure` to a cookie (the client's own), so a
 * forged one harms nobody. The cookie never gets a Domain: it stays host-only.
 */
export function servedOverHttps(c: Ctx): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** The address a request came from, for rate limiting. */
export function clientAddress(c: Ctx): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'in-process';
}
