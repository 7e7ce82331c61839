// Shared by the PWA benchmarks: building a harness page with the app's own code, serving
// files over loopback, and the deterministic demo tickets as a manifest.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventId } from '@gatekeeper/shared/ids';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import { TICKET_COLUMNS, ticketToRow, toManifestOrder, type Manifest } from '@gatekeeper/shared/manifest';
import { demoTickets } from '../sync-server/src/seed/demo.ts';
import { DEMO_CHECKPOINTS, DEMO_EVENT } from '../sync-server/src/seed/seed.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

export interface StaticServer { origin: string; close(): Promise<void> }

/** Files under `dir`, plus extra routes answered from memory. */
export async function serveStatic(dir: string, routes: Record<string, () => { type: string; body: Buffer | string }> = {}): Promise<StaticServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = routes[url.pathname];
      if (route) {
        const r = route();
        res.writeHead(200, { 'content-type': r.type, 'cache-control': 'no-store' });
        res.end(r.body);
        return;
      }
      const path = normalize(join(dir, url.pathname === '/' ? 'index.html' : url.pathname));
      if (!path.startsWith(dir)) { res.writeHead(403).end(); return; }
      try {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A fixed imported-code key: the bench's manifests are made here, not by a server. */
export const BENCH_IMPORTED_CODE_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';

/** The demo event's tickets as the server would send them: one full manifest. */
export function demoManifest(count: number): Manifest {
  const eventId = DEMO_EVENT as EventId;
  const { orders, tickets } = demoTickets(eventId, count);
  return {
    event: { id: eventId, name: 'Demo Winter Festival', venue: null, startsAt: null, endsAt: null, timeZone: 'Europe/Amsterdam' },
    version: count, delta: false, checkpoints: DEMO_CHECKPOINTS, publicKeys: [], staff: [], devices: [], codeWord: null,
    importedCodeKey: BENCH_IMPORTED_CODE_KEY, orders: orders.map(toManifestOrder), columns: [...TICKET_COLUMNS],
    tickets: tickets.map((t) => ticketToRow(t, importedCodeHasher(BENCH_IMPORTED_CODE_KEY))), revoked: [],
  };
}

/** The app as the server serves it: build it once if this checkout has no dist/pwa yet. */
export async function ensurePwaBuilt(): Promise<void> {
  const { existsSync } = await import('node:fs');
  if (existsSync(join(REPO_ROOT, 'dist/pwa/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
