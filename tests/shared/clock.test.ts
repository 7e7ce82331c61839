import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClockOffsetEstimator, exceedsHalfStep, sampleOffset } from '@gatekeeper/shared/clock';

const T0 = 1_718_000_000_000;

/** A round trip as a device `offset` ms behind the server would see it. */
const trip = (sent: number, up: number, down: number, offset: number) =>
  ({ clientSent: sent, serverTime: sent + up + offset, clientReceived: sent + up + down });

describe('ClockOffsetEstimator', () => {
  it('knows nothing before the first round trip', () => {
    expect(new ClockOffsetEstimator().estimate()).toBeNull();
  });

  it('takes the server time against the midpoint of the round trip', () => {
    expect(sampleOffset({ clientSent: 1000, serverTime: 6050, clientReceived: 1100 })).toBe(5000);
    const e = new ClockOffsetEstimator();
    e.add({ clientSent: 1000, serverTime: 6050, clientReceived: 1100 });
    expect(e.estimate()).toEqual({ offsetMs: 5000, rttMs: 100 });
  });

  it('is exact for a symmetric round trip, whatever the offset', () => {
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat(5_000), (offset, half) => {
      const e = new ClockOffsetEstimator();
      e.add(trip(T0, half, half, offset));
      expect(e.estimate()).toEqual({ offsetMs: offset, rttMs: 2 * half });
    }));
  });

  it('trusts the sample with the shortest round trip, not the latest', () => {
    const e = new ClockOffsetEstimator();
    e.add(trip(T0, 20, 20, 3_000)); // quick and symmetric
    e.add(trip(T0 + 1000, 1_900, 100, 3_000)); // held up on the way out: skews by 900 ms
    expect(e.estimate()).toEqual({ offsetMs: 3_000, rttMs: 40 });
  });

  it('is off by at most half the best round trip', () => {
    const sample = fc.record({ up: fc.nat(2_000), down: fc.nat(2_000) });
    fc.assert(fc.property(fc.integer({ min: -1e7, max: 1e7 }), fc.array(sample, { minLength: 1, maxLength: 20 }), (offset, trips) => {
      const e = new ClockOffsetEstimator();
      trips.forEach((t, i) => e.add(trip(T0 + i * 10_000, t.up, t.down, offset)));
      const est = e.estimate()!;
      expect(Math.abs(est.offsetMs - offset)).toBeLessThanOrEqual(Math.ceil(est.rttMs / 2));
    }));
  });

  it('keeps only the last N samples, so an old lucky sample ages out', () => {
    const e = new ClockOffsetEstimator(3);
    e.add(trip(T0, 1, 1, 100)); // the best ever, but the clock has since been changed
    for (let i = 1; i <= 3; i++) e.add(trip(T0 + i * 1000, 50, 50, 9_000));
    expect(e.size).toBe(3);
    expect(e.estimate()).toEqual({ offsetMs: 9_000, rttMs: 100 });
  });

  it('prefers the newer of two equally quick samples', () => {
    const e = new ClockOffsetEstimator();
    e.add(trip(T0, 10, 10, 1_000));
    e.add(trip(T0 + 1000, 10, 10, 1_200));
    expect(e.estimate()?.offsetMs).toBe(1_200);
  });

  it('refuses samples that cannot be real', () => {
    const e = new ClockOffsetEstimator();
    expect(e.add({ clientSent: T0, serverTime: T0, clientReceived: T0 - 1 })).toBe(false);
    expect(e.add({ clientSent: Number.NaN, serverTime: T0, clientReceived: T0 })).toBe(false);
    expect(e.add({ clientSent: T0, serverTime: Infinity, clientReceived: T0 })).toBe(false);
    expect(e.size).toBe(0);
    expect(e.add({ clientSent: T0, serverTime: T0, clientReceived: T0 })).toBe(true);
    expect(e.estimate()).toEqual({ offsetMs: 0, rttMs: 0 });
  });

  it('rounds to whole milliseconds, as scans store them', () => {
    const e = new ClockOffsetEstimator();
    e.add({ clientSent: 0, serverTime: 10, clientReceived: 3 });
    expect(e.estimate()).toEqual({ offsetMs: 9, rttMs: 3 });
  });

  it('forgets everything on reset', () => {
    const e = new ClockOffsetEstimator();
    e.add(trip(T0, 5, 5, 10));
    e.reset();
    expect(e.estimate()).toBeNull();
  });

  it('refuses a window of no samples', () => {
    expect(() => new ClockOffsetEstimator(0)).toThrow(RangeError);
  });
});

describe('exceedsHalfStep', () => {
  it('warns past 10 s with the default 20 s code step, either way', () => {
    expect(exceedsHalfStep(10_000)).toBe(false);
    expect(exceedsHalfStep(10_001)).toBe(true);
    expect(exceedsHalfStep(-10_000)).toBe(false);
    expect(exceedsHalfStep(-10_001)).toBe(true);
    expect(exceedsHalfStep(0)).toBe(false);
  });

  it('follows a configured step', () => {
    expect(exceedsHalfStep(15_000, 30)).toBe(false);
    expect(exceedsHalfStep(15_001, 30)).toBe(true);
    expect(exceedsHalfStep(3_000, 5)).toBe(true);
  });
});
