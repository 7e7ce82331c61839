// A visitor holding a code in front of the camera is one scan, not twenty. The same
// text is reported again only after it has been out of sight for windowMs, so the
// same ticket shown a second time (a copy at the gate) still gets its own verdict.

export class RepeatFilter {
  readonly #windowMs: number;
  readonly #lastSeen = new Map<string, number>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records a sighting at `now` (ms) and says whether it is a new scan. */
  accept(text: string, now: number): boolean {
    this.#forgetBefore(now - this.#windowMs);
    const isNew = !this.#lastSeen.has(text);
    // Every sighting extends the window: a code held for ten seconds stays one scan.
    this.#lastSeen.set(text, now);
    return isNew;
  }

  /**
   * The sighting just accepted was not taken (the app was busy deciding another code):
   * forget it, so the next sighting is a new scan rather than a repeat of one never made.
   */
  forget(text: string): void {
    this.#lastSeen.delete(text);
  }

  #forgetBefore(cutoff: number): void {
    for (const [text, seen] of this.#lastSeen) {
      if (seen < cutoff) this.#lastSeen.delete(text);
    }
  }
}
