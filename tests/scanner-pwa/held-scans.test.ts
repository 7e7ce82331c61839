// Own scans that storage refused: held in memory and in a backup, written again with backoff
// until the write lands; nothing is dropped on the way. (Counting and uploading them is
// LocalScans', tests/scanner-pwa/local-scans.test.ts.)
import { describe, expect, it } from 'vitest';
import { scanId, type EventId } from '@gatekeeper/shared/ids';
import type { ScanRecord } from '../../scanner-pwa/src/lib/ports.ts';
import { HeldScans } from '../../scanner-pwa/src/lib/scans/held-scans.ts';
import { BACKUP_KEY, localStorageBackup } from '../../scanner-pwa/src/lib/scans/scan-backup.ts';
import { hlcAt, makeScanRecord } from '../support/factories.ts';
import { UNIT_WAIT_MS, until } from '../support/until.ts';

const EVENT = 'ev-1' as EventId;
const FAST = { baseMs: 5, capMs: 20 };

/** A valid scan record; `order` ('a', 'b', …) sets its place in HLC order. */
const record = (id: string, order: string, extra: Partial<ScanRecord> = {}): ScanRecord =>
  makeScanRecord({ id: scanId(id), eventId: EVENT, hlc: hlcAt(1_700_000_000_000 + order.charCodeAt(0)), at: 0, ...extra });

/** A store write that fails `failures` times with the given error, then stores. */
function flakyWrite(failures: number, error = new DOMException('The quota has been exceeded.', 'QuotaExceededError')) {
  const stored: ScanRecord[][] = [];
  let calls = 0;
  const write = async (records: ScanRecord[]) => {
    calls++;
    if (calls <= failures) throw error;
    stored.push(records.map((r) => ({ ...r })));
  };
  return { write, stored, calls: () => calls };
}

