// Gossip across instances on one PostgreSQL without reading the log back (issue 12): a
// scan's notification carries the scans it stored when they fit a payload, and the other
// instance sends them on as its own process's, when they follow what it sent last. A batch
// too large for a notification is read from the log instead, and nothing is skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import { skippedScans } from '../support/gossip-order.ts';
import { logReadCounter } from '../support/log-reads.ts';
import { usePostgres } from '../support/postgres.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const db = usePostgres();
let writer: TestServer;
let reader: TestServer;
let tickets: TicketId[] = [];
/** The log reads (scansAfter) of the reading instance. */
const logReads = logReadCounter();

const phoneOn = (server: TestServer, i: number) => {
  const who = login(i % 2 ? 'inspector2' : 'inspector');
  return ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
};

beforeAll(async () => {
  writer = await startTestServer({ databaseUrl: db.url(), demoTickets: 300 });
  reader = await startTestServer({ databaseUrl: db.url(), demoTickets: 300 }, undefined, undefined, { wrapStorage: logReads.wrap });
  tickets = (await writer.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null).map((t) => t.id);
}, 180_000);
afterAll(async () => { await Promise.all([writer, reader].map((s) => s?.close())); });

describe('gossip from another instance', () => {
  it('sends the scans a notification carries without reading the log, and reads a batch too large to carry; every scan heard, in order', async () => {
    const [gate, listener] = [await phoneOn(writer, 0), await phoneOn(reader, 1)];
    try {
      const before = logReads.reads;
      // One at a time, each heard before the next: every notification follows the one before.
      for (const ticket of tickets.slice(0, 10)) {
        const verdict = await gate.scan(gate.request(ticket, ticket));
        expect(verdict.verdict.outcome).toBe('valid');
        await until(() => listener.heard.has(verdict.scanId), 'the other instance\u2019s phone to hear the scan');
      }
      expect(logReads.reads - before).toBe(0);

      // Sixty scans in one upload: their notification would pass PostgreSQL's payload limit.
      const batch = tickets.slice(10, 70).map((t) => gate.offlineScan(gate.request(t, t)));
      await gate.upload(batch);
      await until(() => batch.every((s) => listener.heard.has(s.id)), 'the other instance\u2019s phone to hear the batch');
      expect(logReads.reads - before).toBeGreaterThan(0);

      const all = await writer.storage.scansAfter(DEMO_EVENT, 0, 10_000);
      expect(all.scans).toHaveLength(70);
      expect(skippedScans(listener.received, all.scans)).toEqual([]);
    } finally {
      await Promise.all([gate, listener].map((p) => p.close()));
    }
  });
});
