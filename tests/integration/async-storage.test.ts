// The hub on a store that answers late and out of order (tests/support/late-storage.ts), as
// PostgreSQL over a pool does. Gossip must still say a cursor only once every scan up to it
// has been sent: a phone that drops off after any message and resumes from that cursor
// misses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import { skippedScans } from '../support/gossip-order.ts';
import { lateAnswers } from '../support/late-storage.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
let server: TestServer;
let tickets: TicketId[];

const phone = (i: number) => {
  const who = login(i % 2 ? 'inspector2' : 'inspector');
  return ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
};

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 100 }, undefined, undefined, { wrapStorage: (s) => lateAnswers(s, 15) });
  tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
}, 60_000);
afterAll(async () => { await server?.close(); });

describe('gossip on a store that answers out of order', () => {
  it('never tells a cursor past a scan it has not sent, while two phones upload at once', async () => {
    const [listener, a, b] = [await phone(0), await phone(1), await phone(2)];
    try {
      const rounds = 30;
      await Promise.all([a, b].map(async (p, k) => {
        for (let i = 0; i < rounds; i++) {
          const ticket = tickets[(2 * i + k) % tickets.length]!;
          await p.upload([p.offlineScan(p.request(ticket, ticket))]);
        }
      }));
      const all = await server.storage.scansAfter(DEMO_EVENT, 0, 10_000);
      expect(all.scans).toHaveLength(2 * rounds);
      await until(() => all.scans.every((s) => listener.heard.has(s.scan.id)), 'the listener to hear every scan');
      expect(skippedScans(listener.received, all.scans)).toEqual([]);
    } finally {
      await Promise.all([listener, a, b].map((p) => p.close()));
    }
  });
});
