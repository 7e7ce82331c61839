// The contract of LocalScans, the one owner of the phone's scans, over any ScanStore: the
// Dexie store on fake-indexeddb today (local-scans.test.ts), any other store the phone may
// get later runs exactly these cases. Each case opens its own database, so no case
// depends on another or on the order they run in. As the server's storage-contract.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { ScanRecord, ScanStore } from '../../scanner-pwa/src/lib/ports.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { BACKUP_KEY, localStorageBackup } from '../../scanner-pwa/src/lib/scans/scan-backup.ts';

export interface ScanStoreHarness {
  /** The store over the phone's database `name`; the same name again is the same data (a reload). */
  open(name: string): ScanStore;
  /** The connection to the database lost (Safari drops it; another tab upgrading closes it). */
  lose(store: ScanStore): void;
  /** Delete every database opened. */
  cleanup(): Promise<void>;
}

export const EVENT = 'ev-1' as EventId;
export const OTHER_EVENT = 'ev-2' as EventId;
export const ME = 'd-me' as DeviceId;
const THEM = 'd-them' as DeviceId;
/** Retries far away: a case that wants a held write tried again says so. */
const NO_RETRY = { baseMs: 600_000, capMs: 600_000 };

let n = 0;
export function scan(over: Partial<Record<keyof Scan, unknown>> = {}): Scan {
  n++;
  return {
    id: `s-${n}-${Math.random().toString(36).slice(2, 8)}`, eventId: EVENT, ticketId: `t-${n}`, orderId: null, code: 'T', checkpointId: 'main-gate',
    zone: 'grounds', mode: 'once_per_event', direction: 'entry', deviceId: ME, inspectorId: 'i-1',
    hlc: `${String(1_700_000_000_000 + n).padStart(15, '0')}:0000`, at: 1_700_000_000_000 + n, clockOffset: 0,
    outcome: 'valid', offline: true, idChecked: false, ...over,
  } as Scan;
}

