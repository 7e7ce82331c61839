// Supervisors' history over HTTP against a real server: filtered pages, the CSV export
// (every row the filters select, streamed, no cell a spreadsheet would run), one ticket's
// story, and nothing of it for an inspector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zHistoryReply, zTicketStoryReply, historySearch } from '@gatekeeper/shared/api/history';
import type { Scan } from '@gatekeeper/shared/domain';
import { ticketId, type TicketId } from '@gatekeeper/shared/ids';
import { parseCsv } from '@gatekeeper/sync-server/import/csv';
import { makeScan, makeTicket } from '../support/factories.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let supervisor: HttpSession;
let inspector: HttpSession;
const T = Date.UTC(2026, 11, 2, 18, 0);
/** Names a spreadsheet would run as formulas, as an import may bring them. */
const HOSTILE = ['=HYPERLINK("http://evil.example","click")', '+31 6 1234', '-2+3', '@SUM(A1)', '\tTabbed'];
const hostile: TicketId[] = HOSTILE.map((_, i) => ticketId(`evil-${i}`));
let scans: Scan[];

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 20 });
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  inspector = await HttpSession.login(server.url, 'inspector', login('inspector').password);
  await server.storage.importTickets(DEMO_EVENT, [], HOSTILE.map((name, i) =>
    makeTicket({ id: hostile[i]!, eventId: DEMO_EVENT, orderId: null, holderName: name })));
  // Three pages of export and more: 1,205 scans, one a second, every fifth offline.
  scans = Array.from({ length: 1205 }, (_, i) => makeScan({
    eventId: DEMO_EVENT, ticketId: hostile[i % hostile.length]!, orderId: null, at: T + i * 1000, offline: i % 5 === 0,
    outcome: i % 2 ? 'valid' : 'already_used',
  }));
  await server.storage.uploadOffline(scans, T + 2_000_000);
});
afterAll(async () => { await server?.close(); });

const newestFirst = (list: Scan[]) => [...list].sort((a, b) => b.at - a.at).map((s) => s.id);

async function csv(query: string): Promise<{ status: number; type: string | null; rows: string[][] }> {
  const res = await fetch(`${server.url}/api/events/${DEMO_EVENT}/history.csv?${query}`, { headers: { cookie: supervisor.cookie } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), rows: res.ok ? parseCsv(text) : [] };
}

describe('history pages', () => {
  it('filters by holder, outcome and offline, newest first, and pages on with `next`', async () => {
    const want = newestFirst(scans.filter((s) => s.ticketId === hostile[0] && s.offline && s.outcome === 'already_used'));
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const q = historySearch({ holder: 'hyperlink', offline: 'true', outcome: 'already_used', limit: 7, ...(before ? { before } : {}) });
      const r = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?${q}`);
      expect(r.status).toBe(200);
      const page = zHistoryReply.parse(r.json);
      expect(page.scans.every((e) => e.holder === HOSTILE[0])).toBe(true);
      seen.push(...page.scans.map((e) => e.scan.id));
      if (page.next === null) break;
      before = page.next;
    }
    expect(want.length).toBeGreaterThan(7);
    expect(seen).toEqual(want);
  });

  it('answers a clear 400 to a filter it cannot read', async () => {
    for (const q of ['outcome=maybe', 'offline=perhaps', 'from=yesterday', 'before=12', 'limit=0', 'ticket=a%20b']) {
      const r = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error.code).toBe('bad_request');
    }
  });

  it('tells one ticket\u2019s story: the ticket, its scans newest first, its conflicts', async () => {
    const r = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/tickets/${hostile[1]}/story`);
    expect(r.status).toBe(200);
    const story = zTicketStoryReply.parse(r.json);
    expect(story.ticket?.holderName).toBe(HOSTILE[1]);
    expect(story.scans.map((e) => e.scan.id)).toEqual(newestFirst(scans.filter((s) => s.ticketId === hostile[1])));
    expect(story.next).toBeNull();
  });

  it('shows an inspector none of it', async () => {
    for (const path of ['history', 'history.csv', `tickets/${hostile[0]}/story`]) {
      const r = await inspector.request('GET', `/api/events/${DEMO_EVENT}/${path}`);
      expect(r.status, path).toBe(403);
    }
  });
});

describe('history as CSV', () => {
  it('exports exactly the rows the filters select, newest first, across pages of the database', async () => {
    const all = await csv('');
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^text\/csv/);
    const [header, ...rows] = all.rows;
    expect(header![0]).toBe('time');
    const scanCol = header!.indexOf('scan');
    expect(rows.map((r) => r[scanCol])).toEqual(newestFirst(scans));

    const offline = await csv(historySearch({ offline: 'true', holder: 'SUM' }));
    expect(offline.rows.slice(1).map((r) => r[scanCol])).toEqual(newestFirst(scans.filter((s) => s.offline && s.ticketId === hostile[3])));
  });

  it('neutralises every cell a spreadsheet would run as a formula', async () => {
    const { rows } = await csv(historySearch({ holder: 'tabbed' }));
    const [header, ...body] = rows;
    const holder = header!.indexOf('holder');
    expect(body.length).toBeGreaterThan(0);
    expect(new Set(body.map((r) => r[holder]))).toEqual(new Set([`'${HOSTILE[4]}`]));
    const every = (await csv('')).rows.slice(1).map((r) => r[holder]);
    for (const name of HOSTILE) expect(every).toContain(`'${name}`);
    expect(every.some((cell) => /^[=+\-@\t\r]/.test(cell ?? ''))).toBe(false);
  });

  it('writes the time in the event\u2019s zone beside UTC', async () => {
    const { rows } = await csv(historySearch({ from: T, to: T }));
    const [header, row] = rows;
    expect(row![header!.indexOf('time_utc')]).toBe('2026-12-02T18:00:00.000Z');
    // The demo event is in Amsterdam: UTC+1 in December.
    expect(row![header!.indexOf('time')]).toBe('2026-12-02 19:00:00');
    expect(row![header!.indexOf('scan')]).toBe(scans[0]!.id);
    expect(row![header!.indexOf('offline')]).toBe('yes');
  });
});
