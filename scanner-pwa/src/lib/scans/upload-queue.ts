// Which of this phone's own scans the server does not have yet: the upload bookkeeping of
// LocalScans (local-scans.svelte.ts), which alone changes it. Memory, of every event this
// page knows them for, so the count is exact at once and an upload never waits for a read
// of storage; storage keeps its own `uploaded` mark, written by LocalScans.
import type { Scan } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import type { ScanRecord } from '../ports.ts';

export class UploadQueue {
  readonly #waiting = new Map<string, ScanRecord>();
  /**
   * Own scans this page saw reach the server. Storage that could not mark one still lists
   * it as waiting; counted from here, it is not (after a reload it goes again, a duplicate).
   */
  readonly #uploaded = new Set<string>();
  /** Told whenever a scan starts waiting. */
  readonly #listeners = new Set<() => void>();
  /** Told whenever scans stop waiting (uploaded, or heard back from the server). */
  readonly #drained = new Set<() => void>();
  readonly #changed: (size: number) => void;

  /** `changed`: the number waiting, after every change (the one count the app shows). */
  constructor(changed: (size: number) => void) {
    this.#changed = changed;
  }

  get size(): number { return this.#waiting.size; }
  has(id: string): boolean { return this.#waiting.has(id); }
  get(id: string): ScanRecord | undefined { return this.#waiting.get(id); }
  /** The server had it while this page watched (an ack, or its copy heard back). */
  wasUploaded(id: string): boolean { return this.#uploaded.has(id); }

  /** Scans that wait from now on: recorded, loaded from storage, held, or to go up again. */
  add(records: Iterable<ScanRecord>): void {
    let any = false;
    for (const r of records) {
      this.#waiting.set(r.id, r.uploaded === 0 ? r : { ...r, uploaded: 0 });
      this.#uploaded.delete(r.id);
      any = true;
    }
    if (any) this.#changed(this.#waiting.size);
  }

  /** Tell the listeners that scans wait (after they are stored, or asked to be). */
  announce(): void {
    for (const f of this.#listeners) f();
  }

  /** The server has these (acknowledged, or its copies arrived): they no longer wait. */
  acknowledge(ids: Iterable<string>): void {
    const before = this.#waiting.size;
    for (const id of ids) if (this.#waiting.delete(id)) this.#uploaded.add(id);
    if (this.#waiting.size === before) return;
    this.#changed(this.#waiting.size);
    for (const f of [...this.#drained]) f();
  }

  /** The next scans of the event to upload, oldest first. */
  nextBatch(eventId: EventId, limit: number): Scan[] {
    return [...this.#waiting.values()].filter((r) => r.eventId === eventId).sort(byHlc).slice(0, limit).map(stripLocal);
  }

  /** Ids waiting, of one event or of all. */
  idsOf(eventId?: EventId): string[] {
    const ids: string[] = [];
    for (const r of this.#waiting.values()) if (!eventId || r.eventId === eventId) ids.push(r.id);
    return ids;
  }

  /** Called whenever a scan starts waiting to upload. Returns the way to stop listening. */
  onWaiting(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves true once no scan of the ticket waits (at once when none does), false after `timeoutMs`. */
  untilNoneOf(eventId: EventId | null, ticketId: string, timeoutMs: number): Promise<boolean> {
    const waits = () => {
      for (const r of this.#waiting.values()) if (r.ticketId === ticketId && r.eventId === eventId) return true;
      return false;
    };
    if (!waits()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => { if (!waits()) done(true); };
      const done = (ok: boolean) => { clearTimeout(timer); this.#drained.delete(check); resolve(ok); };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#drained.add(check);
    });
  }
}

/** The shared record without the phone's bookkeeping fields. */
export function stripLocal(r: ScanRecord): Scan {
  const { uploaded: _u, own: _o, ...scan } = r;
  return scan;
}

const byHlc = (a: ScanRecord, b: ScanRecord) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0);
