// Keyboard-wedge scanners (USB or Bluetooth barcode readers) type the code as keystrokes
// and press Enter, a few ms apart; people type 100+ ms apart. A burst of characters ending
// in Enter, typed on average faster than a person can, is a scan wherever the focus is.
// The average, not every gap: a Bluetooth reader on a busy phone stalls now and then, and
// one late keystroke must not lose the scan.
export interface WedgeOptions {
  /** Largest average gap between keystrokes of one scan. */
  maxAverageGapMs: number;
  /** A pause this long starts a new burst (what came before was something else). */
  burstGapMs: number;
  /** Shortest text taken as a scan (stray fast double-taps are not). */
  minLength: number;
}

export const DEFAULT_WEDGE: WedgeOptions = { maxAverageGapMs: 40, burstGapMs: 400, minLength: 4 };

export class WedgeDetector {
  readonly #opts: WedgeOptions;
  #buf = '';
  #first = 0;
  #last = -Infinity;

  constructor(opts: WedgeOptions = DEFAULT_WEDGE) {
    this.#opts = opts;
  }

  /** Feed one keydown (`KeyboardEvent.key`, `event.timeStamp`); returns the scanned text on its Enter. */
  key(key: string, at: number): string | null {
    const paused = at - this.#last > this.#opts.burstGapMs;
    if (key === 'Enter') {
      const text = this.#buf;
      const keys = text.length + 1; // the Enter is part of the burst
      const average = (at - this.#first) / Math.max(1, keys - 1);
      this.#buf = '';
      this.#last = -Infinity;
      return !paused && text.length >= this.#opts.minLength && average <= this.#opts.maxAverageGapMs ? text : null;
    }
    if (key.length !== 1) return null; // Shift, Control and friends
    if (paused) {
      this.#buf = '';
      this.#first = at;
    }
    this.#buf += key;
    this.#last = at;
    return null;
  }
}
