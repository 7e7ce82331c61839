// Spreading one gossip message's writes: the first slice now, the rest evenly over the
// wait, and never a slice of the next message before the last of this one. Frozen time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Stagger } from '../../sync-server/src/hub/stagger.ts';

function parts(log: string[], message: string, n: number): Array<() => void> {
  return Array.from({ length: n }, (_, i) => () => { log.push(`${message}${i}`); });
}

describe('Stagger', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('writes the first slice at once and the others evenly over the spread', () => {
    const log: string[] = [];
    new Stagger().run(parts(log, 'a', 4), 40);
    expect(log).toEqual(['a0']);
    vi.advanceTimersByTime(9);
    expect(log).toEqual(['a0']);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['a0', 'a1']);
    vi.advanceTimersByTime(20);
    expect(log).toEqual(['a0', 'a1', 'a2', 'a3']);
    vi.advanceTimersByTime(100);
    expect(log).toHaveLength(4);
  });

  it('with no spread writes every slice at once', () => {
    const log: string[] = [];
    new Stagger().run(parts(log, 'a', 3), 0);
    expect(log).toEqual(['a0', 'a1', 'a2']);
  });

  it('finishes what is left of a message before the next one starts, so each socket gets them in order', () => {
    const log: string[] = [];
    const stagger = new Stagger();
    stagger.run(parts(log, 'a', 3), 30);
    vi.advanceTimersByTime(10);
    stagger.run(parts(log, 'b', 3), 30);
    expect(log).toEqual(['a0', 'a1', 'a2', 'b0']);
    vi.advanceTimersByTime(30);
    expect(log).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
  });

  it('finish writes every queued slice now (before a conflict is told) and cancels the timer', () => {
    const log: string[] = [];
    const stagger = new Stagger();
    stagger.run(parts(log, 'a', 3), 30);
    stagger.finish();
    expect(log).toEqual(['a0', 'a1', 'a2']);
    vi.advanceTimersByTime(100);
    expect(log).toHaveLength(3);
  });
});
