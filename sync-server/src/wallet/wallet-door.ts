// The public wallet routes (/api/wallet and below) answer anyone who asks, so what one
// address can make them do is bounded before any handler runs:
// - every request takes a token from the address's bucket (a burst, then a steady rate):
//   a flood costs a map lookup per request, then 429 with Retry-After;
// - a link that opens nothing (a guessed or stale token) is counted before the lookup and
//   given back when it opens (as logins are: auth/rate-limit.ts). A few free, then a wait
//   that doubles: 256-bit tokens cannot be guessed, and this keeps a guesser from even
//   costing the database a lookup per try.
// Per-number and per-order limits on what is sent live with the sending (sms/sms-codes.ts,
// email-verification.ts). In memory: a restart forgets, which is fine for limits of minutes.
import { GkError } from '@gatekeeper/shared/protocol/index';
import { Throttle, type ThrottleRule } from '../auth/rate-limit.ts';
import { Bucket } from '../scans/token-bucket.ts';

export interface WalletDoorRules {
  /** Requests one address may make at once, then `perMinute`. */
  burst: number;
  perMinute: number;
  /** Links that opened nothing. */
  badLinks: ThrottleRule;
}

/** A holder's wallet makes a handful of requests per visit; a venue's guests may share one NATed address. */
export const WALLET_DOOR_RULES: WalletDoorRules = {
  burst: 120, perMinute: 120,
  badLinks: { free: 20, delayMs: 2_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
};

/** Addresses kept at most: beyond, full buckets (addresses at rest) are forgotten first. */
const MAX_ADDRESSES = 100_000;

export class WalletDoor {
  readonly #buckets = new Map<string, Bucket>();
  readonly #badLinks: Throttle;
  constructor(private readonly rules: WalletDoorRules = WALLET_DOOR_RULES, private readonly now: () => number = Date.now) {
    this.#badLinks = new Throttle(rules.badLinks, now);
  }

  /** Let one request of `address` in, or throw rate_limited with when to come back. */
  admit(address: string): void {
    const now = this.now();
    let bucket = this.#buckets.get(address);
    if (!bucket) {
      if (this.#buckets.size >= MAX_ADDRESSES) this.#forgetRested(now);
      bucket = new Bucket(this.rules.burst, this.rules.perMinute / 60_000, now);
      this.#buckets.set(address, bucket);
    }
    const wait = bucket.wait(1, now);
    if (wait > 0) throw new GkError('rate_limited', `too many wallet requests: try again in ${Math.ceil(wait / 1000)} s`, { retryAfterMs: wait });
    bucket.take(1);
  }

  /** Before a token is looked up: throws rate_limited while the address must wait. */
  reserveLink(address: string): void {
    if (this.#badLinks.reserve(address)) return;
    const retryAfterMs = this.#badLinks.retryAfter(address);
    throw new GkError('rate_limited', `too many links that open nothing: try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
  }

  /** The link opened an order: its try is given back. */
  linkOpened(address: string): void { this.#badLinks.refund(address); }

  #forgetRested(now: number): void {
    for (const [address, bucket] of this.#buckets) if (bucket.wait(this.rules.burst, now) === 0) this.#buckets.delete(address);
    // Everyone is busy: drop the oldest half rather than grow without bound.
    if (this.#buckets.size >= MAX_ADDRESSES) [...this.#buckets.keys()].slice(0, MAX_ADDRESSES / 2).forEach((a) => this.#buckets.delete(a));
  }
}
