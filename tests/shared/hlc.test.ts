import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { zScan } from '@gatekeeper/shared/domain';
import { compareHlc, formatHlc, Hlc, HLC_PATTERN, isHlc, parseHlc } from '@gatekeeper/shared/hlc';

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => { t = v; } };
}

const T0 = 1_718_000_000_000;
const DAY = 24 * 60 * 60 * 1000;

describe('stamp format', () => {
  it('is the 15-digit ms, a colon and a 4-hex counter that zScan.hlc accepts', () => {
    const c = manualClock(T0);
    const stamp = new Hlc(c.now).tick();
    expect(stamp).toBe('001718000000000:0000');
    expect(stamp).toMatch(HLC_PATTERN);
    expect(zScan.shape.hlc.safeParse(stamp).success).toBe(true);
  });

  it('round-trips through parseHlc and formatHlc', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), fc.integer({ min: 0, max: 0xffff }), (physical, counter) => {
      const s = formatHlc({ physical, counter });
      expect(s).toMatch(HLC_PATTERN);
      expect(parseHlc(s)).toEqual({ physical, counter });
    }));
  });

  it('rejects what is not a stamp', () => {
    for (const bad of ['', '1718000000000:0000', '001718000000000:000g', '001718000000000-0000', '001718000000000:00000', ' 001718000000000:0000']) {
      expect(isHlc(bad)).toBe(false);
      expect(() => parseHlc(bad)).toThrow(/not a clock stamp/);
    }
    expect(() => formatHlc({ physical: -1, counter: 0 })).toThrow();
    expect(() => formatHlc({ physical: 1e15, counter: 0 })).toThrow();
    expect(() => formatHlc({ physical: 0, counter: 0x10000 })).toThrow();
  });

  it('orders as plain strings exactly as by (physical, counter)', () => {
    const parts = fc.record({ physical: fc.integer({ min: 0, max: 999_999_999_999_999 }), counter: fc.integer({ min: 0, max: 0xffff }) });
    fc.assert(fc.property(parts, parts, (a, b) => {
      const numeric = Math.sign(a.physical - b.physical) || Math.sign(a.counter - b.counter);
      expect(compareHlc(formatHlc(a), formatHlc(b))).toBe(numeric);
    }));
  });
});

describe('tick', () => {
  it('follows physical time while it moves forward', () => {
    const c = manualClock(T0);
    const h = new Hlc(c.now);
    expect(parseHlc(h.tick())).toEqual({ physical: T0, counter: 0 });
    c.set(T0 + 5);
    expect(parseHlc(h.tick())).toEqual({ physical: T0 + 5, counter: 0 });
  });

  it('counts events within one millisecond', () => {
    const h = new Hlc(() => T0);
    expect([h.tick(), h.tick(), h.tick()].map((s) => parseHlc(s).counter)).toEqual([0, 1, 2]);
  });

  it('stays monotonic when the device clock jumps back', () => {
    const c = manualClock(T0);
    const h = new Hlc(c.now);
    const before = h.tick();
    c.set(T0 - 60 * 60 * 1000); // an NTP fix pulls the clock back an hour
    const after = h.tick();
    expect(compareHlc(after, before)).toBe(1);
    expect(parseHlc(after)).toEqual({ physical: T0, counter: 1 });
  });

  it('is strictly increasing under any sequence of clock readings', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { minLength: 1, maxLength: 200 }), (readings) => {
      let i = 0;
      const h = new Hlc(() => readings[i]!);
      let prev = h.last;
      for (i = 0; i < readings.length; i++) {
        const s = h.tick();
        expect(s).toMatch(HLC_PATTERN);
        expect(compareHlc(s, prev)).toBe(1);
        prev = s;
      }
    }));
  });

  it('borrows the next millisecond when the counter would overflow', () => {
    const h = new Hlc(() => T0, { last: formatHlc({ physical: T0, counter: 0xfffe }) });
    expect(h.tick()).toBe(formatHlc({ physical: T0, counter: 0xffff }));
    expect(h.tick()).toBe(formatHlc({ physical: T0 + 1, counter: 0 }));
  });

  it('treats a broken time source as the epoch instead of emitting a bad stamp', () => {
    const h = new Hlc(() => Number.NaN);
    expect(h.tick()).toBe('000000000000000:0001');
    expect(h.tick()).toBe('000000000000000:0002');
  });

  it('resumes after a restart from the last stamp it issued', () => {
    const c = manualClock(T0);
    const first = new Hlc(c.now);
    const stamp = first.tick();
    c.set(T0 - 2 * DAY); // reloaded with the clock set two days back
    const resumed = new Hlc(c.now, { last: stamp });
    expect(compareHlc(resumed.tick(), stamp)).toBe(1);
  });
});

