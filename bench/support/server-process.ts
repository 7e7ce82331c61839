// Child process: the real sync server (startTestServer: loopback port, temporary SQLite
// file, demo seeded) for a benchmark. Started with startServerProcess below, which
// returns its URL and the pragmas SQLite reports, so every row can say what it ran on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../sync-server/src/config.ts';
import type { SqlitePragmas } from '../../sync-server/src/storage/sqlite/index.ts';
import { DEMO_EVENT, startTestServer } from '../../tests/support/server.ts';
import { serveParent, startChild, type Child } from './child.ts';

export type ServerOptions = Pick<Partial<Config>, 'demoTickets' | 'synchronous' | 'gossipTickMs'>;

/** An event key as stored: base64url raw Ed25519 seed. */
export interface SigningKeyText { keyId: string; privateKey: string }

export interface ServerInfo {
  url: string;
  pragmas: SqlitePragmas | null;
  /** How long seeding and starting took, in ms. */
  startMs: number;
}

export function startServerProcess(options: ServerOptions): Promise<Child<ServerInfo>> {
  return startChild<ServerInfo>('./server-process.ts', options);
}

const hasPragmas = (s: object): s is { pragmas(): SqlitePragmas } => typeof (s as { pragmas?: unknown }).pragmas === 'function';

if (process.send && process.argv[1]?.endsWith('server-process.ts')) {
  serveParent<ServerOptions, ServerInfo>(async (options) => {
    const t0 = performance.now();
    // An empty app folder: the benchmarks never load the app, and a missing one warns.
    const pwaDir = mkdtempSync(join(tmpdir(), 'gk-bench-pwa-'));
    // No per-device limits: a load generator posing as one phone sends far more than any
    // gate (server.catchup.10k uploads 60,000 scans from one device in seconds); the
    // benchmarks measure capacity, tests/integration/hostile-uploads.test.ts the limits.
    const unlimited = { deviceScanBurst: 10_000_000, deviceScansPerMinute: 1_000_000, deviceUploadBurst: 1_000_000, deviceUploadsPerMinute: 1_000_000 };
    const server = await startTestServer({ ...unlimited, ...options, pwaDir }).catch((e: unknown) => {
      rmSync(pwaDir, { recursive: true, force: true });
      throw e;
    });
    return {
      info: { url: server.url, pragmas: hasPragmas(server.storage) ? server.storage.pragmas() : null, startMs: Math.round(performance.now() - t0) },
      async stop() {
        await server.close();
        rmSync(pwaDir, { recursive: true, force: true });
      },
      handlers: {
        connections: () => server.hub.connectionCount(),
        // The demo event's signing key, so the load generator can print real ticket codes.
        signingKey: async (): Promise<SigningKeyText> => {
          const key = (await server.storage.listEventKeys(DEMO_EVENT)).filter((k) => !k.revoked).at(-1);
          if (!key) throw new Error('the demo event has no key');
          return { keyId: key.keyId, privateKey: key.privateKey };
        },
      },
    };
  });
}
