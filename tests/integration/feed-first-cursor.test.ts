// The first phone of an event opens the event's feed, and the feed's tail begins where the
// log ends: a read of its own. Over a pool of connections (PostgreSQL) that read may run
// after the phone's welcome was read, and after another gate's scan was stored: the tail
// would then begin past a scan the phone's welcome did not cover either, and the phone would
// not hear of it until the next scan of the event. Here the tail's first read runs late on
// purpose: held until a scan is stored (or a second has passed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { Storage } from '../../sync-server/src/storage/types.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const HOLD_MS = 1000;
let server: TestServer;
let tickets: TicketId[];

/** The first latestCursor (the tail's, asked as the feed opens) runs once a scan is stored, or after HOLD_MS. */
function lateFirstCursor(storage: Storage): Storage {
  let stored: () => void = () => {};
  const aScanStored = new Promise<void>((resolve) => { stored = resolve; });
  let first = true;
  return new Proxy(storage, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (name === 'latestCursor') {
        return (...args: unknown[]) => {
          if (!first) return (value as (...a: unknown[]) => unknown).apply(target, args);
          first = false;
          const held = Promise.race([aScanStored, new Promise((r) => setTimeout(r, HOLD_MS))]);
          return held.then(() => (value as (...a: unknown[]) => unknown).apply(target, args));
        };
      }
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if ((name === 'submitOnline' || name === 'uploadOffline') && result instanceof Promise) void result.then(() => stored(), () => {});
        return result;
      };
    },
  });
}

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 20 }, undefined, undefined, { wrapStorage: lateFirstCursor });
  tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null).map((t) => t.id);
}, 60_000);
afterAll(async () => { await server?.close(); });

describe('the first phone of an event', () => {
  it('hears a scan stored while its feed\u2019s first cursor was still being read', async () => {
    const who = [login('inspector'), login('inspector2')];
    const listener = await ScannerClient.connect(server.url, who[0]!.username, who[0]!.password, DEMO_EVENT, MAIN);
    const gate = await ScannerClient.connect(server.url, who[1]!.username, who[1]!.password, DEMO_EVENT, MAIN);
    try {
      const ticket = tickets[0]!;
      const req = gate.request(ticket, ticket);
      const verdict = await gate.scan(req);
      expect(verdict.verdict.outcome).toBe('valid');
      await until(() => listener.heard.has(req.id), 'the first phone to hear the other gate\u2019s scan', 20_000);
    } finally {
      await Promise.all([listener, gate].map((p) => p.close()));
    }
  });
});
