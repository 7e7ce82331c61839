// A limit on the annulments a supervisor makes over HTTP without a device (from a laptop in
// the control room). A phone's annulments count against its device's limits
// (device-limits.ts); without this, one supervisor login, stolen or driven by a runaway
// script, could write annulment scans into the log, and gossip them to every phone of the
// event, as fast as the server takes requests.
//
// What a real control room needs: undo corrects a mistake (a holder let in at the wrong
// gate, a ticket scanned for the person behind), one at a time, by hand: a few a minute on
// a bad night. The most it ever does at once is undo a lane's run of wrong admissions (a
// phone left on the wrong checkpoint for ten minutes at a busy lane: ~300 scans), by a
// script over the history. So the limit is a burst of 500 refilled at 60 a minute (one a
// second, more than any person clicks), per login rather than per session, so that
// signing in again is no way around it. Beyond it the answer is `rate_limited` (429 with
// Retry-After) and nothing is stored. In memory: a restart forgets, which only lets more through.
import { Bucket } from './token-bucket.ts';

export interface StaffLimitRules {
  annulBurst: number;
  annulsPerMinute: number;
}

export const STAFF_LIMITS: StaffLimitRules = { annulBurst: 500, annulsPerMinute: 60 };

export type StaffLimitAnswer =
  | { ok: true }
  /** `firstRefusal`: the login was within its limit until now (logged once per episode). */
  | { ok: false; retryAfterMs: number; firstRefusal: boolean };

export class StaffLimits {
  private readonly staff = new Map<string, { annuls: Bucket; limited: boolean }>();

  constructor(private readonly rules: StaffLimitRules = STAFF_LIMITS, private readonly now: () => number = Date.now) {}

  /** Count one annulment against the login's limit, or say how long to wait (nothing counted). */
  takeAnnul(staffId: string): StaffLimitAnswer {
    const now = this.now();
    let s = this.staff.get(staffId);
    if (!s) {
      s = { annuls: new Bucket(this.rules.annulBurst, this.rules.annulsPerMinute / 60_000, now), limited: false };
      this.staff.set(staffId, s);
    }
    const wait = s.annuls.wait(1, now);
    if (wait > 0) {
      const firstRefusal = !s.limited;
      s.limited = true;
      return { ok: false, retryAfterMs: wait, firstRefusal };
    }
    s.annuls.take(1);
    s.limited = false;
    return { ok: true };
  }
}
