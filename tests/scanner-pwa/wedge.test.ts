// A keyboard-wedge scanner types a code a few ms a key and presses Enter; a person types
// 100+ ms a key. The detector tells them apart by the average gap, and forgives a stall.
import { describe, expect, it } from 'vitest';
import { WedgeDetector } from '../../scanner-pwa/src/lib/scan/wedge.ts';

/** Feed `text` then Enter with these gaps (ms) between keys; the detector's answer on Enter. */
function type(d: WedgeDetector, text: string, gap: (i: number) => number, start = 10_000): string | null {
  let at = start;
  let out: string | null = null;
  for (const [i, key] of [...text, 'Enter'].entries()) {
    if (i > 0) at += gap(i);
    out = d.key(key, at);
  }
  return out;
}

describe('WedgeDetector', () => {
  it('a burst a few ms a key, ending in Enter, is a scan', () => {
    expect(type(new WedgeDetector(), 'GK1TABCDEFGH', () => 4)).toBe('GK1TABCDEFGH');
  });

  it('a person typing 120 ms a key is not', () => {
    expect(type(new WedgeDetector(), 'GK1TABCDEFGH', () => 120)).toBeNull();
  });

  it('one stalled key in a long burst does not lose the scan (the average counts)', () => {
    const code = 'GK1T' + 'A'.repeat(60);
    expect(type(new WedgeDetector(), code, (i) => (i === 30 ? 300 : 3))).toBe(code);
  });

  it('a pause longer than the burst gap starts over: only what came after it counts', () => {
    const d = new WedgeDetector();
    d.key('x', 0);
    d.key('y', 5);
    expect(type(d, 'CODE1234', () => 3, 2_000)).toBe('CODE1234');
  });

  it('Enter after a long pause is not a scan; shift and friends are ignored', () => {
    const d = new WedgeDetector();
    for (const [i, k] of [...'ABCDEF'].entries()) d.key(k, i * 3);
    expect(d.key('Enter', 5_000)).toBeNull();
    expect(type(new WedgeDetector(), 'AB', () => 3)).toBeNull(); // too short
    const e = new WedgeDetector();
    e.key('Shift', 0);
    for (const [i, k] of [...'ABCDE'].entries()) e.key(k, 1 + i * 3);
    expect(e.key('Enter', 20)).toBe('ABCDE');
  });
});