/** Storage that fills up: writes fail with the browser's quota error while `full`; reads work. */
class Fillable implements ScanStore {
  full = false;
  constructor(private readonly inner: ScanStore) {}
  #check(): void { if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }
  getMeta<T>(key: string) { return this.inner.getMeta<T>(key); }
  async setMeta<T>(key: string, value: T) { this.#check(); return this.inner.setMeta(key, value); }
  async addScans(records: ScanRecord[]) { this.#check(); return this.inner.addScans(records); }
  scansOf(eventId: EventId) { return this.inner.scansOf(eventId); }
  async markUploaded(ids: readonly string[]) { this.#check(); return this.inner.markUploaded(ids); }
  async markWaiting(ids: readonly string[]) { this.#check(); return this.inner.markWaiting(ids); }
  pendingIds(eventId?: EventId) { return this.inner.pendingIds(eventId); }
}

/** localStorage as a page sees it, shared by the "pages" of one case. */
function memoryStorage() {
  const items = new Map<string, string>();
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => { items.set(k, v); }, removeItem: (k: string) => { items.delete(k); } };
}

export function runLocalScansContract(name: string, harness: ScanStoreHarness): void {
  describe(`LocalScans over ${name}`, () => {
    const pages: LocalScans[] = [];
    let db = '';
    afterEach(async () => {
      for (const p of pages.splice(0)) { p.stop(); await p.settled(); }
      await harness.cleanup();
      vi.restoreAllMocks();
    });

    /** One page of the app on this case's database (call again for a reload). */
    function page(opts: { store?: ScanStore; backup?: ReturnType<typeof memoryStorage> } = {}) {
      db ||= `contract-${Math.random()}`;
      const store = opts.store ?? harness.open(db);
      const scans = new LocalScans(store, { retry: NO_RETRY, backup: opts.backup ? localStorageBackup(BACKUP_KEY, opts.backup) : null });
      pages.push(scans);
      return { scans, store };
    }
    const fresh = () => { db = `contract-${Math.random()}`; };
    const quiet = () => vi.spyOn(console, 'warn').mockImplementation(() => {});

    it('records an own scan once, by id: known at once, counted, stored and handed out to upload', async () => {
      fresh();
      const { scans, store } = page();
      await scans.open(EVENT);
      const s = scan();
      scans.record(s);
      expect(scans.get(s.id)).toEqual(s);
      expect(scans.pending).toBe(1);
      scans.record({ ...s, outcome: 'already_used' });
      scans.record(s);
      expect(scans.pending).toBe(1);
      expect(scans.get(s.id)?.outcome).toBe('valid');
      expect(scans.ofTicket(s.ticketId!)).toHaveLength(1);
      expect(scans.nextBatch(EVENT, 10)).toEqual([s]);
      await scans.settled();
      expect(await store.scansOf(EVENT)).toEqual([{ ...s, uploaded: 0, own: 1 }]);
      expect(await scans.waiting()).toBe(1);
    });

    it('merges the server’s scans once, by id: new ones are news, a copy heard again is not', async () => {
      fresh();
      const { scans, store } = page();
      await scans.open(EVENT);
      const theirs = scan({ deviceId: THEM, offline: false });
      expect(scans.merge([theirs], ME)).toEqual([theirs]);
      expect(scans.merge([theirs], ME)).toEqual([]);
      expect(scans.merge([{ ...theirs }, { ...theirs }], ME)).toEqual([]);
      expect(scans.pending).toBe(0);
      await scans.settled();
      expect(await store.scansOf(EVENT)).toEqual([{ ...theirs, uploaded: 1, own: 0 }]);
      // Another event's scans are not this event's to keep.
      expect(scans.merge([scan({ eventId: OTHER_EVENT, deviceId: THEM })], ME)).toEqual([]);
    });

    it('a merge never downgrades an own un-uploaded scan: it stays ours, and only the server’s copy ends its wait', async () => {
      fresh();
      const { scans, store } = page();
      await scans.open(EVENT);
      const ours = scan();
      const other = scan({ ticketId: ours.ticketId, deviceId: THEM, offline: false });
      scans.record(ours);
      // Gossip about the same ticket from another gate changes nothing of ours.
      scans.merge([other], ME);
      expect(scans.pending).toBe(1);
      expect(scans.nextBatch(EVENT, 10).map((s) => s.id)).toEqual([ours.id]);
      // The server's copy of our scan (it decided it online after we fell back): its outcome
      // wins, the scan is uploaded, and it is still this phone's, whoever the merge says it is.
      const serverCopy = { ...ours, outcome: 'already_used' as const, offline: false };
      expect(scans.merge([serverCopy], null)).toEqual([serverCopy]);
      expect(scans.pending).toBe(0);
      expect(scans.get(ours.id)?.outcome).toBe('already_used');
      // Our copy recorded again (a late offline decision) does not bring it back.
      scans.record(ours);
      expect(scans.pending).toBe(0);
      expect(scans.get(ours.id)?.outcome).toBe('already_used');
      await scans.settled();
      const stored = (await store.scansOf(EVENT)).find((r) => r.id === ours.id);
      expect(stored).toMatchObject({ outcome: 'already_used', uploaded: 1, own: 1 });
    });

    it('marks uploads done, also when the acknowledgement comes before the record is stored', async () => {
      fresh();
      const { scans, store } = page();
      await scans.open(EVENT);
      const a = scan(), b = scan();
      scans.record(a);
      scans.record(b);
      scans.markUploaded([a.id]);
      expect(scans.pending).toBe(1);
      expect(scans.nextBatch(EVENT, 10).map((s) => s.id)).toEqual([b.id]);
      await scans.settled();
      expect((await store.pendingIds(EVENT)).length).toBe(1);
      expect((await store.scansOf(EVENT)).find((r) => r.id === a.id)?.uploaded).toBe(1);
    });

    it('a replaced server log: own scans of this device it acknowledged wait again, with what was scanned; other devices\u2019 do not', async () => {
      fresh();
      const { scans, store } = page();
      await scans.open(EVENT);
      const mine = scan({ code: 'GK1T-mine' }), earlier = scan({ deviceId: 'd-before' as DeviceId, code: 'GK1T-earlier' }), heard = scan({ deviceId: THEM });
      scans.record(mine);
      scans.record(earlier);
      // The server's copies come back (code ""), as after an upload; another phone's by gossip.
      scans.merge([{ ...mine, code: '' }, { ...earlier, code: '' }, { ...heard, code: '' }], ME);
      expect(scans.pending).toBe(0);
      let told = 0;
      scans.onWaiting(() => { told++; });
      scans.restartCursor('log-2', ME);
      await scans.settled();
      expect(scans.pending).toBe(1);
      expect(told).toBe(1);
      expect(scans.nextBatch(EVENT, 10).map((s) => [s.id, s.code])).toEqual([[mine.id, 'GK1T-mine']]);
      expect(await store.pendingIds(EVENT)).toEqual([mine.id]);
      expect(scans.cursor).toBe(0);
      expect(scans.logId).toBe('log-2');
    });

    it('hands out the oldest first, at most the limit, of the event asked for', async () => {
      fresh();
      const { scans } = page();
      await scans.open(EVENT);
      const late = scan(), early = scan({ hlc: '000000000000001:0000' });
      scans.record(late);
      scans.record(early);
      scans.record(scan({ eventId: OTHER_EVENT }));
      expect(scans.nextBatch(EVENT, 10).map((s) => s.id)).toEqual([early.id, late.id]);
      expect(scans.nextBatch(EVENT, 1).map((s) => s.id)).toEqual([early.id]);
      expect(scans.pending).toBe(3);
      expect(await scans.waiting(EVENT)).toBe(2);
    });

    it('a reload gets the stored queue back: counted, handed out, and the newest own stamp returned', async () => {
      fresh();
      const first = page();
      await first.scans.open(EVENT);
      const a = scan(), b = scan();
      first.scans.record(a);
      first.scans.record(b);
      first.scans.merge([scan({ deviceId: THEM })], ME);
      first.scans.markUploaded([a.id]);
      await first.scans.settled();

      const second = page();
      expect(await second.scans.open(EVENT)).toBe(b.hlc);
      expect(second.scans.pending).toBe(1);
      expect(second.scans.size).toBe(3);
      expect(second.scans.nextBatch(EVENT, 10).map((s) => s.id)).toEqual([b.id]);
    });

    it('the cursor only advances, is kept per event, and goes back only when restarted', async () => {
      fresh();
      const first = page();
      await first.scans.open(EVENT);
      expect(first.scans.cursor).toBe(0);
      first.scans.advanceCursor(10);
      first.scans.advanceCursor(5);
      expect(first.scans.cursor).toBe(10);
      await first.scans.settled();

      const second = page();
      await second.scans.open(EVENT);
      expect(second.scans.cursor).toBe(10);
      second.scans.advanceCursor(3);
      expect(second.scans.cursor).toBe(10);
      await second.scans.open(OTHER_EVENT);
      expect(second.scans.cursor).toBe(0);
      await second.scans.open(EVENT);
      expect(second.scans.cursor).toBe(10);
      // The server's log is not the one the cursor came from: the one way back.
      second.scans.restartCursor();
      expect(second.scans.cursor).toBe(0);
      await second.scans.settled();
      const third = page();
      await third.scans.open(EVENT);
      expect(third.scans.cursor).toBe(0);
    });

    it('storage full: the scan stays known and counted, is held in memory and uploaded from there, and stored when space returns', async () => {
      fresh();
      const warned = quiet();
      const store = new Fillable(harness.open(db));
      const { scans } = page({ store });
      await scans.open(EVENT);
      store.full = true;
      const s = scan();
      scans.record(s);
      await scans.settled();
      expect(warned).toHaveBeenCalled();
      expect(scans.get(s.id)).toEqual(s);
      expect([scans.pending, scans.heldCount, scans.heldToUpload]).toEqual([1, 1, 1]);
      expect(scans.heldError).toMatch(/QuotaExceededError/);
      expect(await scans.waiting()).toBe(1);
      expect(await scans.waiting(EVENT)).toBe(1);
      expect(scans.nextBatch(EVENT, 10)).toEqual([s]);

      scans.markUploaded([s.id]);
      expect([scans.pending, scans.heldCount, scans.heldToUpload]).toEqual([0, 1, 0]);
      store.full = false;
      await scans.retryHeld();
      expect([scans.heldCount, scans.heldError]).toEqual([0, null]);
      expect((await store.scansOf(EVENT))[0]).toMatchObject({ id: s.id, uploaded: 1, own: 1 });
    });

    it('the database connection lost: the scan is held and counted; gossip stays known to this page', async () => {
      fresh();
      quiet();
      const { scans, store } = page();
      await scans.open(EVENT);
      harness.lose(store);
      const ours = scan();
      const theirs = scan({ deviceId: THEM });
      scans.record(ours);
      scans.merge([theirs], ME);
      await scans.settled();
      expect([scans.pending, scans.heldCount, scans.heldToUpload]).toEqual([1, 1, 1]);
      expect(scans.heldError).toMatch(/DatabaseClosedError|closed/i);
      expect(scans.get(theirs.id)).toEqual(theirs);
      // Logout and the event switch count what memory holds when storage cannot be read.
      expect(await scans.waiting()).toBe(1);
      // The server's copy of our scan arrives while the database is still gone: held, not to upload.
      scans.merge([{ ...ours, offline: false }], ME);
      await scans.settled();
      expect([scans.pending, scans.heldCount, scans.heldToUpload]).toEqual([0, 1, 0]);
    });

    it('held scans survive a reload through their localStorage copy: counted, known to decisions, and stored once storage works', async () => {
      fresh();
      quiet();
      const backup = memoryStorage();
      const full = new Fillable(harness.open(db));
      full.full = true;
      const first = page({ store: full, backup });
      await first.scans.open(EVENT);
      const s = scan();
      first.scans.record(s);
      await first.scans.settled();
      expect(backup.items.has(BACKUP_KEY)).toBe(true);
      first.scans.stop();

      // The next page: storage works again.
      const second = page({ backup });
      second.scans.restoreHeld();
      expect(second.scans.pending).toBe(1);
      expect(await second.scans.open(EVENT)).toBe(s.hlc);
      expect(second.scans.ofTicket(s.ticketId!)).toEqual([s]);
      expect(second.scans.nextBatch(EVENT, 10)).toEqual([s]);
      await second.scans.retryHeld();
      await second.scans.settled();
      expect(second.scans.heldCount).toBe(0);
      expect(backup.items.has(BACKUP_KEY)).toBe(false);
      expect((await second.store.pendingIds(EVENT)).length).toBe(1);
      expect(second.scans.pending).toBe(1);
    });

    it('counts for logout every event’s waiting scans, and for an event switch that event’s', async () => {
      fresh();
      const first = page();
      await first.scans.open(OTHER_EVENT);
      first.scans.record(scan({ eventId: OTHER_EVENT }));
      await first.scans.settled();

      const second = page();
      await second.scans.open(EVENT);
      second.scans.record(scan());
      expect(second.scans.pending).toBe(1);
      expect(await second.scans.waiting()).toBe(2);
      expect(await second.scans.waiting(EVENT)).toBe(1);
      expect(await second.scans.waiting(OTHER_EVENT)).toBe(1);
    });

    it('answers what a ticket and an order have seen, and which conflicts they hold', async () => {
      fresh();
      const { scans } = page();
      await scans.open(EVENT);
      const first = scan({ ticketId: 't-x', orderId: 'o-1', deviceId: THEM, offline: false });
      const second = scan({ ticketId: 't-x', orderId: 'o-1' });
      const sibling = scan({ ticketId: 't-y', orderId: null });
      scans.merge([first], ME);
      scans.record(second);
      scans.record(sibling);
      expect(scans.ofTicket('t-x').map((s) => s.id)).toEqual([first.id, second.id]);
      expect(scans.ofOrder('o-1', ['t-y']).map((s) => s.id)).toEqual([first.id, second.id, sibling.id]);
      expect(scans.latest(2).map((s) => s.id)).toEqual([sibling.id, second.id]);
      const [c] = scans.conflictsOf(['t-x']);
      expect([c?.winner.scanId, c?.loser.scanId]).toEqual([first.id, second.id]);
      expect(scans.conflictsOf(['t-y'])).toEqual([]);
    });

    it('opening another event shows only its scans, and keeps counting what the first still waits for', async () => {
      fresh();
      const { scans } = page();
      await scans.open(EVENT);
      const s = scan();
      scans.record(s);
      await scans.open(OTHER_EVENT);
      expect(scans.get(s.id)).toBeNull();
      expect(scans.size).toBe(0);
      expect(scans.pending).toBe(1);
      expect(scans.nextBatch(OTHER_EVENT, 10)).toEqual([]);
      expect(await scans.waiting(EVENT)).toBe(1);
    });
  });
}