describe('receive', () => {
  it('moves past a remote stamp from a node whose clock is ahead', () => {
    const c = manualClock(T0);
    const h = new Hlc(c.now);
    h.tick();
    const remote = formatHlc({ physical: T0 + 5_000, counter: 7 });
    expect(h.receive(remote)).toEqual({ merged: true });
    expect(h.last).toBe(formatHlc({ physical: T0 + 5_000, counter: 8 }));
    const next = h.tick();
    expect(compareHlc(next, remote)).toBe(1);
    expect(parseHlc(next)).toEqual({ physical: T0 + 5_000, counter: 9 });
  });

  it('keeps local time when the remote stamp is older', () => {
    const c = manualClock(T0);
    const h = new Hlc(c.now);
    h.receive(formatHlc({ physical: T0 - 1_000, counter: 3 }));
    expect(h.last).toBe(formatHlc({ physical: T0, counter: 0 }));
  });

  it('takes the larger counter plus one when both sit on the same millisecond', () => {
    const h = new Hlc(() => T0 - 10, { last: formatHlc({ physical: T0, counter: 2 }) });
    h.receive(formatHlc({ physical: T0, counter: 9 }));
    expect(h.last).toBe(formatHlc({ physical: T0, counter: 10 }));
    h.receive(formatHlc({ physical: T0, counter: 4 }));
    expect(h.last).toBe(formatHlc({ physical: T0, counter: 11 }));
  });

  it('counts on from its own stamp when it is ahead of both clocks', () => {
    const h = new Hlc(() => T0 - 10, { last: formatHlc({ physical: T0, counter: 2 }) });
    h.receive(formatHlc({ physical: T0 - 5, counter: 9 }));
    expect(h.last).toBe(formatHlc({ physical: T0, counter: 3 }));
  });

  it('orders a scan made after hearing another after it, whatever the two clocks say', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: -DAY, max: DAY }), fc.nat(20),
      (t, skew, ticks) => {
        const a = new Hlc(() => t);
        const b = new Hlc(() => t + skew);
        let heard = '';
        for (let i = 0; i <= ticks; i++) heard = a.tick();
        expect(b.receive(heard)).toEqual({ merged: true });
        expect(compareHlc(b.tick(), heard)).toBe(1);
      },
    ));
  });

  it('ignores a stamp more than a day ahead, so one phone set to next year poisons nobody', () => {
    const c = manualClock(T0);
    const h = new Hlc(c.now);
    const mine = h.tick();
    const receipt = h.receive(formatHlc({ physical: T0 + 365 * DAY, counter: 0 }));
    expect(receipt).toEqual({ merged: false, reason: 'too_far_ahead', aheadMs: 365 * DAY });
    expect(h.last).toBe(mine);
    expect(parseHlc(h.tick()).physical).toBe(T0);
  });

  it('still merges a stamp just inside the limit, and honours a custom limit', () => {
    const h = new Hlc(() => T0);
    expect(h.receive(formatHlc({ physical: T0 + DAY, counter: 0 }))).toEqual({ merged: true });
    const strict = new Hlc(() => T0, { maxAheadMs: 1_000 });
    expect(strict.receive(formatHlc({ physical: T0 + 1_001, counter: 0 }))).toMatchObject({ merged: false, reason: 'too_far_ahead' });
    expect(strict.receive(formatHlc({ physical: T0 + 1_000, counter: 0 }))).toEqual({ merged: true });
  });

  it('reports a malformed stamp instead of throwing', () => {
    const h = new Hlc(() => T0);
    const mine = h.tick();
    expect(h.receive('tomorrow')).toEqual({ merged: false, reason: 'malformed' });
    expect(h.last).toBe(mine);
  });

  it('never emits a stamp that breaks the format, even after an overflowing merge', () => {
    const h = new Hlc(() => T0);
    h.receive(formatHlc({ physical: T0, counter: 0xffff }));
    expect(h.last).toBe(formatHlc({ physical: T0 + 1, counter: 0 }));
    expect(h.tick()).toMatch(HLC_PATTERN);
  });
});
