// Signing out leaves no event data on the phone: the ticket list (with buyers), the scans
// the server has, the gossip cursors. Refused while scans wait to upload, and then
// nothing is touched.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventId } from '@gatekeeper/shared/ids';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { cursorKey, type Api, type ManifestHeader, type ScanRecord } from '../../scanner-pwa/src/lib/ports.ts';
import { Session } from '../../scanner-pwa/src/lib/state/session.svelte.ts';
import { T0, makeScanRecord } from '../support/factories.ts';

const EVENT = 'e-1' as EventId;
const OTHER = 'e-2' as EventId;
let n = 0;
const scan = (eventId: EventId, uploaded: 0 | 1): ScanRecord => makeScanRecord({ eventId, uploaded, offline: false, at: T0 + ++n });
const header = (eventId: EventId) => ({ eventId, version: 3, ticketCount: 1 }) as unknown as ManifestHeader;

const opened: GatekeeperDb[] = [];
afterEach(async () => { for (const db of opened.splice(0)) await db.delete(); });

async function phoneWithTwoEvents(): Promise<DexieStore> {
  const db = new GatekeeperDb(`logout-${Math.random()}`);
  opened.push(db);
  const store = new DexieStore(db);
  for (const e of [EVENT, OTHER]) {
    await store.replaceManifest(header(e), [{ eventId: e, seq: 0, kind: 'full', tickets: '[["t-1"]]', orders: '[{"buyerName":"Sanne"}]' }]);
    await store.setMeta(cursorKey(e), 42);
  }
  await store.setMeta('device:i-1', 'd-1');
  await store.setMeta('session', { inspector: { id: 'i-1', name: 'Ina', role: 'inspector' }, events: [] });
  return store;
}
const api = { logout: async () => {} } as unknown as Api;

describe('signing out', () => {
  it('removes every event\u2019s manifest, uploaded scans and cursor from the phone', async () => {
    const store = await phoneWithTwoEvents();
    await store.addScans([scan(EVENT, 1), scan(OTHER, 1)]);
    expect(await new Session(api, store).logout((await store.pendingIds()).length)).toEqual({ ok: true });
    expect(await store.db.manifests.count()).toBe(0);
    expect(await store.db.chunks.count()).toBe(0);
    expect(await store.db.scans.count()).toBe(0);
    expect(await store.getMeta(cursorKey(EVENT))).toBeUndefined();
    expect(await store.getMeta(cursorKey(OTHER))).toBeUndefined();
    expect(await store.loadManifest(EVENT)).toBeNull();
    // The phone's registration is not event data: the next sign-in reuses it.
    expect(await store.getMeta('device:i-1')).toBe('d-1');
  });

  it('is refused while a scan waits to upload, and then removes nothing', async () => {
    const store = await phoneWithTwoEvents();
    await store.addScans([scan(EVENT, 0), scan(EVENT, 1)]);
    expect(await new Session(api, store).logout((await store.pendingIds()).length)).toEqual({ ok: false, unsynced: 1 });
    expect(await store.db.scans.count()).toBe(2);
    expect(await store.loadManifest(EVENT)).not.toBeNull();
    expect(await store.getMeta(cursorKey(EVENT))).toBe(42);
  });

  it('never drops a scan that is still waiting to upload, even if one lands during sign-out', async () => {
    const store = await phoneWithTwoEvents();
    const waiting = scan(EVENT, 0);
    await store.addScans([waiting, scan(EVENT, 1)]);
    await store.forgetEvents();
    expect((await store.db.scans.toArray()).map((s) => s.id)).toEqual([waiting.id]);
  });
});
