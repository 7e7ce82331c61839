// A socket's messages, handled one at a time and in order (so a scan's verdict and the
// gossip of it cannot overtake each other), in a queue with a bound. It used to be a
// promise chain (`busy = busy.then(...)`) that grew with every message a client sent
// faster than the server could handle them.
import type { RawData } from 'ws';

export interface Queued { data: RawData; isBinary: boolean; bytes: number }

const sizeOf = (data: RawData): number =>
  Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;

export class InputQueue {
  readonly #items: Queued[] = [];
  #bytes = 0;
  #running = false;
  #stopped = false;

  constructor(
    private readonly limits: { queuedMessages: number; queuedBytes: number },
    private readonly handle: (item: Queued) => Promise<void>,
    private readonly failed: (e: unknown) => void,
  ) {}

  /** Messages waiting, the one being handled not counted. */
  get length(): number { return this.#items.length; }

  /** False when the message would take the queue past its limits (it is not queued). */
  push(data: RawData, isBinary: boolean): boolean {
    if (this.#stopped) return true;
    const bytes = sizeOf(data);
    if (this.#items.length >= this.limits.queuedMessages || this.#bytes + bytes > this.limits.queuedBytes) return false;
    this.#items.push({ data, isBinary, bytes });
    this.#bytes += bytes;
    if (!this.#running) void this.#run();
    return true;
  }

  /** Drop what is queued and take nothing more (the socket is closing). */
  stop(): void {
    this.#stopped = true;
    this.#items.length = 0;
    this.#bytes = 0;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      for (let item = this.#items.shift(); item && !this.#stopped; item = this.#items.shift()) {
        this.#bytes -= item.bytes;
        try { await this.handle(item); } catch (e) { this.failed(e); }
      }
    } finally {
      this.#running = false;
    }
  }
}
