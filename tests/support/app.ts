// The HTTP app in-process, for route tests through Hono's `app.request()`: real SQLite
// storage on a temp file, the real issuer and scan service, the demo seeded, and fakes
// only where a socket would be (the hub's push and its gossip listener), which record
// what they were told. Time is frozen and moved by hand, so rate-limit windows and
// session expiry are exact.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conflict, Scan } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId, InspectorId, TicketId } from '@gatekeeper/shared/ids';
import { GkError, zErrorBody, type Down, type ScanRequest } from '@gatekeeper/shared/protocol/index';
import { createApp } from '../../sync-server/src/app.ts';
import { HashGate, type HashGateOptions } from '../../sync-server/src/auth/hash-gate.ts';
import { KNOWN_BROWSERS_SECRET, KnownBrowsers } from '../../sync-server/src/auth/known-browsers.ts';
import { LOGIN_RULES, LoginThrottle, type LoginRules } from '../../sync-server/src/auth/rate-limit.ts';
import { createSession, SESSION_COOKIE } from '../../sync-server/src/auth/sessions.ts';
import { CodeWords } from '../../sync-server/src/code-word/code-words.ts';
import { Issuer } from '../../sync-server/src/issuer.ts';
import { outboxMailer, type Mailer } from '../../sync-server/src/mail/mailer.ts';
import { OrderMails } from '../../sync-server/src/wallet/order-mails.ts';
import { WalletVerification } from '../../sync-server/src/wallet/verification.ts';
import type { WalletDoorRules } from '../../sync-server/src/wallet/wallet-door.ts';
import { outboxSms, type SmsProvider } from '../../sync-server/src/sms/provider.ts';
import type { SmsLimits } from '../../sync-server/src/sms/sms-codes.ts';
import { loadConfig, smsLimitsOf } from '../../sync-server/src/config.ts';
import { Live } from '../../sync-server/src/live/live.ts';
import { Fleet } from '../../sync-server/src/fleet/fleet.ts';
import { DEFAULT_SILENT_AFTER_MS } from '@gatekeeper/shared/fleet';
import { silentLogger } from '../../sync-server/src/log.ts';
import type { DeviceLimitRules } from '../../sync-server/src/scans/device-limits.ts';
import { ScanService } from '../../sync-server/src/scans/scan-service.ts';
import { DEMO_EVENT, seedDemo } from '../../sync-server/src/seed/seed.ts';
import { openSqliteStorage, type SqliteStorage } from '../../sync-server/src/storage/sqlite/index.ts';
import type { SyncFile } from '../../sync-server/src/storage/sqlite/wal-sync.ts';
import type { DeviceAlert, StoredScan } from '../../sync-server/src/storage/types.ts';
import { makeScanRequest } from './factories.ts';

export type App = ReturnType<typeof createApp>;

/** Session lifetime the test app gives out: the server's default (16 h). */
export const SESSION_TTL_MS = 16 * 3600_000;
/** The login throttle's rules server.ts uses, as the test app's default. */
export const LOGIN_LIMITS: LoginRules = LOGIN_RULES;

export interface AppResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or null when it is empty or not JSON. */
  json: any;
}

/**
 * One browser, as far as the app can tell: a cookie jar of one cookie and an address.
 * Every error response it receives is checked against the one error body (zErrorBody,
 * nothing more at either level, status matching the code), so a route that answers an
 * error any other way fails whichever test met it.
 */
export class AppClient {
  cookie: string | null = null;

