// The Live section's state: the event's counters as the server pushes them (a snapshot,
// then each delta folded in by the shared applyLiveDelta), and how the channel stands.
// Nothing here polls: every change arrives on the console's socket (live-channel.ts).
import { applyLiveDelta } from '@gatekeeper/shared/live-counts';
import type { LiveDelta, LiveSnapshot } from '@gatekeeper/shared/protocol/live';
import type { ChannelRefusal, ChannelState, LiveListener } from './live-channel.ts';

export class LiveBoard implements LiveListener {
  #view = $state.raw<LiveSnapshot | null>(null);
  #link = $state<ChannelState>('connecting');
  #refusal = $state.raw<ChannelRefusal | null>(null);

  /** The counters, null until the first snapshot. */
  get view() { return this.#view; }
  get link() { return this.#link; }
  get refusal() { return this.#refusal; }

  state(state: ChannelState, refusal: ChannelRefusal | null): void {
    this.#link = state;
    this.#refusal = refusal;
  }

  /** A (re)subscription's snapshot replaces whatever was folded before it. */
  snapshot(snapshot: LiveSnapshot): void {
    this.#view = snapshot;
  }

  delta(delta: LiveDelta): void {
    if (this.#view) this.#view = applyLiveDelta(this.#view, delta);
  }
}
