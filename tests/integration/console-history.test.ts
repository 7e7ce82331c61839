// The console's History state (HistoryBrowser over the app's HttpApi) against a real
// server: the filter bar's query, "Load more" by the server's cursor and the CSV link
// select exactly the scans the filters describe, newest first, with times typed in the
// event's zone. The server's side of the same routes: history.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import { ticketId, type TicketId } from '@gatekeeper/shared/ids';
import { parseCsv } from '@gatekeeper/sync-server/import/csv';
import { HttpApi } from '../../scanner-pwa/src/lib/api/http-api.ts';
import { HistoryBrowser } from '../../scanner-pwa/src/lib/console/history-browser.svelte.ts';
import { EMPTY_FORM, filtersOfForm } from '../../scanner-pwa/src/lib/console/history-filters.ts';
import { epochToWallTime } from '@gatekeeper/shared/zoned-time';
import { makeScan, makeTicket } from '../support/factories.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let api: HttpApi;
let cookie: string;
let timeZone: string;
let scans: Scan[];
const T = Date.UTC(2026, 11, 2, 18, 0);
const people = ['Jan de Vries', 'Émile Jansen', 'Sara Bakker'];
const tickets: TicketId[] = people.map((_, i) => ticketId(`console-${i}`));

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 10 });
  const supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  cookie = supervisor.cookie;
  // The app's own client, as the browser would run it: same origin, the session cookie.
  api = new HttpApi(server.url, (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } }));
  timeZone = (await server.storage.getEvent(DEMO_EVENT))!.timeZone;
  await server.storage.importTickets(DEMO_EVENT, [], people.map((name, i) => makeTicket({ id: tickets[i]!, eventId: DEMO_EVENT, orderId: null, holderName: name })));
  // 60 scans a minute apart: every third offline, outcomes alternating.
  scans = Array.from({ length: 60 }, (_, i) => makeScan({
    eventId: DEMO_EVENT, ticketId: tickets[i % 3]!, orderId: null, at: T + i * 60_000, offline: i % 3 === 0,
    outcome: i % 2 ? 'valid' : 'already_used',
  }));
  await server.storage.uploadOffline(scans, T + 4_000_000);
});
afterAll(async () => { await server?.close(); });

const newestFirst = (list: Scan[]) => [...list].sort((a, b) => b.at - a.at).map((s) => s.id);

/** Every row, page after page, as a supervisor tapping "Load more" until there is none. */
async function everyPage(b: HistoryBrowser): Promise<{ ids: string[]; pages: number }> {
  let pages = 1;
  while (b.hasMore) {
    await b.loadMore();
    expect(b.error).toBeNull();
    pages++;
  }
  return { ids: b.rows.map((r) => r.scan.id), pages };
}

async function csvIds(href: string): Promise<string[]> {
  const res = await fetch(href, { headers: { cookie } });
  expect(res.status).toBe(200);
  const [header, ...rows] = parseCsv(await res.text());
  const col = header!.indexOf('scan');
  return rows.map((r) => r[col]!);
}

describe('the console\u2019s History against the server', () => {
  it('holder (any case, any accents), outcome, link and a time range in the event\u2019s zone: pages, then CSV, the same set', async () => {
    const from = T + 10 * 60_000;
    const to = T + 50 * 60_000;
    const form = {
      ...EMPTY_FORM, holder: 'emile JANSEN', outcome: 'valid', link: 'online' as const,
      from: epochToWallTime(from, timeZone), to: epochToWallTime(to, timeZone),
    };
    const b = new HistoryBrowser(api, DEMO_EVENT, { pageSize: 3 });
    await b.apply(filtersOfForm(form, { timeZone, isOrder: () => false }));
    expect(b.status).toBe('ready');
    const want = newestFirst(scans.filter((s) => s.ticketId === tickets[1] && s.outcome === 'valid' && !s.offline && s.at >= from && s.at <= to + 59_999));
    const { ids, pages } = await everyPage(b);
    expect(want.length).toBeGreaterThan(3);
    expect(pages).toBe(Math.ceil(want.length / 3));
    expect(ids).toEqual(want);
    expect(await csvIds(b.csvHref)).toEqual(want);
  });

  it('no filters: every scan, newest first; a ticket number selects that ticket', async () => {
    const b = new HistoryBrowser(api, DEMO_EVENT, { pageSize: 25 });
    await b.apply({});
    expect((await everyPage(b)).ids).toEqual(newestFirst(scans));
    expect(await csvIds(b.csvHref)).toEqual(newestFirst(scans));
    await b.apply(filtersOfForm({ ...EMPTY_FORM, code: tickets[2]! }, { timeZone, isOrder: () => false }));
    expect((await everyPage(b)).ids).toEqual(newestFirst(scans.filter((s) => s.ticketId === tickets[2])));
  });

  it('a ticket\u2019s story: every scan of it, newest first, and the ticket as it is now', async () => {
    const b = new HistoryBrowser(api, DEMO_EVENT);
    await b.openStory(tickets[0]!);
    expect(b.story?.status).toBe('ready');
    expect(b.story?.story?.ticket?.holderName).toBe(people[0]);
    expect(b.story?.story?.scans.map((e) => e.scan.id)).toEqual(newestFirst(scans.filter((s) => s.ticketId === tickets[0])));
  });

  it('an inspector\u2019s session is refused, and the screen has an error to word, not rows', async () => {
    const inspector = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    const theirs = new HttpApi(server.url, (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie: inspector.cookie } }));
    const b = new HistoryBrowser(theirs, DEMO_EVENT);
    await b.apply({});
    expect(b.status).toBe('error');
    expect(b.rows).toEqual([]);
    expect((b.error as { code?: string }).code).toBe('forbidden');
  });
});