  constructor(private readonly app: App, readonly address: string | null = null) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AppResponse> {
    const init: RequestInit = {
      method,
      headers: {
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    };
    // clientAddress() reads the Node socket's address from c.env, as @hono/node-server passes it.
    const env = this.address === null ? undefined : { incoming: { socket: { remoteAddress: this.address } } };
    const res = await this.app.request(path, init, env);
    // A stream of events (GET …/fleet/stream) never ends by itself: its status and headers
    // are the answer here, and the body is let go, as a browser that closes it.
    const streaming = res.status < 300 && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (streaming) await res.body?.cancel();
    const text = streaming ? '' : await res.text();
    let json: any = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    const set = res.headers.get('set-cookie');
    if (set?.startsWith(`${SESSION_COOKIE}=`)) {
      const value = set.slice(SESSION_COOKIE.length + 1).split(';')[0]!;
      this.cookie = value === '' ? null : value;
    }
    const out = { status: res.status, headers: res.headers, text, json };
    if (res.status >= 400) assertErrorBody(method, path, out);
    return out;
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  put = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('PUT', path, body, headers);
}

const ERROR_KEYS = new Set(['code', 'message', 'details']);

/** Throws unless `res` is the one error body, with the status its code has. */
export function assertErrorBody(method: string, path: string, res: AppResponse): void {
  const where = `${method} ${path.slice(0, 80)} → ${res.status}`;
  if (!res.headers.get('content-type')?.startsWith('application/json')) throw new Error(`${where}: error answered as ${res.headers.get('content-type')}: ${res.text.slice(0, 120)}`);
  const parsed = zErrorBody.safeParse(res.json);
  if (!parsed.success) throw new Error(`${where}: not the error body: ${res.text.slice(0, 200)}`);
  const extra = [...Object.keys(res.json).filter((k) => k !== 'error'), ...Object.keys(res.json.error).filter((k) => !ERROR_KEYS.has(k))];
  if (extra.length) throw new Error(`${where}: the error body has extra keys ${extra.join(', ')}`);
  const expected = new GkError(parsed.data.error.code, '').status;
  if (expected !== res.status) throw new Error(`${where}: code ${parsed.data.error.code} belongs with status ${expected}`);
}

/** The hub as routes see it: records what it was asked to push. */
export class FakePush {
  readonly broadcasts: Array<{ eventId: EventId; msg: Down; minVersion: number }> = [];
  readonly disconnected: DeviceId[] = [];
  readonly closedStaff: InspectorId[] = [];
  broadcast(eventId: EventId, msg: Down, minVersion = 1): void { this.broadcasts.push({ eventId, msg, minVersion }); }
  readonly closedSessions: string[] = [];
  disconnectDevice(id: DeviceId): void { this.disconnected.push(id); }
  closeStaff(id: InspectorId): void { this.closedStaff.push(id); }
  closeSession(tokenHash: string): void { this.closedSessions.push(tokenHash); }
}

export interface TestApp {
  app: App;
  storage: SqliteStorage;
  issuer: Issuer;
  scans: ScanService;
  push: FakePush;
  /** The device fleet, fed by hand (no sockets here): `connected`, `reported`, `disconnected`. */
  fleet: Fleet;
  /** What the scan service told its listener (the hub in production). */
  gossip: { stored: Array<{ eventId: EventId; scans: StoredScan[] }>; conflicts: Array<{ eventId: EventId; conflicts: Conflict[] }>; alerts: DeviceAlert[] };
  /** The frozen clock every part of the app reads. */
  clock: { now: number; advance(ms: number): void };
  dir: string;
  /** A client with no session. `address`: the remote address rate limits count by. */
  client(address?: string): AppClient;
  /**
   * A client logged in as `username` without going through POST /api/login: a session
   * is minted in storage directly, which skips scrypt (~50 ms a login). The login route
   * has tests of its own.
   */
  as(username: string): Promise<AppClient>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Demo tickets to seed (default 60). */
  tickets?: number;
  /** Serve a stub scanner app (an index.html) from a temp folder; default: no PWA. */
  pwa?: boolean;
  /** Start of the frozen clock (default: now, so the demo event is running). */
  now?: number;
  /** Login throttle rules, default LOGIN_LIMITS. Every failed login costs a scrypt: a test
   *  of the address limit may lower it rather than spend 30 of them. */
  loginLimits?: Partial<LoginRules>;
  /** The password-hashing gate's bounds (default: the server's). */
  hashing?: HashGateOptions;
  /** How the WAL is fsynced (default: for real): a test can make the disk fail. */
  syncFile?: SyncFile;
  /** Per-device scan and upload limits (default DEVICE_LIMITS), on the frozen clock. */
  deviceLimits?: DeviceLimitRules;
  /** Where order mails go (default: the outbox table, as a server without GK_SMTP_HOST). */
  mailer?: Mailer;
  /** Where SMS codes go (default: the outbox table, as a server without GK_SMS_PROVIDER). */
  sms?: SmsProvider;
  /** SMS send limits (default: the server's defaults). */
  smsLimits?: Partial<SmsLimits>;
  /** The public wallet routes' door (default: the server's). */
  walletDoor?: WalletDoorRules;
}

export async function makeTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-app-'));
  const clock = { now: opts.now ?? Date.now(), advance(ms: number) { clock.now += ms; } };
  const now = () => clock.now;
  const storage = openSqliteStorage({ file: join(dir, 'gatekeeper.sqlite'), ...(opts.syncFile ? { syncFile: opts.syncFile } : {}) });
  const issuer = new Issuer(storage, () => 'https://gate.test', now);
  const gossip: TestApp['gossip'] = { stored: [], conflicts: [], alerts: [] };
  // The live view counts what would be gossiped; without a hub, each batch as it is stored.
  const live = new Live({ storage, log: silentLogger });
  const scans = new ScanService(storage, {
    stored: (eventId, list) => { gossip.stored.push({ eventId, scans: list }); live.gossiped(eventId, list); },
    conflicts: (eventId, list) => { gossip.conflicts.push({ eventId, conflicts: list }); },
    alerted: (eventId, alert) => { gossip.alerts.push(alert); live.alerted(eventId, alert); },
  }, now, opts.deviceLimits ? { limits: opts.deviceLimits } : {});
  const push = new FakePush();
  const fleet = new Fleet({ storage, log: silentLogger, now, silentAfterMs: DEFAULT_SILENT_AFTER_MS });
  let pwaDir: string | null = null;
  if (opts.pwa) {
    pwaDir = join(dir, 'pwa');
    mkdirSync(pwaDir);
    writeFileSync(join(pwaDir, 'index.html'), '<!doctype html><title>Gatekeeper</title><main id="app"></main>');
  }
  await seedDemo(storage, issuer, { tickets: opts.tickets ?? 60, now: clock.now });
  const codeWords = new CodeWords({ storage, push, log: silentLogger, now });
  await codeWords.start();
  const mailer = opts.mailer ?? outboxMailer(storage, now);
  const orderMails = new OrderMails({ storage, mailer, linkBase: () => 'https://gate.test', now, log: silentLogger });
  const verification = new WalletVerification({
    storage, mailer, sms: opts.sms ?? outboxSms(storage, now), orderMails, linkBase: () => 'https://gate.test', now, log: silentLogger,
    smsLimits: { ...smsLimitsOf(loadConfig({})), ...opts.smsLimits }, ...(opts.walletDoor ? { doorRules: opts.walletDoor } : {}),
  });
  const app = createApp({
    storage, scans, issuer, push, live, fleet, codeWords, orderMails, verification, log: silentLogger, now, sessionTtlMs: SESSION_TTL_MS,
    logins: new LoginThrottle({ ...LOGIN_LIMITS, ...opts.loginLimits }, now),
    hashing: new HashGate(opts.hashing),
    knownBrowsers: new KnownBrowsers(await storage.serverSecret(KNOWN_BROWSERS_SECRET), now),
    pwaDir,
  });
  return {
    app, storage, issuer, scans, push, fleet, gossip, clock, dir,
    client: (address) => new AppClient(app, address ?? null),
    async as(username) {
      const staff = await storage.getStaffByUsername(username);
      if (!staff) throw new Error(`no staff ${username}`);
      const c = new AppClient(app);
      c.cookie = await createSession(storage, staff, SESSION_TTL_MS, clock.now);
      return c;
    },
    async close() {
      codeWords.stop();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { DEMO_EVENT };

/**
 * A valid online scan request of the demo's main gate (once per event) by `who` from
 * `device`, as ScannerClient.request builds one. `code` is what the camera read: a
 * signed code, an imported barcode, or the ticket id typed by hand.
 */
export function scanRequest(
  who: { inspectorId: InspectorId; deviceId: DeviceId; eventId?: EventId },
  ticketId: TicketId | null,
  code: string,
  extra: Partial<ScanRequest> = {},
): ScanRequest {
  return makeScanRequest({ eventId: who.eventId ?? DEMO_EVENT, deviceId: who.deviceId, inspectorId: who.inspectorId, ticketId, code, ...extra });
}

/** The same scan, decided offline by the scanner. */
export const offlineScan = (req: ScanRequest, outcome: Scan['outcome'] = 'valid'): Scan => ({ ...req, outcome, offline: true });

/** Pages of the built app (routes/pwa.ts), not the API: the scanner's fallback and the wallet. */
const APP_PAGES = new Set(['/*', '/wallet']);

/**
 * The routes the app registers, as "METHOD /path" (one per route): handlers only, not the
 * `ALL` middleware and catch-alls, nor the pages of the built app (APP_PAGES).
 */
export function appRoutes(app: App): string[] {
  const routes = app.routes.filter((r) => r.method !== 'ALL' && !(r.method === 'GET' && APP_PAGES.has(r.path)));
  return [...new Set(routes.map((r) => `${r.method} ${r.path}`))];
}

/**
 * The route table of docs/api.md: "METHOD /path" (query strings dropped) and the role
 * column as written.
 */
export function apiDocRoutes(file = join(process.cwd(), 'docs/api.md')): Array<{ route: string; role: string }> {
  const rows: Array<{ route: string; role: string }> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\| `([A-Z]+) ([^`?]+)(?:\?[^`]*)?` \| ([^|]+) \|/.exec(line);
    if (m) rows.push({ route: `${m[1]} ${m[2]}`, role: m[3]!.trim() });
  }
  return rows;
}
