// Per-device limits on scans and on upload messages: a phone (or a stolen login) must not
// be able to fill the disk or the fsync queue, while a real gate never meets them.
//
// What a real gate needs: a busy turnstile lane admits about one person every 2–3 s
// sustained (20–30 scans a minute), a group at a lane with a hardware scanner peaks near
// 1 scan/s. A phone offline for 2 hours at that lane comes back with ~3,600 scans and
// uploads them at once (batches of 500: 8 messages in a few seconds); one offline for a
// whole 10-hour festival day, with ~18,000. When the server answers slowly, each scan falls
// back to an offline verdict and is uploaded alone: one upload message per scan, at most
// ~60 a minute.
//
// The limits (token buckets, config GK_DEVICE_*) sit well above that: a burst of 20,000
// scans (a whole day's backlog) refilled at 600 a minute (10/s: 20× a busy lane, 10× its
// peak), and a burst of 200 upload messages refilled at 240 a minute (4× one upload per
// scan at peak). Beyond them the server answers `rate_limited` with the wait, stores
// nothing of that message, and the phone keeps its scans and sends them again after it.
// In memory: a restart forgets, which only ever lets a device send more.
import type { DeviceId } from '@gatekeeper/shared/ids';
import { Bucket } from './token-bucket.ts';

export interface DeviceLimitRules {
  scanBurst: number;
  scansPerMinute: number;
  uploadBurst: number;
  uploadsPerMinute: number;
}

export const DEVICE_LIMITS: DeviceLimitRules = { scanBurst: 20_000, scansPerMinute: 600, uploadBurst: 200, uploadsPerMinute: 240 };

/** What one message costs. */
export interface Cost { scans: number; uploads: number }

export type LimitAnswer =
  | { ok: true }
  /** `firstRefusal`: the device was within its limits until now (alert once per episode). */
  | { ok: false; retryAfterMs: number; over: 'scans' | 'uploads'; firstRefusal: boolean };

export class DeviceLimits {
  private readonly devices = new Map<DeviceId, { scans: Bucket; uploads: Bucket; limited: boolean }>();

  constructor(private readonly rules: DeviceLimitRules = DEVICE_LIMITS, private readonly now: () => number = Date.now) {}

  /** Count a message against the device's limits, or say how long to wait (nothing counted). */
  take(deviceId: DeviceId, cost: Cost): LimitAnswer {
    const now = this.now();
    let d = this.devices.get(deviceId);
    if (!d) {
      d = {
        scans: new Bucket(this.rules.scanBurst, this.rules.scansPerMinute / 60_000, now),
        uploads: new Bucket(this.rules.uploadBurst, this.rules.uploadsPerMinute / 60_000, now),
        limited: false,
      };
      this.devices.set(deviceId, d);
    }
    const waitUploads = cost.uploads > 0 ? d.uploads.wait(cost.uploads, now) : 0;
    const waitScans = cost.scans > 0 ? d.scans.wait(cost.scans, now) : 0;
    if (waitUploads > 0 || waitScans > 0) {
      const firstRefusal = !d.limited;
      d.limited = true;
      return { ok: false, retryAfterMs: Math.max(waitUploads, waitScans), over: waitScans >= waitUploads ? 'scans' : 'uploads', firstRefusal };
    }
    d.uploads.take(cost.uploads);
    d.scans.take(cost.scans);
    d.limited = false;
    return { ok: true };
  }
}
