// Gossip is coalesced: scans stored close together go out as one message per event, so
// a burst of a hundred scans costs each scanner one frame, not a hundred.
//
// How long to coalesce adapts to the load. Each message costs one write syscall per
// socket (on loopback the receiver's TCP work runs inside that syscall too), and every
// scanner has to read it. At 1,000 scans/s over 200 sockets, one message per event-loop
// turn was ~19,000 frames/s: a third of the server's CPU went on writev and the load
// generator spent 40% of a core reading them (bench/README.md, server.verdict.p99).
// Holding gossip back for a fixed time instead would add that delay at a quiet gate too,
// where a scan should reach the other gates at once (server.gossip.p99, 50 scans/s).
// So: after a message of n scans the next one waits (n - 1) × PER_EXTRA_SCAN_MS, at most
// `maxWaitMs`. A message of one scan means gossip is sparse and the next goes on the next
// loop turn; under a steady rate above 1 / PER_EXTRA_SCAN_MS (100 scans/s) the wait grows
// to `maxWaitMs` and stays there. Tens of ms of gossip delay is harmless: gossip is how the
// other gates learn of a scan for when they go offline, not anyone's verdict.
//
// Under sustained load (the wait at its cap) the hub is told that wait with each message,
// and spreads the message's writes over it (stagger.ts) instead of writing to every
// socket at once. Below the cap it writes at once: spreading would make the last socket
// hear of a scan later, and at a quiet gate that is what counts (server.gossip.p99).
import type { EventId } from '@gatekeeper/shared/ids';
import type { StoredScan } from '../storage/types.ts';

/** Wait added after a message for each scan it carried beyond the first. */
export const PER_EXTRA_SCAN_MS = 10;

export class GossipBuffer {
  /** Per event: the cursor the pending scans follow, and the scans, in order. */
  private readonly pending = new Map<EventId, { from: number; scans: StoredScan[] }>();
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;
  /** When the next flush may run (monotonic ms). */
  private notBefore = -Infinity;

  /** `maxWaitMs` 0: one message per event-loop turn whatever the load. */
  constructor(
    private readonly maxWaitMs: number,
    private readonly send: (eventId: EventId, scans: StoredScan[], from: number, cursor: number, spreadMs: number) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** The event's scans after cursor `from`, in order (event-tail.ts reads them so). */
  add(eventId: EventId, scans: StoredScan[], from: number): void {
    const held = this.pending.get(eventId);
    if (held) held.scans.push(...scans); else this.pending.set(eventId, { from, scans: [...scans] });
    if (this.timer === null) {
      // setImmediate even when due: the scans of one group commit are added one by one, in
      // microtasks, and should still leave together.
      const wait = this.notBefore - this.clock();
      this.timer = wait > 0 ? setTimeout(() => this.flush(), wait) : setImmediate(() => this.flush());
    }
  }

  /** Send everything pending now (also before a conflict that names pending scans). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer as ReturnType<typeof setTimeout>);
      clearImmediate(this.timer as ReturnType<typeof setImmediate>);
      this.timer = null;
    }
    if (this.pending.size === 0) return;
    let count = 0;
    for (const { scans } of this.pending.values()) count += scans.length;
    // Counted over all events: they share this one event loop and its sockets' syscalls.
    const wait = Math.min(this.maxWaitMs, (count - 1) * PER_EXTRA_SCAN_MS);
    for (const [eventId, { from, scans }] of this.pending) {
      this.send(eventId, scans, from, scans[scans.length - 1]!.seq, wait > 0 && wait >= this.maxWaitMs ? wait : 0);
    }
    this.pending.clear();
    this.notBefore = this.clock() + wait;
  }
}
