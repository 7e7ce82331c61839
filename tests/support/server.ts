// A real server on a loopback port with a temporary SQLite file, for integration and e2e
// tests and benchmarks. Each call gets its own folder and port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../sync-server/src/config.ts';
import { silentLogger, type Logger } from '../../sync-server/src/log.ts';
import { DEMO_EVENT, DEMO_LOGINS } from '../../sync-server/src/seed/seed.ts';
import { startServer, type RunningServer } from '../../sync-server/src/server.ts';

export { DEMO_EVENT, DEMO_LOGINS };

export interface TestServer extends RunningServer {
  dir: string;
  config: Config;
}

/** `now`: the clock the server reads (sessions, HLC bounds); a test can move it. */
export async function startTestServer(overrides: Partial<Config> = {}, log: Logger = silentLogger, now?: () => number): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-test-'));
  const config = loadConfig({}, {
    host: '127.0.0.1', port: 0, httpsPort: -1, dataDir: dir, dbFile: join(dir, 'gatekeeper.sqlite'),
    // Demo mode: the tests log in with the demo's logins (loopback either way).
    pwaDir: join(process.cwd(), 'dist/pwa'), demoTickets: 50, demo: true, ...overrides,
  });
  const server = await startServer(config, log, now);
  return {
    ...server, dir, config,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const login = (username: string) => {
  const l = DEMO_LOGINS.find((x) => x.username === username);
  if (!l) throw new Error(`no demo login ${username}`);
  return l;
};
