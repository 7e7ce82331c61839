// Everything the server writes to one socket goes through here, so it knows how much the
// socket has not yet taken (ws bufferedAmount: bytes in this process, not yet handed to
// the kernel) and when that has drained.
//
// Two kinds of write. Paced ones (catch-up pages, gossip) are made only while the socket
// is not backed up: the feed checks `backedUp` first and waits for `drained()`. Answers to
// the socket's own requests (verdicts, acks, pongs, errors) are always written: they are
// what the phone waits for. A socket that keeps asking and never reads grows only through
// those, and is closed when it passes the hard cap.
import type { WebSocket } from 'ws';
import type { Frame } from './frames.ts';
import type { SocketLimits } from './limits.ts';

export class SocketWriter {
  #written = 0;
  #flushed = 0;
  #waiters: Array<{ upTo: number; done: (open: boolean) => void }> = [];
  #closing = false;
  /** ws calls this once a frame has been handed to the kernel (or failed). */
  readonly #onFlushed = (): void => {
    this.#flushed++;
    if (this.#waiters.length) this.#release(true);
  };

  constructor(
    readonly ws: WebSocket,
    private readonly limits: SocketLimits,
    /** Called once when an answer takes the socket past `limits.closeBytes`. */
    private readonly overCap: () => void,
  ) {
    ws.once('close', () => this.closing());
  }

  get open(): boolean { return !this.#closing && this.ws.readyState === this.ws.OPEN; }

  /** Over the threshold at which paced writes wait. */
  get backedUp(): boolean { return this.ws.bufferedAmount > this.limits.pauseWritesBytes; }

  /** A paced write (the caller checked `backedUp`). False when the socket is closing. */
  paced(frame: Frame): boolean {
    if (!this.open) return false;
    this.#send(frame);
    return true;
  }

  /** An answer: written whatever is buffered; past the hard cap the socket is closed. */
  answer(frame: Frame): boolean {
    if (!this.open) return false;
    this.#send(frame);
    if (this.ws.bufferedAmount > this.limits.closeBytes) this.overCap();
    return true;
  }

  /** Resolves true once everything written so far has gone to the kernel, false if the socket closes first. */
  drained(): Promise<boolean> {
    if (!this.open) return Promise.resolve(false);
    if (this.#flushed >= this.#written) return Promise.resolve(true);
    return new Promise((done) => this.#waiters.push({ upTo: this.#written, done }));
  }

  /** The socket is being closed: nothing more is written, and every wait ends. */
  closing(): void {
    this.#closing = true;
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.done(false);
  }

  #send(frame: Frame): void {
    this.#written++;
    this.ws.send(frame.data, { binary: frame.binary }, this.#onFlushed);
  }

  #release(open: boolean): void {
    const ready = this.#waiters.filter((w) => w.upTo <= this.#flushed);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.upTo > this.#flushed);
    for (const w of ready) w.done(open);
  }
}
