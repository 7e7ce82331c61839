// A real server on a loopback port with a temporary SQLite file, for integration and e2e
// tests and benchmarks. Each call gets its own folder and port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../sync-server/src/config.ts';
import { silentLogger, type Logger } from '../../sync-server/src/log.ts';
import { DEMO_EVENT, DEMO_LOGINS } from '../../sync-server/src/seed/seed.ts';
import { startServer, type RunningServer, type StartOptions } from '../../sync-server/src/server.ts';

export { DEMO_EVENT, DEMO_LOGINS };

export interface TestServer extends RunningServer {
  dir: string;
  config: Config;
  /** The server gone (as when the gate's laptop is switched off), its database kept. */
  stop(): Promise<void>;
  /** Back on the same port with the same database, after stop(). */
  resume(): Promise<void>;
}

/** `now`: the clock the server reads (sessions, HLC bounds); a test can move it. */
export async function startTestServer(overrides: Partial<Config> = {}, log: Logger = silentLogger, now?: () => number, options: StartOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-test-'));
  const config = loadConfig({}, {
    host: '127.0.0.1', port: 0, httpsPort: -1, dataDir: dir, dbFile: join(dir, 'gatekeeper.sqlite'),
    // Demo mode: the tests log in with the demo's logins (loopback either way).
    pwaDir: join(process.cwd(), 'dist/pwa'), demoTickets: 50, demo: true, ...overrides,
  });
  let running: RunningServer | null = await startServer(config, log, now, options);
  const server: TestServer = {
    ...running, dir, config,
    async stop() {
      await running?.close();
      running = null;
    },
    async resume() {
      if (running) return;
      running = await startServer({ ...config, port: server.port }, log, now, options);
      Object.assign(server, { storage: running.storage, hub: running.hub });
    },
    async close() {
      await running?.close();
      running = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export const login = (username: string) => {
  const l = DEMO_LOGINS.find((x) => x.username === username);
  if (!l) throw new Error(`no demo login ${username}`);
  return l;
};
