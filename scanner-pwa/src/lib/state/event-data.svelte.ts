// The chosen event's manifest as this phone holds it (header + in-memory index). Loaded from
// IndexedDB first, so the app scans offline from the first frame; then brought up to date
// from the server (`?since=version`). The event's scans are LocalScans' (lib/scans/).
import type { Checkpoint } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { ManifestIndex } from '../manifest/manifest-index.ts';
import type { ManifestRepo } from '../manifest/manifest-repo.ts';
import type { ManifestHeader } from '../ports.ts';

export class EventData {
  #header = $state.raw<ManifestHeader | null>(null);
  /** A change was announced while a sync ran: sync once more when it ends. */
  #again = false;
  #status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  #syncing = $state(false);
  #error = $state<string | null>(null);
  #codeWord = $state<string | null>(null);
  /** Bumped whenever the index changes, for views derived from it. */
  #revision = $state(0);
  #index: ManifestIndex | null = null;
  #eventId = $state<EventId | null>(null);
  #opening: Promise<unknown> = Promise.resolve();
  readonly #repo: ManifestRepo;

  constructor(repo: ManifestRepo) {
    this.#repo = repo;
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
   * Open an event: the stored manifest at once, then a sync with the server. Without a
   * stored manifest the sync is awaited (and its failure is the open's failure).
   */
  open(eventId: EventId): Promise<void> {
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
    this.#status = 'idle';
    this.#revision++;
  }

  /** Resolves once the event being opened is loaded (or failed to): scans wait for it. */
  settled(): Promise<unknown> {
    return this.#opening;
  }

  async #open(eventId: EventId): Promise<void> {
    if (this.#eventId !== eventId) {
      this.#eventId = eventId;
      this.#index = null;
      this.#header = null;
    }
    this.#status = 'loading';
    this.#error = null;
    const stored = await this.#repo.load(eventId);
    if (stored) {
      this.#setManifest(stored.header, stored.index);
      this.#status = 'ready';
      void this.sync();
    } else {
      await this.sync();
    }
  }

  /**
   * The server says the manifest has reached `version` (a ticket blocked in the console):
   * fetch the changes now, so the phone refuses it offline too. A sync already running may
   * have read the server before the change: then one more follows it.
   */
  changedOnServer(version: number): void {
    if ((this.#header?.version ?? 0) >= version) return;
    this.#syncSoon();
  }

  /**
   * The server says a checkpoint's rules changed: fetch the manifest now (every one carries
   * every checkpoint), so the next offline decision uses the new rule. Checkpoints have no
   * change number, so there is no version to compare: always fetch.
   */
  checkpointsChangedOnServer(): void {
    this.#syncSoon();
  }

  /** A sync now; a sync already running may have read the server before the change: then one more follows it. */
  #syncSoon(): void {
    if (this.#syncing) this.#again = true;
    else void this.sync();
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
      if (this.#again) {
        this.#again = false;
        void this.sync();
      }
    }
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

