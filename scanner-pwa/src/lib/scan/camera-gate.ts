// Whether a code the camera reads is taken now. The camera counts a code it reported as
// scanned for as long as it stays in view (repeat-filter.ts), so a code dropped because
// the app could not take it was lost for good while it stayed there: issue 9, a visitor
// holding a ticket up while the previous one was still being decided (up to the 1.5 s
// online budget) was never read. Now such a code is turned away without being counted,
// and the camera reports it again when it next sees it. A code that came up while a
// verdict was being decided waits until that verdict has been seen (dismissed): the
// inspector must see every verdict, and the next visitor's code would otherwise replace
// it the moment it appeared.
export interface ShownVerdict { code: string; needsDecision: boolean }

export class CameraGate {
  /** Codes turned away while a verdict was being decided, until the next dismissal. */
  readonly #waiting = new Set<string>();

  /** True: take the code now. False: not now; the camera should report it again. */
  offer(code: string, busy: boolean, shown: ShownVerdict | null): boolean {
    if (busy) {
      this.#waiting.add(code);
      return false;
    }
    // The code on screen itself is taken (and ignored): the holder still holds it up.
    if (!shown || shown.code === code) return true;
    // A decision on screen (check ID, an order) is not swept away by the next code in view.
    return !shown.needsDecision && !this.#waiting.has(code);
  }

  /** The verdict on screen was dismissed: codes that waited for it may come. */
  dismissed(): void {
    this.#waiting.clear();
  }
}
