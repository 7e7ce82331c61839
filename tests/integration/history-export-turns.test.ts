// The CSV export shares the event loop with every gate's verdicts: it reads one page of
// scans per turn of the loop, so whatever else is waiting (an online scan, a login, a
// socket's message) runs between two pages, never after the whole export.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ticketId } from '@gatekeeper/shared/ids';
import { makeScan } from '../support/factories.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let supervisor: HttpSession;
const SCANS = 6_000;

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 10 });
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  const at = Date.UTC(2026, 11, 2, 18, 0);
  await server.storage.uploadOffline(Array.from({ length: SCANS }, (_, i) => makeScan({
    eventId: DEMO_EVENT, ticketId: ticketId(`x-${i}`), orderId: null, at: at + i * 100,
  })), at + SCANS * 100);
});
afterAll(async () => { await server?.close(); });

it('reads at most one page of the export in any turn of the event loop', async () => {
  // A turn counter: one setImmediate a turn, for as long as the export runs.
  let turn = 0;
  let running = true;
  const tick = () => { turn++; if (running) setImmediate(tick); };
  setImmediate(tick);
  const turnOfPage: number[] = [];
  const read = server.storage.historyExportRows.bind(server.storage);
  const pages = vi.spyOn(server.storage, 'historyExportRows').mockImplementation((query) => {
    turnOfPage.push(turn);
    return read(query);
  });
  try {
    const res = await fetch(`${server.url}/api/events/${DEMO_EVENT}/history.csv`, { headers: { cookie: supervisor.cookie } });
    const text = await res.text();
    expect(text.split('\n')).toHaveLength(SCANS + 2);
  } finally {
    running = false;
    pages.mockRestore();
  }
  // Several pages, each read in a turn of its own (all six in one turn without the export's yield).
  expect(turnOfPage.length).toBeGreaterThan(4);
  const perTurn = new Map<number, number>();
  for (const t of turnOfPage) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
  expect(Math.max(...perTurn.values())).toBe(1);
});
