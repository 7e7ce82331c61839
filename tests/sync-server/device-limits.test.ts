// Per-device token buckets: a gate's real traffic passes, a flood waits, nothing is counted
// for a refused message, and a refusal episode is reported once.
import { describe, expect, it } from 'vitest';
import { deviceId } from '@gatekeeper/shared/ids';
import { DEVICE_LIMITS, DeviceLimits } from '../../sync-server/src/scans/device-limits.ts';

const A = deviceId('dev-a');
const B = deviceId('dev-b');

function limits(rules = { scanBurst: 10, scansPerMinute: 60, uploadBurst: 2, uploadsPerMinute: 6 }) {
  const clock = { now: 1_000_000 };
  return { clock, l: new DeviceLimits(rules, () => clock.now) };
}

describe('DeviceLimits', () => {
  it('passes what a busy lane sends for a whole day with the defaults: a 2-hour backlog at once, then one scan every 2 s', () => {
    const clock = { now: 0 };
    const l = new DeviceLimits(DEVICE_LIMITS, () => clock.now);
    for (let i = 0; i < 8; i++) expect(l.take(A, { scans: 500, uploads: 1 })).toEqual({ ok: true });
    for (let s = 0; s < 10 * 3600; s += 2) {
      clock.now = s * 1000;
      expect(l.take(A, { scans: 1, uploads: 1 }).ok).toBe(true);
    }
  });

  it('refuses beyond the burst with the wait until it refills, counting nothing of the refused message', () => {
    const { clock, l } = limits();
    expect(l.take(A, { scans: 8, uploads: 1 }).ok).toBe(true);
    const refused = l.take(A, { scans: 5, uploads: 1 });
    expect(refused).toEqual({ ok: false, over: 'scans', retryAfterMs: 3000, firstRefusal: true });
    expect(l.take(B, { scans: 5, uploads: 1 }).ok).toBe(true); // per device
    clock.now += 3000;
    expect(l.take(A, { scans: 5, uploads: 1 }).ok).toBe(true);
  });

  it('limits upload messages apart from scans', () => {
    const { l } = limits();
    expect(l.take(A, { scans: 1, uploads: 1 }).ok).toBe(true);
    expect(l.take(A, { scans: 1, uploads: 1 }).ok).toBe(true);
    expect(l.take(A, { scans: 1, uploads: 1 })).toMatchObject({ ok: false, over: 'uploads', retryAfterMs: 10_000 });
    expect(l.take(A, { scans: 1, uploads: 0 }).ok).toBe(true); // an online scan is no upload
  });

  it('lets a message larger than the whole bucket through once it is full, so no batch waits for ever', () => {
    const { clock, l } = limits();
    expect(l.take(A, { scans: 1, uploads: 0 }).ok).toBe(true);
    expect(l.take(A, { scans: 50, uploads: 0 })).toMatchObject({ ok: false, retryAfterMs: 1000 });
    clock.now += 1000;
    expect(l.take(A, { scans: 50, uploads: 0 }).ok).toBe(true);
    // In debt now: the next scan waits for the bucket to climb back.
    expect(l.take(A, { scans: 1, uploads: 0 })).toMatchObject({ ok: false, retryAfterMs: 41_000 });
  });

  it('reports the first refusal of an episode only, and again after the device was within its limits', () => {
    const { clock, l } = limits();
    l.take(A, { scans: 10, uploads: 0 });
    expect(l.take(A, { scans: 1, uploads: 0 })).toMatchObject({ ok: false, firstRefusal: true });
    expect(l.take(A, { scans: 1, uploads: 0 })).toMatchObject({ ok: false, firstRefusal: false });
    clock.now += 1000;
    expect(l.take(A, { scans: 1, uploads: 0 }).ok).toBe(true);
    expect(l.take(A, { scans: 1, uploads: 0 })).toMatchObject({ ok: false, firstRefusal: true });
  });
});
