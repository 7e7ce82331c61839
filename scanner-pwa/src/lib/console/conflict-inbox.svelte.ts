// The Conflicts section's state: the event's double admissions (newest first, each with
// both scans and its latest review), the quarantined scans with their reason, and the
// devices that went over their limits. The lists come from the server once (GET …/conflicts,
// …/quarantine); after that the console's socket keeps them current (live-channel.ts): a new
// conflict, a review made elsewhere, a batch's quarantined scans, a device alert.
import type { ConflictEntry, QuarantineReply } from '@gatekeeper/shared/api/live';
import type { Conflict } from '@gatekeeper/shared/domain';
import type { EventId, ScanId } from '@gatekeeper/shared/ids';
import type { DeviceAlert, DownOf, LiveDelta } from '@gatekeeper/shared/protocol/index';
import type { Api } from '../ports.ts';
import type { ChannelRefusal, ChannelState, LiveListener } from './live-channel.ts';

export type InboxApi = Pick<Api, 'conflicts' | 'quarantine' | 'reviewConflict'>;
export type InboxStatus = 'loading' | 'ready' | 'error';
export type QuarantinedScan = QuarantineReply['scans'][number];

/** A review being written: what was typed stays if the server refuses it. */
export interface ReviewState { saving: boolean; error: unknown }

export class ConflictInbox implements LiveListener {
  #status = $state<InboxStatus>('loading');
  #error = $state.raw<unknown>(null);
  #conflicts = $state.raw<ConflictEntry[]>([]);
  #quarantined = $state.raw<QuarantinedScan[]>([]);
  #alerts = $state.raw<DeviceAlert[]>([]);
  #reviews = $state.raw<ReadonlyMap<string, ReviewState>>(new Map());
  #link = $state<ChannelState>('connecting');
  #refusal = $state.raw<ChannelRefusal | null>(null);
  /** A conflict list is being fetched; `#stale`: another conflict came meanwhile, fetch once more after. */
  #fetching: Promise<void> | null = null;
  #stale = false;
  readonly #api: InboxApi;
  readonly #eventId: EventId;

  constructor(api: InboxApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get status() { return this.#status; }
  get error() { return this.#error; }
  get conflicts() { return this.#conflicts; }
  get quarantined() { return this.#quarantined; }
  get alerts() { return this.#alerts; }
  get link() { return this.#link; }
  get refusal() { return this.#refusal; }
  get unreviewed(): number { return this.#conflicts.filter((c) => c.review === null).length; }
  reviewState(id: string): ReviewState | null { return this.#reviews.get(id) ?? null; }

  async load(): Promise<void> {
    this.#status = 'loading';
    this.#error = null;
    try {
      const [conflicts, quarantine] = await Promise.all([this.#api.conflicts(this.#eventId), this.#api.quarantine(this.#eventId)]);
      this.#conflicts = conflicts.conflicts;
      // Pushed while the lists loaded: kept, without doubles.
      this.#quarantined = mergeBy([...this.#quarantined, ...quarantine.scans], (q) => q.seq, (a, b) => b.seq - a.seq);
      this.#alerts = mergeBy([...this.#alerts, ...quarantine.alerts], (a) => a.id, (a, b) => b.at - a.at || b.id - a.id);
      this.#status = 'ready';
    } catch (e) {
      this.#error = e;
      this.#status = 'error';
    }
  }

  /** Mark a conflict reviewed with a note; the server records who and when. */
  async review(id: ScanId, note: string): Promise<boolean> {
    this.#setReview(id, { saving: true, error: null });
    try {
      const entry = await this.#api.reviewConflict(this.#eventId, id, note.trim());
      this.#replace(entry.id, () => entry);
      this.#setReview(id, null);
      return true;
    } catch (e) {
      this.#setReview(id, { saving: false, error: e });
      return false;
    }
  }

  // ── pushed on the console's socket ────────────────────────────────────────────────────

  state(state: ChannelState, refusal: ChannelRefusal | null): void {
    this.#link = state;
    this.#refusal = refusal;
  }

  /**
   * A conflict found now. The socket's message lacks what the inbox shows (when it was
   * recorded, the holder, a review): the list is fetched again, once for a burst of them.
   */
  conflict(c: Conflict): void {
    if (c.eventId !== this.#eventId) return;
    void this.#refetch();
  }

  reviewed(msg: DownOf<'conflictReviewed'>): void {
    if (msg.eventId !== this.#eventId) return;
    this.#replace(msg.conflictId, (c) => ({ ...c, review: msg.review }));
  }

  alert(alert: DeviceAlert): void {
    if (alert.eventId !== this.#eventId) return;
    this.#alerts = mergeBy([alert, ...this.#alerts], (a) => a.id, (a, b) => b.at - a.at || b.id - a.id);
  }

  delta(delta: LiveDelta): void {
    if (delta.eventId !== this.#eventId || delta.quarantine.length === 0) return;
    this.#quarantined = mergeBy([...delta.quarantine, ...this.#quarantined], (q) => q.seq, (a, b) => b.seq - a.seq);
  }

  #refetch(): Promise<void> {
    if (this.#fetching) { this.#stale = true; return this.#fetching; }
    this.#fetching = (async () => {
      do {
        this.#stale = false;
        try {
          this.#conflicts = (await this.#api.conflicts(this.#eventId)).conflicts;
          if (this.#status === 'error') await this.load();
        } catch (e) {
          console.warn('conflicts: the list could not be fetched again', e);
        }
      } while (this.#stale);
      this.#fetching = null;
    })();
    return this.#fetching;
  }

  #replace(id: string, change: (c: ConflictEntry) => ConflictEntry): void {
    this.#conflicts = this.#conflicts.map((c) => (c.id === id ? change(c) : c));
  }

  #setReview(id: string, state: ReviewState | null): void {
    const next = new Map(this.#reviews);
    if (state) next.set(id, state); else next.delete(id);
    this.#reviews = next;
  }
}

/** One of each key (the first seen wins), in the given order. */
function mergeBy<T>(items: T[], key: (t: T) => number | string, order: (a: T, b: T) => number): T[] {
  const seen = new Set<number | string>();
  return items.filter((t) => { const k = key(t); if (seen.has(k)) return false; seen.add(k); return true; }).sort(order);
}
