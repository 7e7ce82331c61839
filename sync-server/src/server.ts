// Starts everything a running server is: storage, issuer, scan service, hub, the HTTP
// (and HTTPS) listeners. main.ts calls it with the real config; tests call it with a
// temporary database and port 0.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.ts';
import { defaultHashGateOptions, HashGate } from './auth/hash-gate.ts';
import { KNOWN_BROWSERS_SECRET, KnownBrowsers } from './auth/known-browsers.ts';
import { refuseLoginsWhileBusy } from './auth/login-door.ts';
import { LoginThrottle } from './auth/rate-limit.ts';
import { ScryptThreads } from './auth/scrypt-threads.ts';
import { ConfigError, smsLimitsOf, type Config } from './config.ts';
import { Hub } from './hub/hub.ts';
import { CodeWords } from './code-word/code-words.ts';
import { Issuer } from './issuer.ts';
import { mailerFor } from './mail/mailer.ts';
import { smsProviderFor } from './sms/provider.ts';
import { WalletVerification } from './wallet/verification.ts';
import { OrderMails } from './wallet/order-mails.ts';
import type { Logger } from './log.ts';
import { ScanService } from './scans/scan-service.ts';
import { publishedLogins, seedDemo, type DEMO_LOGINS } from './seed/seed.ts';
import { withReadCache } from './storage/read-cache.ts';
import { openPostgresStorage } from './storage/postgres/index.ts';
import { openSqliteStorage } from './storage/sqlite/index.ts';
import type { Storage } from './storage/types.ts';
import { isLoopback, plainHttpListener } from './https-redirect.ts';
import { lanAddresses, loadTlsCredentials } from './tls.ts';

export interface RunningServer {
  /** http://127.0.0.1:PORT (loopback, for tests and the terminal). */
  url: string;
  /** https://HOST:PORT when HTTPS is on. */
  httpsUrl: string | null;
  port: number;
  httpsPort: number | null;
  storage: Storage;
  hub: Hub;
  seeded: boolean;
  /** Demo logins whose password is still the published one; non-empty beyond loopback only in demo mode. */
  publicLogins: Array<(typeof DEMO_LOGINS)[number]>;
  close(): Promise<void>;
}

/** PostgreSQL when GK_DATABASE_URL is set (docs/postgres.md), else the SQLite file. */
async function openStorage(config: Config, log: Logger): Promise<Storage> {
  if (config.databaseUrl) {
    const storage = await openPostgresStorage({ url: config.databaseUrl });
    // Said where the operator looks, not refused: a managed database may not let them
    // change it, and the scans are still stored; only a crash can then lose the last ones.
    const { fsync, synchronousCommit } = await storage.durability();
    // Every synchronous_commit but off (local, on, remote_*) flushes the local WAL first.
    if (fsync !== 'on' || synchronousCommit === 'off') {
      log.warn('PostgreSQL may lose acknowledged scans in a crash: set fsync and synchronous_commit to on (docs/postgres.md)', { fsync, synchronousCommit });
    }
    if (!(await storage.nameIndex())) {
      log.warn('PostgreSQL: no trigram index for the name search (the pg_trgm extension could not be added); it reads every name of an event (docs/postgres.md)');
    }
    return storage;
  }
  if (config.dbFile !== ':memory:') mkdirSync(dirname(config.dbFile), { recursive: true, mode: 0o700 });
  return openSqliteStorage({
    file: config.dbFile, synchronous: config.synchronous, checkpoints: 'worker', fsync: 'worker',
    onCheckpointFailure: (e) => log.error('checkpoint worker failed; SQLite checkpoints inside commits from now on', { err: String(e) }),
  });
}

export interface StartOptions {
  /**
   * Wraps the storage once opened, before anything uses it: how tests stand in a store
   * whose answers come back late and out of order, as a remote database's do.
   */
  wrapStorage?: (opened: Storage) => Storage;
}

