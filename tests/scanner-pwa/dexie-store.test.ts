// The phone's scan store over Dexie (fake-indexeddb in Node): new scans are added once, and
// the server's copy of a scan replaces ours, keeping whether this phone made it.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import type { ScanRecord } from '../../scanner-pwa/src/lib/ports.ts';
import { EVENT, T0, makeScanRecord } from '../support/factories.ts';

let n = 0;
/** This phone's own scan, not uploaded yet; each one a millisecond after the one before. */
const record = (over: Partial<ScanRecord> = {}): ScanRecord => makeScanRecord({ at: T0 + ++n, ...over });

const opened: GatekeeperDb[] = [];
function store(): DexieStore {
  const db = new GatekeeperDb(`test-${Math.random()}`);
  opened.push(db);
  return new DexieStore(db);
}
afterEach(async () => { for (const db of opened.splice(0)) await db.delete(); });

describe('DexieStore.addScans', () => {
  it('adds new scans once and queues those not uploaded', async () => {
    const s = store();
    const a = record(), b = record({ uploaded: 1, own: 0 });
    expect((await s.addScans([a, b, { ...a }])).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(await s.addScans([a])).toEqual([]);
    expect((await s.pendingIds(EVENT)).length).toBe(1);
    expect((await s.pendingIds()).length).toBe(1);
  });

  it("a copy of ours does not change our record; the server's copy replaces it and dequeues it", async () => {
    const s = store();
    const ours = record();
    await s.addScans([ours]);
    await s.addScans([{ ...ours, outcome: 'already_used' }]);
    expect((await s.scansOf(EVENT))[0].outcome).toBe('valid');

    await s.addScans([{ ...ours, outcome: 'already_used', offline: false, uploaded: 1, own: 0 }]);
    const [stored] = await s.scansOf(EVENT);
    expect(stored).toMatchObject({ id: ours.id, outcome: 'already_used', offline: false, uploaded: 1, own: 1 });
    expect((await s.pendingIds(EVENT)).length).toBe(0);
  });

  it('an own scan keeps the text it scanned when the server\u2019s copy (code "") replaces it; another phone\u2019s does not', async () => {
    const s = store();
    const ours = record({ code: 'GK1T-ours' }), theirs = record({ code: 'GK1T-theirs', own: 0, uploaded: 1 });
    await s.addScans([ours, theirs]);
    await s.addScans([{ ...ours, code: '', offline: false, uploaded: 1, own: 0 }, { ...theirs, code: '' }]);
    const byId = new Map((await s.scansOf(EVENT)).map((r) => [r.id, r]));
    expect(byId.get(ours.id)).toMatchObject({ code: 'GK1T-ours', offline: false, uploaded: 1, own: 1 });
    expect(byId.get(theirs.id)?.code).toBe('');
  });

  it('markWaiting queues an uploaded scan again (a replaced server database may lack it)', async () => {
    const s = store();
    const a = record({ uploaded: 1 });
    await s.addScans([a]);
    expect(await s.pendingIds(EVENT)).toEqual([]);
    await s.markWaiting([a.id]);
    expect(await s.pendingIds(EVENT)).toEqual([a.id]);
    expect((await s.scansOf(EVENT))[0]).toEqual({ ...a, uploaded: 0 });
  });

  it('markUploaded dequeues without changing the record', async () => {
    const s = store();
    const a = record();
    await s.addScans([a]);
    await s.markUploaded([a.id]);
    expect((await s.pendingIds(EVENT)).length).toBe(0);
    expect((await s.scansOf(EVENT))[0]).toEqual({ ...a, uploaded: 1 });
  });
});
