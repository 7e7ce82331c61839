// The one owner of the scans on this phone. Everything that knows or changes them goes
// through here:
//   - the in-memory log of the open event (scan-log.ts): what decideAdmission is fed
//     offline, what history and conflict checks read;
//   - the scan records in IndexedDB (the ScanStore port), written one after another
//     (write-queue.ts);
//   - own scans IndexedDB refused, held in memory and in localStorage (held-scans.ts);
//   - the own scans waiting to upload (upload-queue.ts) and their one count, which the
//     status bar, the update prompt, logout and the event switch all read;
//   - the gossip cursor of the open event.
// The admitter records, the sync client merges what the server says and uploads what this
// hands out; neither touches storage. Memory changes at once (the next decision sees a scan
// before its write lands), storage follows in order. What it keeps is in the small files
// beside it; this is the one surface over them.
import type { Conflict, Scan } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import { cursorKey, type ScanRecord, type ScanStore } from '../ports.ts';
import { logIdKey } from './log-identity.ts';
import type { BackoffOptions } from '../sync/backoff.ts';
import { HeldScans, RETRY_BACKOFF } from './held-scans.ts';
import type { ScanBackup } from './scan-backup.ts';
import { ScanLog } from './scan-log.ts';
import { stripLocal, UploadQueue } from './upload-queue.ts';
import { WriteQueue } from './write-queue.ts';

export interface LocalScansOptions {
  /** Where held scans are copied (localStorageBackup() in the browser). */
  backup?: ScanBackup | null;
  /** How often a refused write is tried again. */
  retry?: BackoffOptions;
}

export class LocalScans {
  #eventId: EventId | null = null;
  #opening: Promise<string | null> = Promise.resolve(null);
  #loading = false;
  #log = new ScanLog();
  #cursor = 0;
  /** The server scan log our cursor counts in (log-identity.ts); undefined: none heard yet. */
  #logId: string | undefined;
  /** Own scans the server does not have yet: recorded here, loaded with their event, or held. */
  readonly #waiting = new UploadQueue((size) => { this.#pending = size; });
  readonly #store: ScanStore;
  readonly #writes = new WriteQueue();
  readonly #held: HeldScans;
  #pending = $state(0);
  #revision = $state(0);
  #heldCount = $state(0);
  #heldToUpload = $state(0);
  #heldError = $state<string | null>(null);