describe('HeldScans', () => {
  it('holds own scans, reports the error, and writes them again until the write lands', async () => {
    const w = flakyWrite(2);
    let changes = 0;
    const u = new HeldScans(w.write, () => changes++, FAST);
    u.hold([record('s-2', 'b'), record('s-1', 'a')], new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    expect(u.count).toBe(2);
    expect(u.toUpload).toBe(2);
    expect(u.error).toBe('QuotaExceededError: The quota has been exceeded.');
    expect(u.of(EVENT).map((r) => r.id).sort()).toEqual(['s-1', 's-2']);
    expect(u.of('other' as EventId)).toEqual([]);

    await until(() => u.count === 0, 'every held scan to be written', UNIT_WAIT_MS);
    expect(w.calls()).toBe(3);
    expect(w.stored).toHaveLength(1);
    expect(w.stored[0].map((r) => r.id).sort()).toEqual(['s-1', 's-2']);
    expect(changes).toBeGreaterThan(0);
    expect(u.error).toBeNull();
    expect(u.toUpload).toBe(0);
  });

  it('a scan the server acknowledged is no longer to upload, and is stored as uploaded', async () => {
    let fail = true;
    const stored: ScanRecord[] = [];
    const u = new HeldScans(async (rs) => { if (fail) throw new Error('closed'); stored.push(...rs); }, () => {}, FAST);
    u.hold([record('s-1', 'a'), record('s-2', 'b')], new Error('closed'));
    u.markUploaded(['s-1']);
    expect(u.count).toBe(2);
    expect(u.toUpload).toBe(1);
    fail = false;
    await u.retryNow();
    expect(u.count).toBe(0);
    expect(stored.find((r) => r.id === 's-1')?.uploaded).toBe(1);
    expect(stored.find((r) => r.id === 's-2')?.uploaded).toBe(0);
  });

  it('holding a scan again after the server acknowledged it keeps it acknowledged', () => {
    const u = new HeldScans(async () => { throw new Error('closed'); }, () => {}, { baseMs: 60_000, capMs: 60_000 });
    u.hold([record('s-1', 'a')], new Error('closed'));
    u.markUploaded(['s-1']);
    u.hold([record('s-1', 'a')], new Error('closed'));
    expect(u.toUpload).toBe(0);
    u.stop();
  });

  it('a scan held while a write is under way waits for the next write, not dropped with the first', async () => {
    let release!: () => void;
    const writes: string[][] = [];
    const u = new HeldScans(async (rs) => {
      writes.push(rs.map((r) => r.id));
      if (writes.length === 1) await new Promise<void>((r) => { release = r; });
    }, () => {}, FAST);
    u.hold([record('s-1', 'a')], new Error('closed'));
    const first = u.retryNow();
    u.hold([record('s-2', 'b')], new Error('closed'));
    release();
    await first;
    expect(u.count).toBe(1);
    await until(() => u.count === 0, 'every held scan to be written', UNIT_WAIT_MS);
    expect(writes).toEqual([['s-1'], ['s-2']]);
  });

  it('retryNow while a write is under way waits for it and writes again: that write began before the space came back', async () => {
    let full = true;
    let release!: () => void;
    const writes: string[] = [];
    const write = async (records: ScanRecord[]) => {
      writes.push(full ? 'full' : 'ok');
      if (full) {
        // The backoff's write, started while storage was still full, is slow to fail.
        await new Promise<void>((r) => { release = r; });
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      void records;
    };
    const u = new HeldScans(write, () => {}, { baseMs: 1, capMs: 1 });
    u.hold([record('s-1', 'a')], new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    await until(() => writes.length === 1, 'the backoff\u2019s write under way');
    full = false;
    const retried = u.retryNow();
    release();
    await retried;
    expect(writes).toEqual(['full', 'ok']);
    expect(u.count).toBe(0);
    u.stop();
  });

  it('only the phone’s own scans are held (gossip is the server’s, heard again on catch-up)', () => {
    const u = new HeldScans(async () => {}, () => {}, FAST);
    u.hold([record('g-1', 'a', { own: 0, uploaded: 1 }), record('s-1', 'b')], new Error('closed'));
    expect(u.count).toBe(1);
    u.stop();
  });

  it('backs held scans up, and a new page restores them, writes them and clears the backup', async () => {
    const items = new Map<string, string>();
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => { items.set(k, v); }, removeItem: (k: string) => { items.delete(k); } };
    const backup = localStorageBackup(BACKUP_KEY, storage)!;
    const first = new HeldScans(async () => { throw new Error('closed'); }, () => {}, { baseMs: 60_000, capMs: 60_000 }, backup);
    first.hold([record('s-1', 'a'), record('s-2', 'b')], new Error('closed'));
    first.markUploaded(['s-2']);
    first.stop();
    expect(JSON.parse(items.get(BACKUP_KEY)!)).toHaveLength(2);

    // The page is reloaded: the next one finds them, holds them and writes them.
    const stored: ScanRecord[] = [];
    const second = new HeldScans(async (rs) => { stored.push(...rs); }, () => {}, FAST, backup);
    expect(second.restore().map((r) => r.id)).toEqual(['s-1', 's-2']);
    await second.retryNow();
    expect(stored.map((r) => [r.id, r.uploaded])).toEqual([['s-1', 0], ['s-2', 1]]);
    expect(second.count).toBe(0);
    expect(items.has(BACKUP_KEY)).toBe(false);
  });

  it('a backup that is not ours (garbled, or records that are not scans) restores nothing it cannot trust', () => {
    const items = new Map<string, string>([[BACKUP_KEY, '{not json']]);
    const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => { items.set(k, v); }, removeItem: (k: string) => { items.delete(k); } };
    expect(localStorageBackup(BACKUP_KEY, storage)!.load()).toEqual([]);
    items.set(BACKUP_KEY, JSON.stringify([record('s-1', 'a'), { id: 's-2', outcome: 'valid' }, 42]));
    expect(localStorageBackup(BACKUP_KEY, storage)!.load().map((r) => r.id)).toEqual(['s-1']);
    expect(localStorageBackup(BACKUP_KEY, null)).toBeNull();
  });
});
