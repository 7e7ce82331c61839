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
import { RateLimiter } from './auth/rate-limit.ts';
import type { Config } from './config.ts';
import { Hub } from './hub/hub.ts';
import { Issuer } from './issuer.ts';
import type { Logger } from './log.ts';
import { ScanService } from './scans/scan-service.ts';
import { seedDemo } from './seed/seed.ts';
import { openSqliteStorage } from './storage/sqlite/index.ts';
import type { Storage } from './storage/types.ts';
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
  close(): Promise<void>;
}

export async function startServer(config: Config, log: Logger, now: () => number = Date.now): Promise<RunningServer> {
  if (config.dbFile !== ':memory:') mkdirSync(dirname(config.dbFile), { recursive: true });
  const storage = openSqliteStorage({
    file: config.dbFile, synchronous: config.synchronous, checkpoints: 'worker',
    onCheckpointFailure: (e) => log.error('checkpoint worker failed; SQLite checkpoints inside commits from now on', { err: String(e) }),
  });
  let linkBase = config.publicUrl;
  const issuer = new Issuer(storage, () => linkBase, now);
  let scans: ScanService | null = null;
  const hub = new Hub({ storage, scans: () => scans!, log, now, allowedOrigins: config.allowedOrigins, gossipTickMs: config.gossipTickMs, socketPingMs: config.socketPingMs, limits: { socketsPerSession: config.socketsPerSession } });
  scans = new ScanService(storage, hub, now);

  const seeded = config.seedDemo ? await seedDemo(storage, issuer, { tickets: config.demoTickets, now: now() }) : false;

  const app = createApp({
    storage, scans, issuer, push: hub, log, now,
    sessionTtlMs: config.sessionHours * 3600_000,
    loginLimits: {
      perAccount: new RateLimiter({ max: 5, windowMs: 15 * 60_000 }, now),
      perAddress: new RateLimiter({ max: 30, windowMs: 15 * 60_000 }, now),
    },
    pwaDir: config.pwaDir,
  });
  const listener = getRequestListener(app.fetch);
  const servers: Server[] = [];
  const attach = (server: Server) => {
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname === '/ws') void hub.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    servers.push(server);
    return server;
  };
  const listen = (server: Server, port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => resolve((server.address() as AddressInfo).port));
  });

  const port = await listen(attach(createHttpServer(listener)), config.port);
  let httpsPort: number | null = null;
  if (config.httpsPort >= 0) {
    const tls = await loadTlsCredentials(config, log);
    httpsPort = await listen(attach(createHttpsServer({ key: tls.key, cert: tls.cert }, listener) as unknown as Server), config.httpsPort);
  }
  const url = `http://127.0.0.1:${port}`;
  const httpsUrl = httpsPort === null ? null : `https://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${httpsPort}`;
  // Ticket links are opened by phones: point them at the LAN address when there is one.
  const lan = config.host === '0.0.0.0' ? lanAddresses()[0] : undefined;
  if (!linkBase) linkBase = httpsPort !== null && lan ? `https://${lan}:${httpsPort}` : (httpsUrl ?? url);

  return {
    url, httpsUrl, port, httpsPort, storage, hub, seeded,
    async close() {
      hub.close();
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
      await storage.close();
    },
  };
}
