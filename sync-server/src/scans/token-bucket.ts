// A token bucket: `capacity` at once, refilled at `perMs`. The limits on devices
// (device-limits.ts) and on supervisors' annulments (staff-limits.ts) are built of it.
export class Bucket {
  private tokens: number;
  private at: number;
  constructor(private readonly capacity: number, private readonly perMs: number, now: number) {
    this.tokens = capacity;
    this.at = now;
  }
  private refill(now: number): void {
    // A clock stepped back (NTP, a test's clock) refills nothing, and must not drain the bucket either.
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.at) * this.perMs);
    this.at = now;
  }
  /**
   * Ms until `n` may be taken, 0 now. A message larger than the whole bucket goes through
   * once the bucket is full and leaves it in debt, so a batch is never refused for ever.
   */
  wait(n: number, now: number): number {
    this.refill(now);
    const need = Math.min(n, this.capacity);
    return this.tokens >= need ? 0 : Math.ceil((need - this.tokens) / this.perMs);
  }
  take(n: number): void { this.tokens -= n; }
}
