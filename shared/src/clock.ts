// How far a phone's clock is from the server's, measured from ping/pong round trips the
// way NTP does. Phones have wrong clocks (set by hand, never synced, off by minutes), and
// a rotating code's time step is 20 s: an offset of 10 s is the difference between a
// valid code and "expired", so the scanner measures it, stores it with every scan and
// warns the inspector.

/** One round trip: device time when the ping left and the pong came back, server time in between. */
export interface ClockSample {
  clientSent: number;
  serverTime: number;
  clientReceived: number;
}

export interface ClockEstimate {
  /** Server time minus device time, in whole ms: add it to device time to get server time. */
  offsetMs: number;
  /** The round trip of the sample the offset came from. */
  rttMs: number;
}

export const DEFAULT_SAMPLES = 8;
/** The rotating code's time step, in seconds (see the design: a new code every 20 s). */
export const DEFAULT_STEP_SECONDS = 20;

/** The offset one sample implies: the server read its clock halfway through the round trip. */
export function sampleOffset(s: ClockSample): number {
  return s.serverTime - (s.clientSent + s.clientReceived) / 2;
}

/**
 * Keeps the last few samples and trusts the one with the shortest round trip: its error
 * is at most half its round trip, and a round trip held up on a crowded venue network is
 * asymmetric and would skew the offset by up to half that delay.
 */
export class ClockOffsetEstimator {
  readonly #max: number;
  #samples: ClockSample[] = [];

  constructor(maxSamples = DEFAULT_SAMPLES) {
    if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new RangeError(`maxSamples must be a positive integer, got ${maxSamples}`);
    this.#max = maxSamples;
  }

  /**
   * Add a round trip. Returns false (and keeps nothing) for a sample that cannot be real:
   * not finite, or received before it was sent (the device clock was set back mid-ping).
   */
  add(sample: ClockSample): boolean {
    const { clientSent, serverTime, clientReceived } = sample;
    if (![clientSent, serverTime, clientReceived].every(Number.isFinite) || clientReceived < clientSent) return false;
    this.#samples.push({ clientSent, serverTime, clientReceived });
    if (this.#samples.length > this.#max) this.#samples.shift();
    return true;
  }

  get size(): number {
    return this.#samples.length;
  }

  /** The best estimate so far, or null before the first round trip. */
  estimate(): ClockEstimate | null {
    let best: ClockSample | null = null;
    for (const s of this.#samples) {
      // `<=`: on a tie the newer sample wins, since clocks drift.
      if (!best || rtt(s) <= rtt(best)) best = s;
    }
    return best ? { offsetMs: Math.round(sampleOffset(best)), rttMs: rtt(best) } : null;
  }

  /** Forget every sample, e.g. after the device reports its clock was changed. */
  reset(): void {
    this.#samples = [];
  }
}

const rtt = (s: ClockSample): number => s.clientReceived - s.clientSent;

/**
 * The scanner warns when the clock is off by more than half a code-rotation step: beyond
 * that, it would judge a holder's current code by the wrong step.
 */
export function exceedsHalfStep(offsetMs: number, stepSeconds = DEFAULT_STEP_SECONDS): boolean {
  return Math.abs(offsetMs) > (stepSeconds * 1000) / 2;
}

/**
 * Off by more than a whole code-rotation step: the supervisors' fleet flags the phone
 * (fleet.ts). The inspector is already warned at half a step; a whole step is where the
 * phone would judge every rotating code by a step that is already gone, and the phone needs
 * someone to fix its clock rather than a warning on its own screen.
 */
export function exceedsStep(offsetMs: number, stepSeconds = DEFAULT_STEP_SECONDS): boolean {
  return Math.abs(offsetMs) > stepSeconds * 1000;
}
