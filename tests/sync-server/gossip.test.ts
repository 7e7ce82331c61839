// The gossip buffer's coalescing: sparse scans go out on the next loop turn, a burst
// stretches the wait to the cap, and 0 keeps one message per loop turn. Frozen time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import { GossipBuffer, PER_EXTRA_SCAN_MS } from '../../sync-server/src/hub/gossip.ts';
import type { StoredScan } from '../../sync-server/src/storage/types.ts';
import { EVENT } from '../support/factories.ts';

let seq = 0;
const stored = (): StoredScan => ({ seq: ++seq, receivedAt: 0, scan: { id: `s-${seq}` } as unknown as Scan });

function buffer(maxWaitMs: number) {
  const sent: number[][] = [];
  const spreads: number[] = [];
  const gossip = new GossipBuffer(maxWaitMs, (_event, scans, _from, _cursor, spreadMs) => { sent.push(scans.map((s) => s.seq)); spreads.push(spreadMs); }, () => Date.now());
  return { gossip, sent, spreads };
}

describe('GossipBuffer', () => {
  beforeEach(() => { vi.useFakeTimers(); seq = 0; });
  afterEach(() => { vi.useRealTimers(); });

  it('sends a lone scan on the next loop turn, and the next lone one too', () => {
    const { gossip, sent } = buffer(50);
    gossip.add(EVENT, [stored()], 0);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([[1]]);
    gossip.add(EVENT, [stored()], 0);
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([[1], [2]]);
  });

  it('after a message of n scans holds the next back (n - 1) × PER_EXTRA_SCAN_MS, in order', () => {
    const { gossip, sent } = buffer(50);
    gossip.add(EVENT, [stored(), stored()], 0);
    gossip.add(EVENT, [stored()], 0);
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([[1, 2, 3]]);
    gossip.add(EVENT, [stored()], 0);
    gossip.add(EVENT, [stored()], 0);
    vi.advanceTimersByTime(2 * PER_EXTRA_SCAN_MS - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('under sustained load (the hold-back at its cap) tells the fan-out it may spread the message over it; otherwise 0', () => {
    const { gossip, spreads } = buffer(50);
    gossip.add(EVENT, [stored()], 0);
    vi.advanceTimersByTime(0);
    gossip.add(EVENT, [stored(), stored(), stored()], 0);
    vi.advanceTimersByTime(0);
    gossip.add(EVENT, Array.from({ length: 100 }, stored), 0);
    vi.advanceTimersByTime(2 * PER_EXTRA_SCAN_MS);
    expect(spreads).toEqual([0, 0, 50]);
  });

  it('never holds gossip back longer than the cap', () => {
    const { gossip, sent } = buffer(50);
    gossip.add(EVENT, Array.from({ length: 100 }, stored), 0);
    vi.advanceTimersByTime(0);
    gossip.add(EVENT, [stored()], 0);
    vi.advanceTimersByTime(49);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
  });

  it('with a cap of 0 sends once per loop turn whatever the load', () => {
    const { gossip, sent } = buffer(0);
    gossip.add(EVENT, Array.from({ length: 100 }, stored), 0);
    vi.advanceTimersByTime(0);
    gossip.add(EVENT, [stored()], 0);
    vi.advanceTimersByTime(0);
    expect(sent.map((m) => m.length)).toEqual([100, 1]);
  });

  it('flush sends what is pending at once (before a conflict that names it)', () => {
    const { gossip, sent } = buffer(50);
    gossip.add(EVENT, Array.from({ length: 10 }, stored), 0);
    vi.advanceTimersByTime(0);
    gossip.add(EVENT, [stored()], 0);
    gossip.flush();
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(2);
  });
});
