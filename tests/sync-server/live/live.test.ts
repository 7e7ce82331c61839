// Building an event's counters from storage while scans keep being gossiped: each scan is
// counted once, whether the pages held it or it came in meanwhile.
import { describe, expect, it } from 'vitest';
import { ticketId } from '@gatekeeper/shared/ids';
import { Live } from '../../../sync-server/src/live/live.ts';
import { silentLogger } from '../../../sync-server/src/log.ts';
import type { StoredScan } from '../../../sync-server/src/storage/types.ts';
import { EVENT, T0, makeScan } from '../../support/factories.ts';

const storedAt = (seq: number): StoredScan => ({ seq, receivedAt: T0, scan: makeScan({ ticketId: ticketId(`t${seq}`) }) });

describe('Live', () => {
  it('counts what is gossiped while it reads the stored scans once, after them', async () => {
    const log = [storedAt(1), storedAt(2)];
    const live = new Live({
      log: silentLogger,
      storage: {
        admissibleTicketCount: async () => 10,
        scansAfter: async (_event, cursor) => {
          const page = log.filter((s) => s.seq > cursor);
          // Meanwhile scan 3 is stored (so this read holds it) and gossiped, and scan 4 is
          // stored and gossiped after this read.
          if (cursor === 0) {
            log.push(storedAt(3));
            page.push(log[2]!);
            setImmediate(() => {
              live.gossiped(EVENT, [log[2]!]);
              log.push(storedAt(4));
              live.gossiped(EVENT, [log[3]!]);
            });
            await new Promise((r) => setTimeout(r, 20));
          }
          return { scans: page, cursor: page.at(-1)?.seq ?? cursor, more: false };
        },
      },
    });
    const snapshot = await live.snapshot(EVENT);
    expect(snapshot).toMatchObject({ cursor: 4, admitted: 4, ticketsSold: 10, outcomes: [{ outcome: 'valid', count: 4 }] });
  });
});
