// Online scans are decided in batches, one transaction each: each scan still sees every
// scan before it (the storage decides them in order), but the fsync that FULL durability
// costs is paid once per batch instead of once per scan. This is what lets one SQLite file
// keep up with a stadium's peak.
//
// One batch at a time: what arrives while a batch is being stored (its commit and its
// fsync) waits and goes in the next. Committed at once instead, as this did before, each
// event-loop turn's arrivals cost a transaction of their own (the WAL pages of the scan
// table's indexes written again, the fsync thread asked again), though none of them could
// be acknowledged before the fsync after the one in flight anyway. Storage CPU per scan on
// the 2-core box: 0.65 ms one scan per commit, 0.3 ms four, 0.17 ms twenty
// (server.verdict.p99 in bench/README.md).

export class GroupCommit<Item, Result> {
  private pending: Array<{ item: Item; resolve(r: Result): void; reject(e: unknown): void }> = [];
  /** A flush is scheduled or running: it takes whatever is pending when its batch is done. */
  private active = false;

  constructor(private readonly flushBatch: (items: Item[]) => Promise<Result[]>, private readonly maxBatch = 500) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.active) {
        this.active = true;
        // The rest of this event-loop turn's scans go in the same batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const results = await this.flushBatch(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.active = false;
    }
  }
}
