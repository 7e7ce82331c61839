// Login attempts are throttled before the password is hashed: an attempt is reserved
// (counted) when it arrives and refunded only when it succeeds. Counting after the
// ~50 ms scrypt, as this once did, let 300 parallel guesses for one account all pass the
// check before the first failure was counted: 101 of them got a verdict instead of 5.
//
// Two keys per attempt (see LoginThrottle):
// - the (account, address) pair: a guesser at one address gets a few free tries and
//   then a delay that doubles with every further failure. The account is not locked for
//   anyone else, so a flood cannot lock staff out of their own accounts;
// - the address alone, looser: one address trying many accounts.
// In memory: a restart forgets, which is fine for limits measured in minutes.

export interface ThrottleRule {
  /** Attempts allowed without any wait. */
  free: number;
  /** Wait before the first attempt beyond `free`; it doubles with every further one. */
  delayMs: number;
  /** The longest wait. */
  maxDelayMs: number;
  /** Failures are forgotten this long after the last one. */
  forgetAfterMs: number;
}

interface Entry { count: number; lastAt: number }

export class Throttle {
  private readonly entries = new Map<string, Entry>();
  constructor(readonly rule: ThrottleRule, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const e = this.current(key);
    if (!e || e.count < this.rule.free) return 0;
    return Math.max(0, e.lastAt + this.delay(e.count) - this.now());
  }

  /** Count an attempt now; false (and nothing counted) when `key` must wait. */
  reserve(key: string): boolean {
    if (this.retryAfter(key) > 0) return false;
    const e = this.current(key) ?? { count: 0, lastAt: 0 };
    e.count += 1;
    e.lastAt = this.now();
    this.entries.set(key, e);
    if (this.entries.size > 100_000) this.sweep();
    return true;
  }

  /** Give back one reserved attempt (it succeeded, or it was never tried). */
  refund(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (e.count <= 1) this.entries.delete(key); else e.count -= 1;
  }

  reset(key: string): void { this.entries.delete(key); }

  /** Forget every key `match` accepts (an admin unlocking an account). Returns how many. */
  resetWhere(match: (key: string) => boolean): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) if (match(key) && this.current(key)) { this.entries.delete(key); n++; }
    return n;
  }

  private delay(count: number): number {
    // count ≥ free here: the first attempt past the free ones waits delayMs.
    return Math.min(this.rule.maxDelayMs, this.rule.delayMs * 2 ** Math.min(30, count - this.rule.free));
  }

  private current(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.lastAt > this.rule.forgetAfterMs) { this.entries.delete(key); return undefined; }
    return e;
  }

  private sweep(): void {
    for (const key of [...this.entries.keys()]) this.current(key);
  }
}

export interface LoginRules { perPair: ThrottleRule; perAddress: ThrottleRule }

/**
 * The server's rules. Pair: 5 free, then 30 s, 1 min, 2 min … up to 15 min; a member of
 * staff who mistypes five times waits half a minute, a guesser gets ~10 tries an hour.
 * Address: 30 free (a venue's staff may share one NATed address; successful logins are
 * refunded, so only failures use it up), then 5 s doubling to 15 min.
 */
export const LOGIN_RULES: LoginRules = {
  perPair: { free: 5, delayMs: 30_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 },
  perAddress: { free: 30, delayMs: 5_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 },
};

/** Both throttles of the login route, keyed so an admin can unlock one account. */
export class LoginThrottle {
  readonly perPair: Throttle;
  readonly perAddress: Throttle;
  constructor(rules: LoginRules = LOGIN_RULES, now: () => number = Date.now) {
    this.perPair = new Throttle(rules.perPair, now);
    this.perAddress = new Throttle(rules.perAddress, now);
  }

  /**
   * Reserve an attempt of `account` from `address`: 0 when it may go ahead (and is now
   * counted), else the milliseconds to wait (and nothing is counted).
   */
  reserve(account: string, address: string): number {
    const pair = pairKey(account, address);
    const wait = Math.max(this.perPair.retryAfter(pair), this.perAddress.retryAfter(address));
    if (wait > 0) return wait;
    this.perPair.reserve(pair);
    this.perAddress.reserve(address);
    return 0;
  }

  /** The attempt succeeded: the pair starts afresh and the address gets its try back. */
  succeeded(account: string, address: string): void {
    this.perPair.reset(pairKey(account, address));
    this.perAddress.refund(address);
  }

  /** The attempt was never judged (the server was too busy to hash): give it back. */
  notTried(account: string, address: string): void {
    this.perPair.refund(pairKey(account, address));
    this.perAddress.refund(address);
  }

  /** An admin lifts every delay on `account`, from every address. Returns how many were lifted. */
  unlock(account: string): number {
    const prefix = JSON.stringify([account.toLowerCase()]).slice(0, -1) + ',';
    return this.perPair.resetWhere((k) => k.startsWith(prefix));
  }
}

// JSON, so no username can be made to look like another's pair (or prefix of one).
const pairKey = (account: string, address: string) => JSON.stringify([account.toLowerCase(), address]);
