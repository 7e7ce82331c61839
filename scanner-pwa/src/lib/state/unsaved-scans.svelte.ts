// This phone's own scans that IndexedDB refused to store: storage full, or the connection to
// the database lost (Safari drops it now and then; another tab upgrading closes it). The
// verdict was already shown and the gate already opened, so the scan must not be lost: it
// stays here, in memory, is uploaded from here when the server is reachable, and the write
// is tried again with backoff until it lands. The status bar says so while any is held.
// A copy is kept in a second, simpler store (localStorage: its own quota, synchronous, and
// untouched when the IndexedDB connection is lost), so a held scan also survives a reload
// or the browser killing the tab.
import { zScan } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import type { ScanRecord } from '../ports.ts';
import { backoffDelay, type BackoffOptions } from '../sync/backoff.ts';

export const RETRY_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };

/** Where held scans are copied, to outlive the page. */
export interface ScanBackup {
  load(): ScanRecord[];
  save(records: ScanRecord[]): void;
}

export const BACKUP_KEY = 'gatekeeper.unsaved';

/** The backup in localStorage; null where there is none (Node, a browser that forbids it). */
export function localStorageBackup(key = BACKUP_KEY, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = typeof localStorage === 'undefined' ? null : localStorage): ScanBackup | null {
  if (!storage) return null;
  return {
    load() {
      let raw: unknown;
      try { raw = JSON.parse(storage.getItem(key) ?? '[]'); } catch { return []; }
      if (!Array.isArray(raw)) return [];
      // Only what is still a scan of ours comes back: the page that wrote it may be older.
      return raw.flatMap((r: Partial<ScanRecord>) => {
        const scan = zScan.safeParse(r);
        return scan.success ? [{ ...scan.data, uploaded: r.uploaded === 1 ? 1 : 0, own: 1 } as ScanRecord] : [];
      });
    },
    save(records) {
      // Full too: the scans stay in memory, as before there was a backup.
      try {
        if (records.length) storage.setItem(key, JSON.stringify(records));
        else storage.removeItem(key);
      } catch (e) { console.warn('could not back up held scans', e); }
    },
  };
}

export class UnsavedScans {
  #held = new Map<string, ScanRecord>();
  #count = $state(0);
  #toUpload = $state(0);
  #error = $state<string | null>(null);
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #writing: Promise<void> | null = null;
  readonly #write: (records: ScanRecord[]) => Promise<unknown>;
  readonly #onSaved: () => void;
  readonly #backoff: BackoffOptions;
  readonly #backup: ScanBackup | null;

  /** `write` stores records (the Store's addScans); `onSaved` runs after held scans landed. */
  constructor(write: (records: ScanRecord[]) => Promise<unknown>, onSaved: () => void = () => {}, backoff = RETRY_BACKOFF, backup: ScanBackup | null = null) {
    this.#write = write;
    this.#onSaved = onSaved;
    this.#backoff = backoff;
    this.#backup = backup;
  }

  /** Scans a previous page held and backed up: held again, and written now. */
  restore(): Promise<void> {
    const records = this.#backup?.load() ?? [];
    for (const r of records) if (!this.#held.has(r.id)) this.#held.set(r.id, r);
    if (records.length === 0) return Promise.resolve();
    this.#changed();
    return this.retryNow();
  }

  /** Every held scan of the event (the log of a page that restored them must know them). */
  all(eventId: EventId): ScanRecord[] {
    return [...this.#held.values()].filter((r) => r.eventId === eventId);
  }

  /** Scans held in memory only. */
  get count() { return this.#count; }
  /** Of those, the ones the server does not have yet. */
  get toUpload() { return this.#toUpload; }
  /** Why the last write failed, for the alert. */
  get error() { return this.#error; }

  /** Own scans whose write failed: hold them and try again later. */
  hold(records: ScanRecord[], error: unknown): void {
    for (const r of records) if (r.own === 1) this.#held.set(r.id, this.#held.get(r.id)?.uploaded ? { ...r, uploaded: 1 } : r);
    this.#error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.#changed();
    this.#schedule();
  }

  /** Held scans of the event that the server does not have, oldest first. */
  pending(eventId: EventId, limit: number): ScanRecord[] {
    return [...this.#held.values()].filter((r) => r.eventId === eventId && r.uploaded === 0).sort(byHlc).slice(0, limit);
  }

  countPending(eventId: EventId): number {
    let n = 0;
    for (const r of this.#held.values()) if (r.eventId === eventId && r.uploaded === 0) n++;
    return n;
  }

  /** The server acknowledged these: still held until stored, but no longer to upload. */
  markUploaded(ids: readonly string[]): void {
    let changed = false;
    for (const id of ids) {
      const r = this.#held.get(id);
      if (r && r.uploaded === 0) { this.#held.set(id, { ...r, uploaded: 1 }); changed = true; }
    }
    if (changed) this.#changed();
  }

  /** Try the held writes now (the app came back to the foreground, storage was freed). */
  retryNow(): Promise<void> {
    this.#attempt = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    return this.#retry();
  }

  /** Stop retrying (the app is closing this event or the test is over). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #retry(): Promise<void> {
    this.#writing ??= this.#tryWrite().finally(() => { this.#writing = null; });
    return this.#writing;
  }

  async #tryWrite(): Promise<void> {
    const records = [...this.#held.values()];
    if (records.length === 0) return;
    try {
      await this.#write(records);
    } catch (e) {
      this.#error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.#schedule();
      return;
    }
    // Only what was written leaves: a scan held while the write ran waits for the next one.
    for (const r of records) if (this.#held.get(r.id) === r) this.#held.delete(r.id);
    this.#attempt = 0;
    if (this.#held.size === 0) this.#error = null;
    else this.#schedule();
    this.#changed();
    this.#onSaved();
  }

  #schedule(): void {
    if (this.#timer || this.#held.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#retry();
    }, backoffDelay(this.#attempt++, this.#backoff));
  }

  #changed(): void {
    this.#backup?.save([...this.#held.values()]);
    this.#count = this.#held.size;
    let n = 0;
    for (const r of this.#held.values()) if (r.uploaded === 0) n++;
    this.#toUpload = n;
  }
}

const byHlc = (a: ScanRecord, b: ScanRecord) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0);
