// This phone's own scans that IndexedDB refused to store: storage full, or the connection to
// the database lost (Safari drops it now and then; another tab upgrading closes it). The
// verdict was already shown and the gate already opened, so the scan must not be lost: it is
// held here, in memory and in a backup (scan-backup.ts), and the write is tried again with
// backoff until it lands. Part of LocalScans, which counts and uploads held scans like any
// other waiting scan; this class only keeps them and gets them into storage.
import type { ScanRecord } from '../ports.ts';
import { backoffDelay, type BackoffOptions } from '../sync/backoff.ts';
import type { ScanBackup } from './scan-backup.ts';
import { serverCopy } from './scan-log.ts';

export const RETRY_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };

export class HeldScans {
  #held = new Map<string, ScanRecord>();
  #error: string | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #writing: Promise<void> | null = null;
  readonly #write: (records: ScanRecord[]) => Promise<unknown>;
  readonly #changed: () => void;
  readonly #backoff: BackoffOptions;
  readonly #backup: ScanBackup | null;

  /** `write` stores records; `changed` runs whenever what is held (or the error) changes. */
  constructor(write: (records: ScanRecord[]) => Promise<unknown>, changed: () => void = () => {}, backoff = RETRY_BACKOFF, backup: ScanBackup | null = null) {
    this.#write = write;
    this.#changed = changed;
    this.#backoff = backoff;
    this.#backup = backup;
  }

  /** Scans a previous page held and backed up: held again (returned), and written soon. */
  restore(): ScanRecord[] {
    const records = (this.#backup?.load() ?? []).filter((r) => !this.#held.has(r.id));
    for (const r of records) this.#held.set(r.id, r);
    if (records.length) {
      this.#update();
      void this.retryNow();
    }
    return records;
  }

  has(id: string): boolean { return this.#held.has(id); }
  /** Every held scan of the event. */
  of(eventId: string): ScanRecord[] {
    return [...this.#held.values()].filter((r) => r.eventId === eventId);
  }

  /** Scans held in memory. */
  get count() { return this.#held.size; }
  /** Of those, the ones the server does not have yet. */
  get toUpload() {
    let n = 0;
    for (const r of this.#held.values()) if (r.uploaded === 0) n++;
    return n;
  }
  /** Why the last write failed, for the alert. */
  get error() { return this.#error; }

  /** Own scans whose write failed: hold them and try again later. */
  hold(records: readonly ScanRecord[], error: unknown): void {
    for (const r of records) if (r.own === 1) this.#held.set(r.id, this.#held.get(r.id)?.uploaded ? { ...r, uploaded: 1 } : r);
    this.#error = describe(error);
    this.#update();
    this.#schedule();
  }

  /** The server's copies of held scans replace ours (still ours, and uploaded). */
  replace(records: readonly ScanRecord[]): void {
    let changed = false;
    for (const r of records) {
      const held = this.#held.get(r.id);
      if (!held) continue;
      this.#held.set(r.id, { ...serverCopy(held, r), uploaded: 1, own: 1 });
      changed = true;
    }
    if (changed) this.#update();
  }

  /** The server acknowledged these: still held until stored, but no longer to upload. */
  markUploaded(ids: readonly string[]): void {
    let changed = false;
    for (const id of ids) {
      const r = this.#held.get(id);
      if (r && r.uploaded === 0) { this.#held.set(id, { ...r, uploaded: 1 }); changed = true; }
    }
    if (changed) this.#update();
  }

  /**
   * Sign-out: the scans the server has need not reach this phone's storage any more (which
   * sign-out empties). Those still to upload stay: sign-out is refused while there are any.
   */
  forgetUploaded(): void {
    let changed = false;
    for (const [id, r] of this.#held) if (r.uploaded === 1) { this.#held.delete(id); changed = true; }
    if (!changed) return;
    if (this.#held.size === 0) { this.#error = null; this.stop(); }
    this.#update();
  }

  /**
   * Try the held writes now (the app came back to the foreground, storage was freed). A
   * write already under way began before that, or with records changed since (an upload's
   * acknowledgement): it is let end, and then the held scans are written again.
   */
  async retryNow(): Promise<void> {
    while (this.#writing) await this.#writing;
    this.#attempt = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#writing = this.#tryWrite().finally(() => { this.#writing = null; });
    return this.#writing;
  }

  /** Stop retrying (the test is over). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #tryWrite(): Promise<void> {
    const records = [...this.#held.values()];
    if (records.length === 0) return;
    try {
      await this.#write(records);
    } catch (e) {
      this.#error = describe(e);
      this.#update();
      this.#schedule();
      return;
    }
    // Only what was written leaves: a scan held (or changed) while the write ran waits for the next one.
    for (const r of records) if (this.#held.get(r.id) === r) this.#held.delete(r.id);
    this.#attempt = 0;
    if (this.#held.size === 0) this.#error = null;
    else this.#schedule();
    this.#update();
  }

  #schedule(): void {
    if (this.#timer || this.#held.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#writing ??= this.#tryWrite().finally(() => { this.#writing = null; });
    }, backoffDelay(this.#attempt++, this.#backoff));
  }

  #update(): void {
    this.#backup?.save([...this.#held.values()]);
    this.#changed();
  }
}

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
