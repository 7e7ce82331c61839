// Server time as this phone best knows it: device time plus the offset measured from
// ping/pong round trips (shared/clock.ts), and the hybrid logical clock that stamps every
// scan. Phones have wrong clocks; the offset is stored with each scan and shown always.
import { ClockOffsetEstimator, exceedsHalfStep, type ClockSample } from '@gatekeeper/shared/clock';
import { Hlc } from '@gatekeeper/shared/hlc';

export class ServerClock {
  #offset = $state<number | null>(null);
  #rtt = $state<number | null>(null);
  readonly #estimator = new ClockOffsetEstimator();
  readonly #deviceNow: () => number;
  #hlc: Hlc;

  constructor(storedOffset: number | null, deviceNow: () => number = Date.now) {
    this.#offset = storedOffset;
    this.#deviceNow = deviceNow;
    this.#hlc = new Hlc(this.now);
  }

  /** Milliseconds to add to device time to get server time; null before any measurement. */
  get offsetMs(): number | null {
    return this.#offset;
  }
  get rttMs(): number | null {
    return this.#rtt;
  }
  /** Off by more than half a code-rotation step: the inspector is warned. */
  get warn(): boolean {
    return this.#offset !== null && exceedsHalfStep(this.#offset);
  }

  /** Best estimate of server time now. */
  now = (): number => this.#deviceNow() + (this.#offset ?? 0);

  /** Restart the logical clock after a reload, after the last stamp this phone issued. */
  seed(lastOwnStamp: string | null): void {
    this.#hlc = new Hlc(this.now, lastOwnStamp ? { last: lastOwnStamp } : {});
  }

  /** A stamp for a scan made now. */
  stamp(): string {
    return this.#hlc.tick();
  }

  /** A stamp heard from another node (gossip): our next stamp sorts after it. */
  hear(stamp: string): void {
    this.#hlc.receive(stamp);
  }

  /** Add a ping/pong round trip; returns the new offset when it changed. */
  addSample(sample: ClockSample): number | null {
    if (!this.#estimator.add(sample)) return null;
    const est = this.#estimator.estimate();
    if (!est) return null;
    this.#rtt = est.rttMs;
    if (est.offsetMs === this.#offset) return null;
    this.#offset = est.offsetMs;
    return est.offsetMs;
  }

  /** The device clock was changed under us: measure again from scratch. */
  reset(): void {
    this.#estimator.reset();
  }
}
