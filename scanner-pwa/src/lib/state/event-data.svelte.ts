// The chosen event as this phone holds it: the manifest (header + in-memory index) and every
// scan it knows (own and gossiped). Loaded from IndexedDB first, so the app scans offline
// from the first frame; then brought up to date from the server (`?since=version`).
import type { Checkpoint, Scan } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { ManifestIndex } from '../manifest/manifest-index.ts';
import type { ManifestRepo } from '../manifest/manifest-repo.ts';
import type { ManifestHeader, ScanRecord, Store } from '../ports.ts';
import { ScanLog } from '../scan/scan-log.ts';
import type { BackoffOptions } from '../sync/backoff.ts';
import { UnsavedScans, type ScanBackup } from './unsaved-scans.svelte.ts';

export class EventData {
  #header = $state.raw<ManifestHeader | null>(null);
  #status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  #syncing = $state(false);
  #error = $state<string | null>(null);
  #codeWord = $state<string | null>(null);
  /** Bumped whenever the index or the log changes, for views derived from them. */
  #revision = $state(0);
  #index: ManifestIndex | null = null;
  #log = new ScanLog();
  #eventId = $state<EventId | null>(null);
  #opening: Promise<unknown> = Promise.resolve();
  readonly #repo: ManifestRepo;
  readonly #store: Store;
  /** Own scans the store refused, kept and retried (see UnsavedScans). */
  readonly unsaved: UnsavedScans;

  constructor(repo: ManifestRepo, store: Store, opts: { backoff?: BackoffOptions; backup?: ScanBackup | null } = {}) {
    this.#repo = repo;
    this.#store = store;
    this.unsaved = new UnsavedScans((records) => store.addScans(records), () => this.#onSaved?.(), opts.backoff, opts.backup ?? null);
  }

  #onSaved: (() => void) | null = null;
  /** Called after held scans finally reached storage (the sync client recounts its queue). */
  onUnsavedStored(f: () => void): void {
    this.#onSaved = f;
  }

  get status() { return this.#status; }
  get syncing() { return this.#syncing; }
  get error() { return this.#error; }
  get header() { return this.#header; }
  get eventId() { return this.#eventId; }
  get event(): GkEvent | null { return this.#header?.event ?? null; }
  get codeWord() { return this.#codeWord; }
  get revision() { return this.#revision; }
  get ticketCount(): number { return this.#header?.ticketCount ?? 0; }
  get syncedAt(): number | null { return this.#header?.syncedAt ?? null; }
  get checkpoints(): Checkpoint[] { return this.#header?.checkpoints ?? []; }
  /** Not reactive by itself: read `revision` in views that depend on it. */
  get index(): ManifestIndex | null { return this.#index; }
  get log(): ScanLog { return this.#log; }

  checkpoint(id: string): Checkpoint | null {
    return this.checkpoints.find((c) => c.id === id) ?? null;
  }
  checkpointName(id: string): string {
    return this.checkpoint(id)?.name ?? id;
  }
  staffName(id: string): string {
    return this.#header?.staff.find((s) => s.id === id)?.name ?? id;
  }
  /** null for a phone registered after the last manifest download. */
  deviceName(id: string): string | null {
    return this.#header?.devices?.find((d) => d.id === id)?.name ?? null;
  }

  /**
   * Open an event: stored manifest and scans at once, then a sync with the server. Without a
   * stored manifest the sync is awaited (and its failure is the open's failure).
   * Returns the newest stamp of this phone's own scans, to restart the clock after.
   */
  open(eventId: EventId): Promise<string | null> {
    const opening = this.#open(eventId);
    this.#opening = opening.catch(() => null);
    return opening;
  }

  /** Sign-out: drop the event from memory too (the store forgets it, Store.forgetEvents). */
  forget(): void {
    this.#eventId = null;
    this.#index = null;
    this.#header = null;
    this.#codeWord = null;
    this.#log = new ScanLog();
    this.#status = 'idle';
    this.#revision++;
  }

  /** Resolves once the event being opened is loaded (or failed to): scans wait for it. */
  settled(): Promise<unknown> {
    return this.#opening;
  }

  async #open(eventId: EventId): Promise<string | null> {
    if (this.#eventId !== eventId) {
      this.#eventId = eventId;
      this.#index = null;
      this.#header = null;
      this.#log = new ScanLog();
    }
    this.#status = 'loading';
    this.#error = null;
    const [stored, fromStore] = await Promise.all([this.#repo.load(eventId), this.#store.scansOf(eventId)]);
    // Held scans (storage refused them, maybe on a page before this one) are decisions
    // this phone made: the next decision must see them as much as the stored ones.
    const scans = [...fromStore, ...this.unsaved.all(eventId)];
    this.#log.add(scans.map(stripLocal));
    let lastOwn: string | null = null;
    for (const s of scans) if (s.own && (!lastOwn || s.hlc > lastOwn)) lastOwn = s.hlc;
    if (stored) {
      this.#setManifest(stored.header, stored.index);
      this.#status = 'ready';
      void this.sync();
    } else {
      await this.sync();
    }
    return lastOwn;
  }

  /** Fetch what changed on the server; offline, keep what we have. */
  async sync(): Promise<boolean> {
    const eventId = this.#eventId;
    if (!eventId || this.#syncing) return false;
    this.#syncing = true;
    try {
      const current = this.#index && this.#header ? { header: this.#header, index: this.#index } : null;
      const r = await this.#repo.sync(eventId, current);
      if (this.#eventId !== eventId) return false;
      this.#setManifest(r.header, r.index);
      this.#status = 'ready';
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
      if (!this.#index) this.#status = 'error';
      return false;
    } finally {
      this.#syncing = false;
    }
  }

  /**
   * Scans heard or made: into the log at once (the next decision sees them), then stored.
   * Records marked uploaded come from the server, whose copy wins over ours.
   * When the store refuses the write, this phone's own scans are held in `unsaved` (and
   * retried): the verdict stands and the scan will be uploaded. Other gates' scans stay in
   * the log for this page's decisions and come again with the next catch-up. Never rejects.
   */
  async addScans(records: ScanRecord[]): Promise<Scan[]> {
    const fromServer = records.filter((r) => r.uploaded === 1);
    const ours = records.filter((r) => r.uploaded !== 1);
    const fresh = [...this.#log.add(ours.map(stripLocal)), ...this.#log.add(fromServer.map(stripLocal), true)];
    if (fresh.length) this.#revision++;
    try {
      await this.#store.addScans(records);
    } catch (e) {
      const own = records.filter((r) => r.own === 1);
      console.warn(`storage refused ${records.length} scans (${own.length} of this phone's, held and retried)`, e);
      if (own.length) this.unsaved.hold(own, e);
    }
    return fresh;
  }

  setCodeWord(word: string | null): void {
    this.#codeWord = word;
  }

  #setManifest(header: ManifestHeader, index: ManifestIndex): void {
    this.#header = header;
    this.#index = index;
    this.#codeWord = header.codeWord;
    this.#revision++;
  }
}

/** The shared record without the phone's bookkeeping fields. */
export function stripLocal(r: ScanRecord): Scan {
  const { uploaded: _u, own: _o, ...scan } = r;
  return scan;
}
