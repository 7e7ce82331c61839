// Online scans that arrive in the same event-loop turn are decided in one transaction:
// each still sees every scan before it (the storage decides them in order), but the
// fsync that FULL durability costs is paid once per batch instead of once per scan.
// This is what lets one SQLite file keep up with a stadium's peak.

export class GroupCommit<Item, Result> {
  private pending: Array<{ item: Item; resolve(r: Result): void; reject(e: unknown): void }> = [];
  private scheduled = false;

  constructor(private readonly flushBatch: (items: Item[]) => Promise<Result[]>, private readonly maxBatch = 500) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.flushBatch(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
  }
}