  constructor(store: ScanStore, opts: LocalScansOptions = {}) {
    this.#store = store;
    this.#held = new HeldScans(
      (records) => this.#writes.run(() => this.#store.addScans(records)),
      () => this.#heldChanged(),
      opts.retry ?? RETRY_BACKOFF,
      opts.backup ?? null,
    );
  }

  // ── what the screens read ─────────────────────────────────────────────────────────────

  /** Scans waiting to upload that this page knows: the one count the app shows. */
  get pending() { return this.#pending; }
  /** Bumped whenever the log changes, for views derived from it. */
  get revision() { return this.#revision; }
  /** Scans held in memory because storage refused them. */
  get heldCount() { return this.#heldCount; }
  /** Of those, the ones the server does not have yet (closing the page would lose them). */
  get heldToUpload() { return this.#heldToUpload; }
  /** Why storage last refused a held scan. */
  get heldError() { return this.#heldError; }
  get eventId() { return this.#eventId; }
  /** The open event's stored scans are still being read. */
  get loading() { return this.#loading; }

  // ── opening and closing an event ──────────────────────────────────────────────────────

  /** Scans a previous page held (storage refused them): held again, counted, written soon. */
  restoreHeld(): void {
    const restored = this.#held.restore();
    this.#waiting.add(restored.filter((r) => r.uploaded === 0));
    this.#addToLog(restored.filter((r) => r.eventId === this.#eventId));
  }

  /**
   * Load the event's stored scans and cursor (once per event: opening the open event again
   * returns the same promise). Never rejects: storage that cannot be read leaves the held
   * scans, and a cursor of 0 (a full catch-up, merged by id). Resolves with the newest stamp
   * of this phone's own scans, to restart the clock after.
   */
  open(eventId: EventId): Promise<string | null> {
    if (this.#eventId === eventId) return this.#opening;
    this.#eventId = eventId;
    this.#log = new ScanLog();
    this.#cursor = 0;
    this.#logId = undefined;
    this.#revision++;
    this.#loading = true;
    this.#opening = this.#load(eventId);
    return this.#opening;
  }

  /** Resolves once the open event's stored scans are in memory (or could not be read). */
  ready(): Promise<unknown> {
    return this.#opening;
  }

  /**
   * Sign-out: forget the open event in memory (Store.forgetEvents does storage), and held
   * scans the server has. Scans still waiting stay counted: sign-out is refused while there
   * are any.
   */
  forget(): void {
    this.#held.forgetUploaded();
    this.#eventId = null;
    this.#opening = Promise.resolve(null);
    this.#log = new ScanLog();
    this.#cursor = 0;
    this.#logId = undefined;
    this.#revision++;
  }

  async #load(eventId: EventId): Promise<string | null> {
    let stored: ScanRecord[] = [];
    let cursor = 0;
    let logId: string | undefined;
    try {
      const [scans, c, id] = await this.#writes.run(() => Promise.all([
        this.#store.scansOf(eventId), this.#store.getMeta<number>(cursorKey(eventId)), this.#store.getMeta<string>(logIdKey(eventId)),
      ]));
      stored = scans;
      cursor = c ?? 0;
      logId = id;
    } catch (e) {
      console.warn('scans: the stored scans and cursor could not be read; catching up from 0', e);
    }
    if (this.#eventId !== eventId) return null;
    // Held scans are decisions this phone made (maybe on a page before this one): the next
    // decision must see them as much as the stored ones. Stored first: a stored server copy
    // wins over a held copy of ours.
    const all = [...stored, ...this.#held.of(eventId)];
    // Uploaded only ever goes 0 → 1: any copy that says the server has it, or a scan this page
    // has already seen uploaded since the open (known, and not waiting), is not waiting.
    const uploaded = new Set(all.filter((r) => r.uploaded === 1 || this.#waiting.wasUploaded(r.id) || (this.#log.get(r.id) && !this.#waiting.has(r.id))).map((r) => r.id));
    this.#addToLog(all);
    this.#waiting.add(all.filter((r) => r.own === 1 && !uploaded.has(r.id)));
    // A cursor is kept only with the log it counts in: a log id heard meanwhile is newer.
    if (this.#logId === undefined) {
      this.#logId = logId;
      this.#cursor = Math.max(this.#cursor, cursor);
    }
    this.#loading = false;
    this.#revision++;
    let lastOwn: string | null = null;
    for (const s of all) if (s.own && (!lastOwn || s.hlc > lastOwn)) lastOwn = s.hlc;
    return lastOwn;
  }

  // ── writing ───────────────────────────────────────────────────────────────────────────

  /**
   * A scan this phone decided alone: into the log at once (the next decision sees it),
   * counted as waiting, then stored. Storage that refuses it holds it in memory (the verdict
   * stands, and the scan is uploaded from there). A scan id already known is left alone.
   */
  record(scan: Scan): void {
    if (this.#log.get(scan.id) || this.#waiting.has(scan.id)) return;
    const r: ScanRecord = { ...scan, uploaded: 0, own: 1 };
    if (scan.eventId === this.#eventId) this.#addToLog([r]);
    this.#waiting.add([r]);
    this.#persist([r]);
    this.#waiting.announce();
  }

  /**
   * Scans the server has (a verdict, gossip, catch-up) for the open event: its copy wins over
   * ours, and an own scan among them no longer waits. Returns the scans the log did not know
   * (or knew differently). Never rejects: gossip storage refused is heard again on catch-up.
   */
  merge(scans: readonly Scan[], ownDevice: DeviceId | null): Scan[] {
    const ofEvent = scans.filter((s) => s.eventId === this.#eventId);
    if (ofEvent.length === 0) return [];
    const records: ScanRecord[] = ofEvent.map((s) => ({
      ...s, uploaded: 1, own: s.deviceId === ownDevice || this.#waiting.has(s.id) || this.#held.has(s.id) ? 1 : 0,
    }));
    const fresh = this.#log.add(ofEvent, true);
    if (fresh.length) this.#revision++;
    this.#waiting.acknowledge(records.map((r) => r.id));
    this.#held.replace(records);
    this.#persist(records);
    return fresh;
  }

  /** The server acknowledged these uploads. */
  markUploaded(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.#waiting.acknowledge(ids);
    this.#held.markUploaded(ids);
    // A store that cannot mark them sends them again after a reload: the server answers
    // duplicates.
    void this.#writes.run(() => this.#store.markUploaded(ids)).catch((e: unknown) => console.warn('scans: marking uploaded failed', e));
  }

  /** Called whenever a scan starts waiting to upload. Returns the way to stop listening. */
  onWaiting(listener: () => void): () => void {
    return this.#waiting.onWaiting(listener);
  }

  /**
   * Resolves true once no own scan of this ticket waits to upload (at once when none does),
   * false after `timeoutMs`. The server decides a ticket online from what it holds: a scan
   * of it still in this phone's queue (an undo queued behind a batch in flight) would be
   * missing from that decision.
   */
  untilServerHas(ticketId: string, timeoutMs: number): Promise<boolean> {
    return this.#waiting.untilNoneOf(this.#eventId, ticketId, timeoutMs);
  }

  /** Try the writes of held scans now (back in front, or the inspector asked). */
  retryHeld(): Promise<void> {
    return this.#held.retryNow();
  }

  /** Stop retrying held writes (a test is over). */
  stop(): void {
    this.#held.stop();
  }

  /** Resolves once every storage write asked for so far has finished (or failed). */
  settled(): Promise<void> {
    return this.#writes.settled();
  }

  #persist(records: ScanRecord[]): void {
    void this.#writes.run(async () => {
      try {
        await this.#store.addScans(records);
      } catch (e) {
        // Held before the next write starts: settled() covers the holding too.
        const own = records.filter((r) => r.own === 1).map((r) => this.#current(r));
        console.warn(`storage refused ${records.length} scans (${own.length} of this phone's, held and retried)`, e);
        if (own.length) this.#held.hold(own, e);
      }
    });
  }

  /** What memory knows of an own record now (the server's copy may have come since). */
  #current(r: ScanRecord): ScanRecord {
    const waiting = this.#waiting.get(r.id);
    if (waiting) return waiting;
    const known = r.eventId === this.#eventId ? this.#log.get(r.id) : null;
    return { ...(known ?? r), uploaded: 1, own: 1 };
  }

  // ── uploading and the cursor ──────────────────────────────────────────────────────────

  /** The next scans of the event to upload, oldest first. */
  nextBatch(eventId: EventId, limit: number): Scan[] {
    return this.#waiting.nextBatch(eventId, limit);
  }

  /**
   * The one count of scans waiting to upload, for logout (every event) or an event switch
   * (that event): what memory knows, with the stored queue of events this page has not
   * opened, each scan once. Storage that cannot be read counts what memory knows.
   */
  async waiting(eventId?: EventId): Promise<number> {
    const ids = new Set(this.#waiting.idsOf(eventId));
    try {
      // In the queue: it sees every write asked for before it.
      const stored = await this.#writes.run(() => this.#store.pendingIds(eventId));
      for (const id of stored) if (!this.#waiting.wasUploaded(id)) ids.add(id);
    } catch (e) {
      console.warn('scans: reading the stored queue failed', e);
    }
    return ids.size;
  }

  /** Where gossip of the open event resumes. */
  get cursor() { return this.#cursor; }

  /** Gossip up to `cursor` is stored: only ever forward (a verdict's cursor can be ahead of a page in flight). */
  advanceCursor(cursor: number): void {
    if (cursor <= this.#cursor || !this.#eventId) return;
    this.#saveCursor(this.#eventId, cursor);
  }

  /** The server scan log the cursor counts in, as last heard (welcome.logId). */
  get logId() { return this.#logId; }

  /** The welcome named the log our cursor counts in: keep its id beside the cursor. */
  keepLogId(logId: string): void {
    if (logId === this.#logId || !this.#eventId) return;
    this.#saveLogId(this.#eventId, logId);
  }

  /**
   * The one step back: the server's log is not the one our cursor came from (its database
   * was replaced). Catch-up starts over from 0 in the log `logId`; scans merge by id. The
   * own scans of `ownDevice` that the old log acknowledged wait to upload again: a database
   * restored from a backup lacks those that came after the backup, a fresh one all of them,
   * and the server answers the ones it has as duplicates. Those of an earlier device of this
   * phone (the fresh database did not know it, so the phone registered anew) are left: the
   * server takes scans only from the device that made them. The marks, the cursor's reset
   * and the new log id are written in that order (writes run in order), so a phone stopped
   * in between sees the replacement again next time.
   */
  restartCursor(logId?: string, ownDevice?: DeviceId): void {
    if (!this.#eventId) return;
    if (ownDevice !== undefined) this.#uploadAgain(this.#eventId, ownDevice);
    this.#saveCursor(this.#eventId, 0);
    if (logId !== undefined) this.#saveLogId(this.#eventId, logId);
  }

  /**
   * Own scans of the event the server acknowledged, waiting again. Read from storage, where
   * an own scan keeps its scanned text (serverCopy); storage that cannot be read leaves them
   * as they are (the log id is then likely not stored either, and the next start tries again).
   */
  #uploadAgain(eventId: EventId, device: DeviceId): void {
    void this.#writes.run(async () => {
      const stored = await this.#store.scansOf(eventId);
      const again = stored.filter((r) => r.own === 1 && r.uploaded === 1 && r.deviceId === device && !this.#waiting.has(r.id));
      if (again.length === 0) return;
      await this.#store.markWaiting(again.map((r) => r.id));
      this.#waiting.add(again);
      this.#waiting.announce();
    }).catch((e: unknown) => console.warn('scans: own scans could not be marked to upload again', e));
  }

  #saveLogId(eventId: EventId, logId: string): void {
    this.#logId = logId;
    void this.#writes.run(() => this.#store.setMeta(logIdKey(eventId), logId)).catch((e: unknown) => console.warn('scans: the log id could not be stored', e));
  }

  #saveCursor(eventId: EventId, cursor: number): void {
    this.#cursor = cursor;
    // Storage that cannot take the cursor costs a longer catch-up next time, nothing else.
    void this.#writes.run(() => this.#store.setMeta(cursorKey(eventId), cursor)).catch((e: unknown) => console.warn('scans: the cursor could not be stored', e));
  }

  // ── what a ticket or an order has seen ────────────────────────────────────────────────

  get(id: string): Scan | null { return this.#log.get(id); }
  get size(): number { return this.#log.size; }
  /** Every known scan of the ticket, as decideAdmission takes them. */
  ofTicket(ticketId: string): readonly Scan[] { return this.#log.ofTicket(ticketId); }
  /** Scans naming the order, or any of its tickets, oldest first. */
  ofOrder(orderId: string | null, ticketIds: readonly string[]): Scan[] { return this.#log.ofOrder(orderId, ticketIds); }
  /** Newest first. */
  latest(limit: number): Scan[] { return this.#log.latest(limit); }
  /** Conflicts among the known scans of these tickets, as every node will compute them. */
  conflictsOf(ticketIds: Iterable<string>): Conflict[] { return this.#log.conflictsOf(ticketIds); }
  /** The annulment that counts for this admission (undone), or null: it stands. */
  annulmentOf(scanId: string): Scan | null { return this.#log.annulmentOf(scanId); }

  #addToLog(records: readonly ScanRecord[]): void {
    if (this.#log.add(records.map(stripLocal)).length) this.#revision++;
  }

  #heldChanged(): void {
    this.#heldCount = this.#held.count;
    this.#heldToUpload = this.#held.toUpload;
    this.#heldError = this.#held.error;
  }
}

