// Child process: the real sync server (startTestServer: loopback port, temporary SQLite
// file, demo seeded) for a benchmark. Started with startServerProcess below, which
// returns its URL and the pragmas SQLite reports, so every row can say what it ran on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../sync-server/src/config.ts';
import type { SqlitePragmas } from '../../sync-server/src/storage/sqlite/index.ts';
import type { Logger, LogLevel } from '../../sync-server/src/log.ts';
import { DEMO_EVENT, startTestServer } from '../../tests/support/server.ts';
import { threads } from '../../tests/support/threads.ts';
import { serveParent, startChild, type Child } from './child.ts';

/**
 * `dbFile`: a database to open instead of a fresh one (the history benchmark's seeded copy).
 * `pwaDir`: the built app to serve, for a benchmark that opens it in a browser (pwa.live).
 */
export type ServerOptions = Pick<Partial<Config>, 'demoTickets' | 'synchronous' | 'gossipTickMs' | 'socketsPerSession' | 'dbFile' | 'pwaDir' | 'databaseUrl'>;

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

/** The server process's memory: resident set now, and its highest since the last call. */
export interface MemoryReport { rss: number; peakRss: number; heapUsed: number; external: number }

/**
 * The server's log, kept rather than printed (a benchmark's output is its table): the last
 * warnings and errors, and apart from them the last other lines, so that a benchmark whose
 * repetition stalls can say what the server said meanwhile (`recentLog`).
 */
function keptLog(): { log: Logger; recent(): string[] } {
  type Line = { at: number; level: LogLevel; msg: string; fields?: Record<string, unknown> };
  const serious: Line[] = [];
  const other: Line[] = [];
  // Kept as given and worded only when asked: every benchmark's server logs through this.
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    const into = level === 'warn' || level === 'error' ? serious : other;
    into.push({ at: Date.now(), level, msg, fields });
    if (into.length > 20) into.shift();
  };
  const word = (l: Line) => `${new Date(l.at).toISOString().slice(11, 23)} ${l.level} ${l.msg}${l.fields ? ` ${JSON.stringify(l.fields)}` : ''}`.slice(0, 300);
  return { log: { debug() {}, info: at('info'), warn: at('warn'), error: at('error') }, recent: () => [...other.slice(-5), ...serious].map(word) };
}

if (process.send && process.argv[1]?.endsWith('server-process.ts')) {
  // Sampled often, so a peak between two calls is seen (server.memory.slowReaders).
  let peakRss = 0;
  setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 20).unref();
  serveParent<ServerOptions, ServerInfo>(async (options) => {
    const t0 = performance.now();
    // An empty app folder unless one is given: most benchmarks never load the app, and a
    // missing one warns.
    const ownDir = options.pwaDir === undefined;
    const pwaDir = options.pwaDir ?? mkdtempSync(join(tmpdir(), 'gk-bench-pwa-'));
    // No per-device limits: a load generator posing as one phone sends far more than any
    // gate (server.catchup.10k uploads 60,000 scans from one device in seconds); the
    // benchmarks measure capacity, tests/integration/hostile-uploads.test.ts the limits.
    // A load generator may also put many devices on one login: the socket cap per
    // session (8) is not what a benchmark measures either.
    const unlimited = { deviceScanBurst: 10_000_000, deviceScansPerMinute: 1_000_000, deviceUploadBurst: 1_000_000, deviceUploadsPerMinute: 1_000_000 };
    const kept = keptLog();
    const server = await startTestServer({ ...unlimited, socketsPerSession: 1000, ...options, pwaDir }, kept.log).catch((e: unknown) => {
      if (ownDir) rmSync(pwaDir, { recursive: true, force: true });
      throw e;
    });
    return {
      info: { url: server.url, pragmas: hasPragmas(server.storage) ? server.storage.pragmas() : null, startMs: Math.round(performance.now() - t0) },
      async stop() {
        await server.close();
        if (ownDir) rmSync(pwaDir, { recursive: true, force: true });
      },
      handlers: {
        connections: () => server.hub.connectionCount(),
        /** The server's last log lines: the last few of any kind, then its last warnings and errors. */
        recentLog: () => kept.recent(),
        /** Each thread's nice value and CPU time so far (which thread the work went to). */
        threads,
        /** With `true`: collect garbage first (children run with --expose-gc). */
        memory: (collect: unknown): MemoryReport => {
          if (collect === true) globalThis.gc?.();
          const m = process.memoryUsage();
          const report = { rss: m.rss, peakRss: Math.max(peakRss, m.rss), heapUsed: m.heapUsed, external: m.external };
          peakRss = m.rss;
          return report;
        },
        /** Unsent bytes over all sockets, and the most on one. */
        buffered: () => {
          const amounts = [...server.hub.wss.clients].map((ws) => ws.bufferedAmount);
          return { total: amounts.reduce((a, b) => a + b, 0), max: Math.max(0, ...amounts) };
        },
        latestCursor: () => server.storage.latestCursor(DEMO_EVENT),
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
