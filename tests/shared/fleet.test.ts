// When the supervisors' fleet flags a phone (shared/src/fleet.ts): silent when offline and
// unheard past the threshold, clock off beyond one rotation step; a revoked phone never.
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_SECONDS, exceedsHalfStep, exceedsStep } from '@gatekeeper/shared/clock';
import { DEFAULT_SILENT_AFTER_MS, fleetFlags, type FleetFlagInput } from '@gatekeeper/shared/fleet';

const NOW = 1_718_000_000_000;
const LIMIT = DEFAULT_SILENT_AFTER_MS;
const phone = (over: Partial<FleetFlagInput> = {}): FleetFlagInput => ({ online: false, lastSeenAt: NOW, clockOffsetMs: 0, revokedAt: null, ...over });

describe('fleet flags', () => {
  it('silent: offline and unheard for longer than the threshold, not at it', () => {
    expect(fleetFlags(phone({ lastSeenAt: NOW - LIMIT }), NOW, LIMIT).silent).toBe(false);
    expect(fleetFlags(phone({ lastSeenAt: NOW - LIMIT - 1 }), NOW, LIMIT).silent).toBe(true);
  });

  it('a phone never heard is silent; one online is not, however long ago it was last written down', () => {
    expect(fleetFlags(phone({ lastSeenAt: null }), NOW, LIMIT).silent).toBe(true);
    expect(fleetFlags(phone({ online: true, lastSeenAt: NOW - 10 * LIMIT }), NOW, LIMIT).silent).toBe(false);
  });

  it('the threshold is the caller\u2019s', () => {
    expect(fleetFlags(phone({ lastSeenAt: NOW - 61_000 }), NOW, 60_000).silent).toBe(true);
  });

  it('clock off: beyond one whole rotation step either way, not at it, not before any report', () => {
    const step = DEFAULT_STEP_SECONDS * 1000;
    expect(fleetFlags(phone({ clockOffsetMs: step }), NOW, LIMIT).clockOff).toBe(false);
    expect(fleetFlags(phone({ clockOffsetMs: step + 1 }), NOW, LIMIT).clockOff).toBe(true);
    expect(fleetFlags(phone({ clockOffsetMs: -step - 1 }), NOW, LIMIT).clockOff).toBe(true);
    expect(fleetFlags(phone({ clockOffsetMs: null }), NOW, LIMIT).clockOff).toBe(false);
  });

  it('the phone warns its inspector at half a step; the fleet flags a whole step', () => {
    const offset = (DEFAULT_STEP_SECONDS * 1000 * 3) / 4;
    expect(exceedsHalfStep(offset)).toBe(true);
    expect(exceedsStep(offset)).toBe(false);
  });

  it('a revoked phone is expected to be silent, and is flagged for nothing', () => {
    expect(fleetFlags(phone({ lastSeenAt: null, clockOffsetMs: 600_000, revokedAt: NOW - 1 }), NOW, LIMIT)).toEqual({ silent: false, clockOff: false });
  });
});
