// Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014). Scans are
// ordered by these stamps on every node, so the order must survive what phones do to
// their clocks: jump back after an NTP fix, drift, or be set a year wrong by hand.
//
// A stamp is `<15-digit physical ms>:<4-hex counter>`, e.g. `001718000000000:002a`.
// Fixed width makes string order the same as time order, so stamps sort as plain strings
// (in SQLite indexes, in IndexedDB keys, in `compareScans`) without being parsed.
//
// Feed the clock a corrected time source (device time plus the offset measured by
// clock.ts), not raw `Date.now()`: the future-stamp guard below compares remote stamps
// with local time, and a phone whose own clock is a day behind would refuse everyone.

/** The format `zScan.hlc` requires; keep the two in step. */
export const HLC_PATTERN = /^\d{15}:[0-9a-f]{4}$/;

const MAX_PHYSICAL = 999_999_999_999_999; // 15 digits: the year 33658
const MAX_COUNTER = 0xffff;

/** Remote stamps further ahead of local time than this are ignored (one day). */
export const DEFAULT_MAX_AHEAD_MS = 24 * 60 * 60 * 1000;

export interface HlcParts {
  /** Milliseconds since the epoch (the largest physical time this node has seen). */
  physical: number;
  /** Events within the same physical millisecond, 0..0xffff. */
  counter: number;
}

export class HlcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HlcError';
  }
}

export function formatHlc({ physical, counter }: HlcParts): string {
  if (!Number.isSafeInteger(physical) || physical < 0 || physical > MAX_PHYSICAL) {
    throw new HlcError(`physical time out of range: ${physical}`);
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) {
    throw new HlcError(`counter out of range: ${counter}`);
  }
  return `${String(physical).padStart(15, '0')}:${counter.toString(16).padStart(4, '0')}`;
}

/** Split a stamp into its parts; throws HlcError for anything that is not a stamp. */
export function parseHlc(stamp: string): HlcParts {
  if (typeof stamp !== 'string' || !HLC_PATTERN.test(stamp)) {
    throw new HlcError(`not a clock stamp: ${JSON.stringify(stamp)?.slice(0, 40)}`);
  }
  return { physical: Number(stamp.slice(0, 15)), counter: parseInt(stamp.slice(16), 16) };
}

export const isHlc = (value: unknown): value is string => typeof value === 'string' && HLC_PATTERN.test(value);

/** -1, 0 or 1. Plain string order is time order: that is what the fixed width is for. */
export const compareHlc = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What became of a remote stamp handed to `receive`. */
export type HlcReceipt =
  | { merged: true }
  /** Ignored: the stamp was `aheadMs` past local time (a phone set to next year). */
  | { merged: false; reason: 'too_far_ahead'; aheadMs: number }
  /** Ignored: not a stamp at all. */
  | { merged: false; reason: 'malformed' };

export interface HlcOptions {
  /** Remote stamps further ahead of local time than this are ignored. */
  maxAheadMs?: number;
  /**
   * The last stamp this node issued before it restarted (from its stored scans), trusted
   * without the future guard so that a reload after the clock jumped back stays monotonic.
   */
  last?: string;
}

export class Hlc {
  readonly #now: () => number;
  readonly #maxAheadMs: number;
  #physical = 0;
  #counter = 0;

  constructor(now: () => number, options: HlcOptions = {}) {
    this.#now = now;
    this.#maxAheadMs = options.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
    if (options.last !== undefined) {
      const p = parseHlc(options.last);
      this.#physical = p.physical;
      this.#counter = p.counter;
    }
  }

  /** The latest stamp issued or merged, without advancing (to persist it). */
  get last(): string {
    return formatHlc({ physical: this.#physical, counter: this.#counter });
  }

  /** A stamp for a local event (a scan): greater than every stamp issued or merged before. */
  tick(): string {
    const pt = this.#wall();
    if (pt > this.#physical) {
      this.#physical = pt;
      this.#counter = 0;
    } else {
      this.#bump(this.#counter + 1);
    }
    return this.last;
  }

  /**
   * Merge a stamp heard from another node (a gossiped scan, a pong), so the next local
   * stamp sorts after it. Never throws: stamps arrive from the network.
   */
  receive(remote: string): HlcReceipt {
    if (!isHlc(remote)) return { merged: false, reason: 'malformed' };
    const m = parseHlc(remote);
    const pt = this.#wall();
    // One phone set a year ahead would otherwise drag every node's clock a year ahead, and
    // every later scan anywhere would sort by counter alone until real time caught up.
    if (m.physical - pt > this.#maxAheadMs) {
      return { merged: false, reason: 'too_far_ahead', aheadMs: m.physical - pt };
    }
    const l = Math.max(this.#physical, m.physical, pt);
    if (l === this.#physical && l === m.physical) this.#bump(Math.max(this.#counter, m.counter) + 1);
    else if (l === this.#physical) this.#bump(this.#counter + 1);
    else if (l === m.physical) { this.#physical = l; this.#bump(m.counter + 1); }
    else { this.#physical = l; this.#counter = 0; }
    return { merged: true };
  }

  /** Local physical time as a whole non-negative millisecond. */
  #wall(): number {
    const t = Math.floor(this.#now());
    return Number.isFinite(t) && t > 0 ? t : 0;
  }

  /**
   * Set the counter within the current physical millisecond; past 0xffff, borrow the next
   * millisecond instead of waiting for it (a pure clock cannot sleep). The stamp runs at
   * most a few ms ahead of real time, and only under 65,536 events in one millisecond.
   */
  #bump(counter: number): void {
    if (counter > MAX_COUNTER) {
      this.#physical += 1;
      this.#counter = 0;
    } else {
      this.#counter = counter;
    }
  }
}
