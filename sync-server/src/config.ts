// Every setting the server reads, in one table: default, description, validation. Read
// once in main.ts from GK_* environment variables; everything else receives a Config.
// A wrong value stops the server at start with a message saying what to set.
import { isAbsolute, relative, resolve } from 'node:path';

interface Option<T> {
  env: string;
  description: string;
  default: T;
  parse(raw: string): T;
  secret?: boolean;
}

const int = (min: number, max: number) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`must be a whole number from ${min} to ${max}`);
  return n;
};
const str = (raw: string): string => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};
/** MessageBird's rule for a sender: a number with its country code, or up to 11 letters and digits. */
const originator = (raw: string): string => {
  if (/^\+?[0-9]{1,16}$/.test(raw) || /^[A-Za-z0-9 ]{1,11}$/.test(raw)) return raw;
  throw new Error('must be a phone number or up to 11 letters and digits');
};
const bool = (raw: string): boolean => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error('must be true or false');
};
const oneOf = <T extends string>(...values: T[]) => (raw: string): T => {
  if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
  return raw as T;
};
const list = (raw: string): string[] => raw.split(',').map((s) => s.trim()).filter(Boolean);

export const OPTIONS = {
  host: { env: 'GK_HOST', description: 'Address to listen on (0.0.0.0: reachable from phones on the LAN)', default: '0.0.0.0', parse: str },
  port: { env: 'GK_PORT', description: 'HTTP port', default: 8080, parse: int(0, 65535) },
  httpsPort: { env: 'GK_HTTPS_PORT', description: 'HTTPS port (phones need a secure context for the camera); 0 picks a free one; -1 turns HTTPS off', default: 8443, parse: int(-1, 65535) },
  dataDir: { env: 'GK_DATA_DIR', description: 'Folder for the SQLite file and the self-signed certificate', default: './data', parse: str },
  dbFile: { env: 'GK_DB_FILE', description: 'SQLite file (default: <GK_DATA_DIR>/gatekeeper.sqlite)', default: '', parse: (r: string) => r },
  databaseUrl: { env: 'GK_DATABASE_URL', description: 'postgres://… : store in PostgreSQL instead of the SQLite file (docs/postgres.md); empty: SQLite', default: '', parse: (r: string) => {
    if (r !== '' && !/^postgres(ql)?:\/\//.test(r)) throw new Error('must start with postgres:// (or be empty, for SQLite)');
    return r;
  }, secret: true },
  synchronous: { env: 'GK_SQLITE_SYNCHRONOUS', description: 'durability of an acknowledged write: FULL (WAL fsynced before the answer) survives power loss, NORMAL only a process crash', default: 'FULL' as 'FULL' | 'NORMAL', parse: oneOf('FULL', 'NORMAL') },
  demo: { env: 'GK_DEMO', description: 'Demo mode (npm start sets it): create the demo event and its published logins in an empty database, and serve them beyond loopback', default: false, parse: bool },
  demoTickets: { env: 'GK_DEMO_TICKETS', description: 'How many demo tickets to create', default: 200, parse: int(1, 1_000_000) },
  pwaDir: { env: 'GK_PWA_DIR', description: 'Built scanner app to serve (vite build output)', default: './dist/pwa', parse: str },
  publicUrl: { env: 'GK_PUBLIC_URL', description: 'Base URL printed in ticket links (default: the HTTPS LAN address)', default: '', parse: (r: string) => r },
  allowedOrigins: { env: 'GK_ALLOWED_ORIGINS', description: 'Extra origins allowed to open the socket and to make state-changing API requests (the server\u2019s own origin always is)', default: [] as string[], parse: list },
  sessionHours: { env: 'GK_SESSION_HOURS', description: 'Session lifetime in hours', default: 16, parse: int(1, 24 * 30) },
  tlsCert: { env: 'GK_TLS_CERT', description: 'PEM certificate file for HTTPS (default: a self-signed one kept in the data folder)', default: '', parse: (r: string) => r },
  tlsKey: { env: 'GK_TLS_KEY', description: 'PEM private key file for HTTPS', default: '', parse: (r: string) => r, secret: true },
  logLevel: { env: 'GK_LOG_LEVEL', description: 'debug, info, warn or error', default: 'info' as 'debug' | 'info' | 'warn' | 'error', parse: oneOf('debug', 'info', 'warn', 'error') },
  gossipTickMs: { env: 'GK_GOSSIP_TICK_MS', description: 'Longest gossip is held back to coalesce it under load; sparse scans go at once (0: one message per event-loop turn)', default: 50, parse: int(0, 1000) },
  // Per-device limits: what a real gate needs and why these sit well above it is in
  // sync-server/src/scans/device-limits.ts.
  deviceScanBurst: { env: 'GK_DEVICE_SCAN_BURST', description: 'Scans one device may send at once (an offline backlog) before it is slowed to GK_DEVICE_SCANS_PER_MINUTE', default: 20_000, parse: int(1, 10_000_000) },
  deviceScansPerMinute: { env: 'GK_DEVICE_SCANS_PER_MINUTE', description: 'Scans per minute one device may send after its burst (a busy lane needs ~30)', default: 600, parse: int(1, 1_000_000) },
  deviceUploadBurst: { env: 'GK_DEVICE_UPLOAD_BURST', description: 'Upload messages one device may send at once', default: 200, parse: int(1, 1_000_000) },
  deviceUploadsPerMinute: { env: 'GK_DEVICE_UPLOADS_PER_MINUTE', description: 'Upload messages per minute one device may send after its burst', default: 240, parse: int(1, 1_000_000) },
  // Per-login limit on annulments made without a device (a supervisor's laptop): why these
  // numbers, in sync-server/src/scans/staff-limits.ts.
  supervisorAnnulBurst: { env: 'GK_SUPERVISOR_ANNUL_BURST', description: 'Annulments one login may make at once over HTTP without a device, before it is slowed to GK_SUPERVISOR_ANNULS_PER_MINUTE', default: 500, parse: int(1, 1_000_000) },
  supervisorAnnulsPerMinute: { env: 'GK_SUPERVISOR_ANNULS_PER_MINUTE', description: 'Annulments per minute one login may make without a device after its burst (a person undoes a few)', default: 60, parse: int(1, 1_000_000) },
  socketPingMs: { env: 'GK_SOCKET_PING_MS', description: 'How often the server pings each socket; one that has answered neither of the last two pings is dropped', default: 30_000, parse: int(100, 600_000) },
  socketHelloMs: { env: 'GK_SOCKET_HELLO_MS', description: 'How long a socket may stay open without saying hello; then it is refused helloTimeout (4008) and the phone reconnects', default: 10_000, parse: int(100, 600_000) },
  fleetSilentMs: { env: 'GK_FLEET_SILENT_MS', description: 'How long an offline phone may go unheard before the supervisors\u2019 fleet flags it silent (why 5 minutes: shared/src/fleet.ts)', default: 5 * 60_000, parse: int(1_000, 24 * 3600_000) },
  rotatingLeewayMs: { env: 'GK_ROTATING_LEEWAY_MS', description: 'Rotating wallet codes: extra time either side of the accepted steps (the current one and its neighbours), for a holder whose phone has not learnt the server\u2019s time since its ticket was bound to it. 0 refuses a screenshot two steps old; every step of leeway lets one that much older through', default: 0, parse: int(0, 3600_000) },
  socketsPerSession: { env: 'GK_SOCKETS_PER_SESSION', description: 'Most sockets one login session may have open (a phone has one); beyond it the upgrade gets 429', default: 8, parse: int(1, 100_000) },
  // Order mails (sync-server/src/mail/). Without a host, mails are kept in the outbox that
  // admins read (GET /api/mail/outbox): the development default, which sends nothing.
  smtpHost: { env: 'GK_SMTP_HOST', description: 'SMTP server for order mails (empty: keep them in the outbox admins read at GET /api/mail/outbox, send nothing)', default: '', parse: (r: string) => r },
  smtpPort: { env: 'GK_SMTP_PORT', description: 'SMTP port (587: submission with STARTTLS; 465 with GK_SMTP_SECURE=true)', default: 587, parse: int(1, 65535) },
  smtpSecure: { env: 'GK_SMTP_SECURE', description: 'TLS from the first byte (port 465); false: STARTTLS when the server offers it', default: false, parse: bool },
  smtpUser: { env: 'GK_SMTP_USER', description: 'SMTP login (empty: none)', default: '', parse: (r: string) => r },
  smtpPassword: { env: 'GK_SMTP_PASSWORD', description: 'SMTP password', default: '', parse: (r: string) => r, secret: true },
  smtpFrom: { env: 'GK_SMTP_FROM', description: 'Sender of order mails', default: 'Gatekeeper <tickets@localhost>', parse: str },
  // SMS verification codes (sync-server/src/sms/). Without a provider, messages are kept in
  // the outbox that admins read (GET /api/sms/outbox): the development default, which sends
  // nothing. Why these limits: sync-server/src/sms/sms-codes.ts.
  smsProvider: { env: 'GK_SMS_PROVIDER', description: 'SMS provider for verification codes: messagebird, or empty to keep them in the outbox admins read at GET /api/sms/outbox and send nothing', default: '' as '' | 'messagebird', parse: oneOf('', 'messagebird') },
  smsAccessKey: { env: 'GK_SMS_ACCESS_KEY', description: 'The provider\u2019s API key (MessageBird: a live access key)', default: '', parse: (r: string) => r, secret: true },
  smsOriginator: { env: 'GK_SMS_ORIGINATOR', description: 'Sender of the SMS: a phone number with country code, or up to 11 letters and digits', default: 'Gatekeeper', parse: originator },
  smsEndpoint: { env: 'GK_SMS_ENDPOINT', description: 'The provider\u2019s messages URL (tests point it at a local server)', default: 'https://rest.messagebird.com/messages', parse: str },
  smsPerNumberPerHour: { env: 'GK_SMS_PER_NUMBER_PER_HOUR', description: 'Codes sent to one mobile number per hour', default: 3, parse: int(1, 1000) },
  smsPerAddressPerHour: { env: 'GK_SMS_PER_ADDRESS_PER_HOUR', description: 'Codes sent at the request of one network address per hour', default: 10, parse: int(1, 100_000) },
  smsPriceCents: { env: 'GK_SMS_PRICE_CENTS', description: 'What one SMS costs, in cents, for the daily spend cap', default: 8, parse: int(1, 10_000) },
  smsDailySpendCents: { env: 'GK_SMS_DAILY_SPEND_CENTS', description: 'Most spent on SMS per day (UTC), in cents: beyond it no code is sent until the next day', default: 5_000, parse: int(0, 100_000_000) },
} satisfies Record<string, Option<unknown>>;

type Options = typeof OPTIONS;
export type Config = { [K in keyof Options]: Options[K]['default'] };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Build a Config from an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, opt] of Object.entries(OPTIONS) as Array<[keyof Config, Option<unknown>]>) {
    const raw = env[opt.env];
    if (raw === undefined) { out[key] = opt.default; continue; }
    try { out[key] = opt.parse(raw); } catch (e) {
      problems.push(`${opt.env}=${opt.secret ? '***' : JSON.stringify(raw)} ${(e as Error).message} (${opt.description})`);
    }
  }
  if (problems.length) throw new ConfigError(`bad configuration:\n  ${problems.join('\n  ')}`);
  const config = { ...(out as Config), ...overrides };
  if (!config.dbFile) config.dbFile = `${config.dataDir.replace(/\/$/, '')}/gatekeeper.sqlite`;
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) throw new ConfigError('set both GK_TLS_CERT and GK_TLS_KEY, or neither');
  // Everything under the PWA folder is served to anyone who asks: the database (signing
  // keys, buyers) and the TLS key must never be in it.
  for (const [env, path] of [['GK_DATA_DIR', config.dataDir], ['GK_DB_FILE', config.dbFile]] as const) {
    if (config.pwaDir && path !== ':memory:' && isInside(path, config.pwaDir)) {
      throw new ConfigError(`GK_PWA_DIR=${JSON.stringify(config.pwaDir)} contains ${env}=${JSON.stringify(path)}: the server would serve its own database and keys. Put GK_DATA_DIR outside the PWA folder.`);
    }
  }
  return config;
}

/** `path` is `folder` or somewhere inside it. */
function isInside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The SMS send limits the config sets (sms/sms-codes.ts). */
export const smsLimitsOf = (config: Config) => ({
  perNumberPerHour: config.smsPerNumberPerHour, perAddressPerHour: config.smsPerAddressPerHour,
  priceCents: config.smsPriceCents, dailySpendCents: config.smsDailySpendCents,
});

/** The config as safe to log: secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, opt] of Object.entries(OPTIONS) as Array<[keyof Config, Option<unknown>]>) {
    out[key] = opt.secret && config[key] ? '***' : config[key];
  }
  return out;
}

/** Help text listing every variable, for `--help` and the README. */
export function configHelp(): string {
  return Object.values(OPTIONS).map((o) => `  ${o.env.padEnd(24)} ${o.description} (default: ${JSON.stringify(o.default)})`).join('\n');
}
