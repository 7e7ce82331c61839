// What every e2e file needs: a real server on loopback serving the built app, a supervisor
// session to fetch real signed codes and check the server's record, and the demo tickets
// to pick from (each test takes its own tickets, so tests in a file never share one).
import type { Order, Scan, Ticket } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, newScanner, type LaunchOptions } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

export { DEMO_EVENT, login };

export interface World {
  server: TestServer;
  supervisor: HttpSession;
  tickets: Ticket[];
  orders: Order[];
  /** Ticket and order ids already handed to a test. */
  taken: Set<string>;
}

export async function startWorld(demoTickets = 60, overrides: Parameters<typeof startTestServer>[0] = {}): Promise<World> {
  if (!existsSync(join(process.cwd(), 'dist/pwa/index.html'))) throw new Error('build the app first: npx vite build');
  const server = await startTestServer({ demoTickets, ...overrides });
  const supervisor = await HttpSession.login(server.url, login('supervisor').username, login('supervisor').password);
  // The manifest goes to a registered phone only: the supervisor's desk is one.
  await supervisor.registerDevice('e2e supervisor desk');
  // From the server's storage, not the manifest: phones get imported barcodes only as
  // hashes, and a test needs the barcode itself to scan it.
  const { tickets, orders } = await server.storage.changesSince(DEMO_EVENT as EventId, 0);
  return { server, supervisor, tickets, orders, taken: new Set() };
}

/** What a test file shares: the demo world and one Chromium. */
export interface FileWorld { w: World; browser: Browser }

/**
 * The demo world and one Chromium for this test file, started before its first test (and
 * before any beforeAll registered after this call) and closed after its last. The fields
 * are set once the hooks have run: read them inside hooks and tests.
 */
export function worldForFile(opts: { tickets?: number; server?: Parameters<typeof startTestServer>[0]; launch?: LaunchOptions } = {}): FileWorld {
  const env = {} as FileWorld;
  beforeAll(async () => {
    env.w = await startWorld(opts.tickets, opts.server);
    env.browser = await launchBrowser(opts.launch);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.w?.server.close();
  });
  return env;
}

/** A ticket nobody else in this file uses; plain (paid, e-ticket, no ID check) unless `test` says otherwise. */
export function takeTicket(w: World, test: (t: Ticket) => boolean = plain): Ticket {
  const t = w.tickets.find((x) => !w.taken.has(x.id) && !(x.orderId && w.taken.has(x.orderId)) && test(x));
  if (!t) throw new Error('no demo ticket left that fits');
  w.taken.add(t.id);
  return t;
}

/** An order of at least `min` plain tickets that no test has touched. */
export function takeOrder(w: World, min = 2): { orderId: string; tickets: Ticket[] } {
  for (const o of w.orders) {
    const items = w.tickets.filter((t) => t.orderId === o.id);
    if (w.taken.has(o.id) || items.length < min || items.some((t) => w.taken.has(t.id) || !plain(t))) continue;
    w.taken.add(o.id);
    for (const t of items) w.taken.add(t.id);
    return { orderId: o.id, tickets: items };
  }
  throw new Error(`no untouched order of ${min}+ plain tickets`);
}

export const plain = (t: Ticket): boolean =>
  t.status === 'paid' && t.eTicket && !t.idCheck && t.kind === 'event' && t.importedCode === null && t.validFrom === null && t.validUntil === null;

export async function ticketCode(w: World, ticketId: string): Promise<{ code: string; link: string }> {
  const r = await w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/tickets/${ticketId}/code`);
  if (r.status !== 200) throw new Error(`ticket code: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function orderCode(w: World, orderId: string): Promise<{ code: string; link: string }> {
  const r = await w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/orders/${orderId}/code`);
  if (r.status !== 200) throw new Error(`order code: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** Every scan of a ticket the server holds. */
export async function serverScans(w: World, ticketId: string): Promise<Scan[]> {
  const r = await w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${ticketId}&limit=500`);
  if (r.status !== 200) throw new Error(`history: ${r.status}`);
  return (r.json.scans as Array<{ scan: Scan }>).map((s) => s.scan);
}

/** Poll until `check` holds (or throw with what it last saw). */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = WAIT_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

/** A phone of this file's browser, signed in as `who` and scanning at `checkpoint`. */
export async function signedInGate(env: FileWorld, who = 'inspector', checkpoint = 'Main gate'): Promise<ScannerPage> {
  const gate = await ScannerPage.open(await newScanner(env.browser), env.w.server.url);
  const l = login(who);
  await gate.signInAndChoose(l.username, l.password, checkpoint);
  return gate;
}
