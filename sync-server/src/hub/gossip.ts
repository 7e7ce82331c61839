// Gossip is coalesced: scans stored in the same tick go out as one message per event, so
// a burst of a hundred scans costs each scanner one frame, not a hundred.
import type { EventId } from '@gatekeeper/shared/ids';
import type { StoredScan } from '../storage/types.ts';

export class GossipBuffer {
  private readonly pending = new Map<EventId, StoredScan[]>();
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;

  constructor(private readonly tickMs: number, private readonly send: (eventId: EventId, scans: StoredScan[], cursor: number) => void) {}

  add(eventId: EventId, scans: StoredScan[]): void {
    const list = this.pending.get(eventId);
    if (list) list.push(...scans); else this.pending.set(eventId, [...scans]);
    if (this.timer === null) {
      this.timer = this.tickMs > 0 ? setTimeout(() => this.flush(), this.tickMs) : setImmediate(() => this.flush());
    }
  }

  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer as ReturnType<typeof setTimeout>);
      clearImmediate(this.timer as ReturnType<typeof setImmediate>);
      this.timer = null;
    }
    for (const [eventId, scans] of this.pending) {
      scans.sort((a, b) => a.seq - b.seq);
      this.send(eventId, scans, scans[scans.length - 1]!.seq);
    }
    this.pending.clear();
  }
}
