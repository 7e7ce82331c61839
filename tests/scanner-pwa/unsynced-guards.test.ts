// Never log out, and never leave an event, with scans that have not reached the server:
// also not when they are held in memory because IndexedDB refused them (issue 9: logout and
// the event switch counted only the stored queue, and let such a phone sign out).
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId, InspectorId } from '@gatekeeper/shared/ids';
import { App } from '../../scanner-pwa/src/lib/app.svelte.ts';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import type { Api, ScanRecord } from '../../scanner-pwa/src/lib/ports.ts';
import { ScriptedSocket } from '../support/scripted-socket.ts';

const EVENT = 'ev-a' as EventId;
const OTHER = 'ev-b' as EventId;
const GATE = 'main-gate' as CheckpointId;

/** A phone whose IndexedDB takes every write but scans (the disk filled up after sign-in). */
class ScansRefused extends DexieStore {
  override async addScans(): Promise<ScanRecord[]> {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

const api = {
  login: async () => ({ inspector: { id: 'i-1' as InspectorId, name: 'Ina', role: 'inspector' }, events: [] }),
  logout: async () => {},
  registerDevice: async (name: string) => ({ id: 'd-1' as DeviceId, name, secret: 'secret' }),
  manifest: async () => { throw new Error('no server in this test'); },
} as unknown as Api;

const dbs: GatekeeperDb[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const db of dbs.splice(0)) await db.delete();
});

async function signedInPhone(): Promise<App> {
  const db = new GatekeeperDb(`guards-${Math.random()}`);
  dbs.push(db);
  const app = new App({
    api, store: new ScansRefused(db), socket: new ScriptedSocket(), socketUrl: () => 'ws://nowhere/ws',
    camera: () => { throw new Error('no camera in this test'); },
    feedback: { signal: () => {}, unlock: () => {} } as never, lang: 'en',
  }, 0);
  await app.session.login('ina', 'pw');
  await app.session.select({ eventId: EVENT, checkpointId: GATE, direction: 'entry' }, 0);
  return app;
}

/** An offline admission of this phone that storage refuses: it is held in memory. */
async function holdOneScan(app: App): Promise<void> {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const now = Date.now();
  const scan = {
    id: `s-${Math.random()}`, eventId: EVENT, ticketId: 't-1', orderId: null, code: 'T1', checkpointId: GATE, zone: 'grounds',
    mode: 'once_per_event', direction: 'entry', deviceId: 'd-1', inspectorId: 'i-1', hlc: `${String(now).padStart(15, '0')}:0000`,
    at: now, clockOffset: 0, outcome: 'valid', offline: true, idChecked: false,
  } as Scan;
  app.scans.record(scan);
  await app.scans.settled();
  expect(app.scans.heldToUpload).toBe(1);
}

describe('scans held in memory (storage refused them)', () => {
  it('stop a logout, which says how many wait', async () => {
    const app = await signedInPhone();
    await holdOneScan(app);
    await app.logout();
    expect(app.notice).toEqual({ key: 'unsyncedLogout', params: { count: 1 } });
    expect(app.session.phase).toBe('signedIn');
  });

  it('stop a switch to another event', async () => {
    const app = await signedInPhone();
    await holdOneScan(app);
    expect(await app.choose({ eventId: OTHER, checkpointId: GATE, direction: 'entry' })).toBe(false);
    expect(app.notice).toEqual({ key: 'unsyncedSwitch', params: { count: 1 } });
    expect(app.session.selection?.eventId).toBe(EVENT);
  });
});
