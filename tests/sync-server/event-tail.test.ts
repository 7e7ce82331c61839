// An event's tail: what gossip sends, in the log's order. The scans this process just
// stored go out as they are when they follow the last cursor with no number missing;
// anything else (a gap, a poke without scans, a read under way) is read from storage.
import { describe, expect, it } from 'vitest';
import { EventTail } from '@gatekeeper/sync-server/hub/event-tail';
import type { StoredScan } from '@gatekeeper/sync-server/storage/types';
import { EVENT, makeScan } from '../support/factories.ts';

const stored = (seq: number): StoredScan => ({ seq, receivedAt: 0, scan: makeScan() });

/** A log held in memory that counts its reads. */
function memoryLog(initial: number) {
  const log: StoredScan[] = Array.from({ length: initial }, (_, i) => stored(i + 1));
  let reads = 0;
  return {
    log,
    get reads() { return reads; },
    storage: {
      async latestCursor() { return log.at(-1)?.seq ?? 0; },
      async scansAfter(_event: unknown, cursor: number, limit: number) {
        reads++;
        const after = log.filter((s) => s.seq > cursor);
        const scans = after.slice(0, limit);
        return { scans, cursor: scans.at(-1)?.seq ?? cursor, more: after.length > limit };
      },
    },
  };
}

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } };

function tailOf(mem: ReturnType<typeof memoryLog>) {
  const sent: Array<{ seqs: number[]; from: number; to: number }> = [];
  const tail = new EventTail(EVENT, { storage: mem.storage, log: silent as never }, (scans, from, to) => sent.push({ seqs: scans.map((s) => s.seq), from, to }));
  return { tail, sent };
}

describe('EventTail', () => {
  it('sends the scans it was told of without reading them again when they follow the last cursor', async () => {
    const mem = memoryLog(3);
    const { tail, sent } = tailOf(mem);
    await tail.poke();
    const readsBefore = mem.reads;
    mem.log.push(stored(4), stored(5));
    await tail.poke([mem.log[3]!, mem.log[4]!]);
    mem.log.push(stored(6));
    await tail.poke([mem.log[5]!]);
    expect(sent).toEqual([{ seqs: [4, 5], from: 3, to: 5 }, { seqs: [6], from: 5, to: 6 }]);
    expect(mem.reads).toBe(readsBefore);
  });

  it('reads from storage when a number is missing, so a scan stored elsewhere is sent first, in order', async () => {
    const mem = memoryLog(3);
    const { tail, sent } = tailOf(mem);
    await tail.poke();
    // 4 was stored by another instance (no scans with its poke yet); this process stored 5.
    mem.log.push(stored(4), stored(5));
    await tail.poke([mem.log[4]!]);
    expect(sent).toEqual([{ seqs: [4, 5], from: 3, to: 5 }]);
    // Told of 4 late: nothing is sent twice.
    await tail.poke([mem.log[3]!]);
    expect(sent.flatMap((s) => s.seqs)).toEqual([4, 5]);
  });
});

describe('EventTail, scans told out of order', () => {
  it('within one turn (answers that resumed in another order than numbered) go out in order without a read', async () => {
    const mem = memoryLog(3);
    const { tail, sent } = tailOf(mem);
    await tail.poke();
    const readsBefore = mem.reads;
    mem.log.push(stored(4), stored(5), stored(6));
    const told = [tail.poke([mem.log[4]!, mem.log[5]!]), tail.poke([mem.log[3]!])];
    await Promise.all(told);
    expect(sent).toEqual([{ seqs: [4, 5, 6], from: 3, to: 6 }]);
    expect(mem.reads).toBe(readsBefore);
  });

  it('a gap still open once the turn is over is read, and what was held is not sent twice', async () => {
    const mem = memoryLog(3);
    const { tail, sent } = tailOf(mem);
    await tail.poke();
    mem.log.push(stored(4), stored(5), stored(6));
    // 4 is another instance's: no poke brings it.
    await Promise.all([tail.poke([mem.log[5]!]), tail.poke([mem.log[4]!])]);
    expect(sent).toEqual([{ seqs: [4, 5, 6], from: 3, to: 6 }]);
  });
});
