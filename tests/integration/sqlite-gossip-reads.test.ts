// On one SQLite connection the scans a write answers with are always the log's next page
// (it commits in sequence order, synchronously), so the event's tail sends them as gossip
// without reading them back (hub/event-tail.ts). Reading every scan a second time was what
// the multi-instance work first cost the SQLite server (bench/README.md, server.verdict.p99).
// Here the log is never read for gossip while phones scan online and upload at once, and
// the listener still hears every scan, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import { skippedScans } from '../support/gossip-order.ts';
import { logReadCounter } from '../support/log-reads.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
let server: TestServer;
let tickets: TicketId[];
const logReads = logReadCounter();

const phone = (i: number) => {
  const who = login(i % 2 ? 'inspector2' : 'inspector');
  return ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
};

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 200 }, undefined, undefined, { wrapStorage: logReads.wrap });
  tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
}, 60_000);
afterAll(async () => { await server?.close(); });

describe('gossip on SQLite', () => {
  it('sends the scans it stored without reading the log back, in order, while phones scan and upload at once', async () => {
    const listener = await phone(0);
    const phones = await Promise.all([1, 2, 3, 4].map(phone));
    try {
      const before = logReads.reads;
      await Promise.all(phones.map(async (p, k) => {
        for (let i = 0; i < 10; i++) {
          const ticket = tickets[40 * k + i]!;
          // Several verdicts in flight on every socket: group commits of many scans.
          await Promise.all([p.scan(p.request(ticket, ticket)), p.upload([p.offlineScan(p.request(tickets[40 * k + 20 + i]!, tickets[40 * k + 20 + i]!))])]);
        }
      }));
      const all = await server.storage.scansAfter(DEMO_EVENT, 0, 10_000);
      expect(all.scans).toHaveLength(80);
      await until(() => all.scans.every((s) => listener.heard.has(s.scan.id)), 'the listener to hear every scan');
      expect(skippedScans(listener.received, all.scans)).toEqual([]);
      // The one read is this test's own, above.
      expect(logReads.reads - before).toBe(1);
    } finally {
      await Promise.all([listener, ...phones].map((p) => p.close()));
    }
  });
});
