// The phone's scan writes, one after another in the order they were asked for. IndexedDB
// transactions that overlap may finish in any order: "mark uploaded" could land before the
// record it marks, and the record would wait to upload for ever. In a queue, each write
// starts after the one before it has finished (or failed).
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Run `write` after every write queued before it; its own result or failure. */
  run<T>(write: () => Promise<T>): Promise<T> {
    const done = this.#tail.then(write, write);
    this.#tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every write queued so far, and whatever those queued, has finished. */
  async settled(): Promise<void> {
    let tail: Promise<unknown>;
    do { tail = this.#tail; await tail; } while (tail !== this.#tail);
  }
}
