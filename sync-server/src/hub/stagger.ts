// One gossip message's writes, spread over the time until the next message may go.
//
// Under load the gossip buffer sends one message every `maxWaitMs` (gossip.ts). Written
// to every socket at once, such a message stops this event loop for one write syscall per
// socket (200 sockets: ~2.5 ms here), and every verdict that arrives meanwhile waits that
// long; and all the scanners receive it in the same instant. Written to one slice of the
// sockets at a time, evenly over the wait, each pause is a slice's worth and the writes
// interleave with the verdicts. Gossip order per socket is kept: whatever is still
// queued of one message is written before anything of the next.
export class Stagger {
  private queue: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Run `parts` in order: the first now, the rest evenly over `spreadMs` (0: all now). */
  run(parts: Array<() => void>, spreadMs: number): void {
    this.finish();
    if (spreadMs <= 0 || parts.length < 2) {
      for (const part of parts) part();
      return;
    }
    const step = spreadMs / parts.length;
    parts[0]!();
    this.queue = parts.slice(1);
    const next = () => {
      this.timer = null;
      this.queue.shift()?.();
      if (this.queue.length) this.timer = setTimeout(next, step);
    };
    this.timer = setTimeout(next, step);
  }

  /** Write everything still queued, now. */
  finish(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const part of this.queue.splice(0)) part();
  }
}
