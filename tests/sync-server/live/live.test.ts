// An event's counters while scans keep being gossiped: each scan is counted once, whether
// the tally held it or it came in while the tally was read; and counters nobody watches go.
import { describe, expect, it } from 'vitest';
import { ticketId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import { Live, type LiveReader } from '../../../sync-server/src/live/live.ts';
import { silentLogger } from '../../../sync-server/src/log.ts';
import { openSqliteStorage } from '../../../sync-server/src/storage/sqlite/index.ts';
import type { Storage } from '../../../sync-server/src/storage/types.ts';
import { OutgoingMessage } from '../../../sync-server/src/hub/frames.ts';
import { EVENT, T0, makeEvent, makeScan } from '../../support/factories.ts';
import { until } from '../../support/until.ts';

const scanOf = (n: number) => makeScan({ ticketId: ticketId(`t${n}`) });

function supervisor(): LiveReader & { got: Down[] } {
  const got: Down[] = [];
  return { eventId: EVENT, staff: { role: 'supervisor' }, open: true, got, send: (m) => { got.push(m instanceof OutgoingMessage ? m.msg : m); } };
}

describe('Live', () => {
  it('counts what is gossiped while it reads the tally once, after it', async () => {
    const storage = openSqliteStorage({ file: ':memory:' });
    try {
      await storage.createEvent(makeEvent());
      await storage.uploadOffline([scanOf(1), scanOf(2)], T0);
      const stored = async () => (await storage.scansAfter(EVENT, 0, 100)).scans;
      let live: Live;
      const slowTally: Storage['liveTally'] = async (eventId) => {
        // Scan 3 is stored before the tally is read (it holds it) and gossiped while the
        // answer is on its way; scan 4 is stored and gossiped after.
        await storage.uploadOffline([scanOf(3)], T0);
        const tally = await storage.liveTally(eventId);
        const [, , third] = await stored();
        live.gossiped(EVENT, [third!]);
        await storage.uploadOffline([scanOf(4)], T0);
        live.gossiped(EVENT, [(await stored())[3]!]);
        return tally;
      };
      live = new Live({ log: silentLogger, storage: { admissibleTicketCount: async () => 10, scansOfTickets: (...a) => storage.scansOfTickets(...a), liveTally: slowTally } });
      const reader = supervisor();
      await live.subscribe(reader);
      await until(() => reader.got.some((m) => m.type === 'liveDelta' && m.delta.cursor === 4), 'the delta of scan 4');
      expect(await live.snapshot(EVENT)).toMatchObject({ cursor: 4, admitted: 4, ticketsSold: 10, outcomes: [{ outcome: 'valid', count: 4 }] });
      expect(reader.got.filter((m) => m.type === 'liveDelta')).toHaveLength(1);
    } finally { await storage.close(); }
  });

  it('lets an event nobody watches go: a batch gossiped then is not counted in memory, and the next subscriber reads it from the tally', async () => {
    const storage = openSqliteStorage({ file: ':memory:' });
    try {
      await storage.createEvent(makeEvent());
      let tallies = 0;
      let scansRead = 0;
      const live = new Live({
        log: silentLogger,
        storage: {
          admissibleTicketCount: async () => 10,
          liveTally: async (e) => { tallies++; return storage.liveTally(e); },
          scansOfTickets: async (...a) => { scansRead++; return storage.scansOfTickets(...a); },
        },
      });
      const first = supervisor();
      await live.subscribe(first);
      live.leave(first);
      await storage.uploadOffline([scanOf(1)], T0);
      live.gossiped(EVENT, (await storage.scansAfter(EVENT, 0, 10)).scans);
      const second = supervisor();
      await live.subscribe(second);
      expect({ tallies, scansRead }).toEqual({ tallies: 2, scansRead: 0 });
      expect(second.got[0]).toMatchObject({ type: 'live', snapshot: { cursor: 1, admitted: 1 } });
    } finally { await storage.close(); }
  });
});
