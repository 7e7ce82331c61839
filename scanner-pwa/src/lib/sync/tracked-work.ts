// Work the sync client starts from a socket callback that nobody awaits (the hello that
// waits for the event's scans to load, the clock offset's write). A failure is logged,
// never an unhandled rejection. settled() lets a caller wait for all of it, e.g. before
// closing the database. (Scan writes are LocalScans', in its own queue.)
export class TrackedWork {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly log: (what: string, e: unknown) => void = (what, e) => console.warn(`sync: ${what} failed`, e)) {}

  add(work: Promise<unknown>, what: string): void {
    const tracked: Promise<void> = work.then(() => undefined, (e: unknown) => this.log(what, e))
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Resolves once everything added so far, and whatever that added meanwhile, is done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
