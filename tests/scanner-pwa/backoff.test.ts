// The reconnect delays of the app's socket (scanner-pwa/src/lib/sync/backoff.ts): what
// docs/protocol.md promises a scanner writer ("0.5 s doubling to 15 s") is what it does.
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../scanner-pwa/src/lib/sync/backoff.ts';

const sequence = (random: () => number, n = 9) => Array.from({ length: n }, (_, attempt) => backoffDelay(attempt, DEFAULT_BACKOFF, random));

describe('reconnect backoff', () => {
  it('doubles from 0.5 s and stops at 15 s: each delay between half its window and the whole', () => {
    expect(sequence(() => 1)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000]);
    expect(sequence(() => 0)).toEqual([250, 500, 1_000, 2_000, 4_000, 7_500, 7_500, 7_500, 7_500]);
  });

  it('jitters within the window, never near zero', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.5);
      const window = Math.min(15_000, 500 * 2 ** attempt);
      expect(d).toBe(Math.round(window * 0.75));
    }
  });
});
