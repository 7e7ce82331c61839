// Login attempts are limited per account and per address: a password guesser at one gate
// phone cannot lock out every inspector, and a botnet cannot hammer one account.
// In memory: a restart forgets, which is fine for a limit measured in minutes.

export interface RateLimitRule { max: number; windowMs: number }

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly rule: RateLimitRule, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const list = this.prune(key);
    if (list.length < this.rule.max) return 0;
    return list[0]! + this.rule.windowMs - this.now();
  }

  /** Count a failed attempt. */
  hit(key: string): void {
    const list = this.prune(key);
    list.push(this.now());
    this.hits.set(key, list);
    if (this.hits.size > 100_000) this.sweep();
  }

  reset(key: string): void { this.hits.delete(key); }

  private prune(key: string): number[] {
    const cutoff = this.now() - this.rule.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.hits.set(key, list); else this.hits.delete(key);
    return list;
  }

  private sweep(): void {
    for (const key of [...this.hits.keys()]) this.prune(key);
  }
}