export async function startServer(config: Config, log: Logger, now: () => number = Date.now, options: StartOptions = {}): Promise<RunningServer> {
  const opened = await openStorage(config, log);
  const storage = withReadCache(options.wrapStorage ? options.wrapStorage(opened) : opened);
  let linkBase = config.publicUrl;
  const issuer = new Issuer(storage, () => linkBase, now, config.rotatingLeewayMs);
  let scans: ScanService | null = null;
  const hub = new Hub({ storage, scans: () => scans!, log, now, allowedOrigins: config.allowedOrigins, gossipTickMs: config.gossipTickMs, socketPingMs: config.socketPingMs, socketHelloMs: config.socketHelloMs, fleetSilentMs: config.fleetSilentMs, limits: { socketsPerSession: config.socketsPerSession } });
  scans = new ScanService(storage, hub, now, {
    log,
    limits: {
      scanBurst: config.deviceScanBurst, scansPerMinute: config.deviceScansPerMinute,
      uploadBurst: config.deviceUploadBurst, uploadsPerMinute: config.deviceUploadsPerMinute,
    },
    staffLimits: { annulBurst: config.supervisorAnnulBurst, annulsPerMinute: config.supervisorAnnulsPerMinute },
    rotatingLeewayMs: config.rotatingLeewayMs,
  });

  let seeded = false;
  let publicLogins: RunningServer['publicLogins'];
  try {
    // Several instances on one database: each gossips the others' scans too.
    if (storage.notifications) await hub.follow(storage.notifications);
    seeded = config.demo ? await seedDemo(storage, issuer, { tickets: config.demoTickets, now: now() }) : false;
    publicLogins = await publishedLogins(storage);
    // Refused rather than quietly bound to loopback: phones would then fail to connect
    // with nothing on the gate to say why; this says it once, where the operator looks.
    if (publicLogins.length && !config.demo && !isLoopback(config.host)) {
      throw new ConfigError(
        `refusing to serve on ${config.host}: the demo login${publicLogins.length > 1 ? 's' : ''} ${publicLogins.map((l) => l.username).join(', ')} still ` +
        `${publicLogins.length > 1 ? 'have their' : 'has its'} published password, which anyone can look up.\n` +
        '  Change their passwords (npm run cli -- set-password --username <name>) or disable them (POST /api/staff/:staffId/disable,\n' +
        '  from a server bound to loopback: GK_HOST=127.0.0.1), or run the demo on purpose: npm start (GK_DEMO=true).',
      );
    }
  } catch (e) {
    hub.close();
    await storage.close();
    throw e;
  }

  // Hashes on threads of their own at the lowest priority, so gates' scans go first.
  const gateOptions = defaultHashGateOptions();
  const hashThreads = new ScryptThreads(gateOptions.concurrency);
  const hashing = new HashGate({ ...gateOptions, scrypt: hashThreads.scrypt });
  const knownBrowsers = new KnownBrowsers(await storage.serverSecret(KNOWN_BROWSERS_SECRET), now);
  const codeWords = new CodeWords({ storage, push: hub, log, now });
  hub.onCodeWordRule((eventId) => void codeWords.rearm(eventId).catch((e: unknown) => log.error('could not arm the code word of the day', { event: eventId, err: String(e) })));
  await codeWords.start();
  const mailer = mailerFor(config, storage, now);
  const orderMails = new OrderMails({ storage, mailer, linkBase: () => linkBase, now, log });
  const verification = new WalletVerification({
    storage, mailer, sms: smsProviderFor(config, storage, now), orderMails, linkBase: () => linkBase, now, log, smsLimits: smsLimitsOf(config),
  });
  const app = createApp({
    storage, scans, issuer, push: hub, live: hub.liveChanges, fleet: hub.fleet, codeWords, orderMails, verification, log, now,
    sessionTtlMs: config.sessionHours * 3600_000,
    logins: new LoginThrottle(undefined, now),
    hashing,
    knownBrowsers,
    pwaDir: config.pwaDir,
    allowedOrigins: config.allowedOrigins,
  });
  const listener = refuseLoginsWhileBusy(getRequestListener(app.fetch), hashing, knownBrowsers);
  const servers: Server[] = [];
  /** `plainOnlyLocal`: the HTTP listener while HTTPS is on, which upgrades no socket beyond loopback. */
  const attach = (server: Server, plainOnlyLocal = false) => {
    server.on('upgrade', (req, socket, head) => {
      if (plainOnlyLocal && !isLoopback(req.socket.remoteAddress)) socket.destroy();
      else if (new URL(req.url ?? '/', 'http://x').pathname === '/ws') void hub.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    servers.push(server);
    return server;
  };
  const listen = (server: Server, port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => resolve((server.address() as AddressInfo).port));
  });

  // HTTPS first: the plain listener needs its port to redirect to.
  let httpsPort: number | null = null;
  if (config.httpsPort >= 0) {
    const tls = await loadTlsCredentials(config, log);
    httpsPort = await listen(attach(createHttpsServer({ key: tls.key, cert: tls.cert }, listener) as unknown as Server), config.httpsPort);
  }
  const plain = httpsPort === null ? listener : plainHttpListener(listener, httpsPort);
  const port = await listen(attach(createHttpServer(plain), httpsPort !== null), config.port);
  const url = `http://127.0.0.1:${port}`;
  const httpsUrl = httpsPort === null ? null : `https://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${httpsPort}`;
  // Ticket links are opened by phones: point them at the LAN address when there is one.
  const lan = config.host === '0.0.0.0' ? lanAddresses()[0] : undefined;
  if (!linkBase) linkBase = httpsPort !== null && lan ? `https://${lan}:${httpsPort}` : (httpsUrl ?? url);

  return {
    url, httpsUrl, port, httpsPort, storage, hub, seeded, publicLogins,
    async close() {
      codeWords.stop();
      mailer.close();
      hub.close();
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
      await hashThreads.stop();
      await storage.close();
    },
  };
}
