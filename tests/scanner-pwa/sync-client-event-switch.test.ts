// One phone, two events in a shift: what the sync client shows belongs to the event it
// scans now. Issue 9: after switching event, the conflict alert could still show the
// previous event's conflict.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conflict } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION } from '@gatekeeper/shared/protocol/index';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { ServerClock } from '../../scanner-pwa/src/lib/state/server-clock.svelte.ts';
import { SyncClient } from '../../scanner-pwa/src/lib/sync/sync-client.svelte.ts';
import { until } from '../support/until.ts';
import { ScriptedSocket } from '../support/scripted-socket.ts';

const A = 'ev-a' as EventId;
const B = 'ev-b' as EventId;
const DEVICE = 'd-1' as DeviceId;
const GATE = 'main-gate' as CheckpointId;

const summary = (scanId: string, deviceId: string) => ({
  scanId, at: 1, checkpointId: GATE, inspectorId: 'i-1', deviceId, outcome: 'valid', offline: true,
});
const conflictOf = (eventId: EventId): Conflict => ({
  eventId, ticketId: 't-1', scope: 'grounds', winner: summary('s-w', 'd-2'), loser: summary('s-l', DEVICE),
} as Conflict);
const welcome = (eventId: EventId) => ({
  type: 'welcome', v: PROTOCOL_VERSION, serverTime: Date.now(), inspector: { id: 'i-1', name: 'Ina', role: 'inspector' }, eventId, codeWord: null, cursor: 0, logId: 'log-1',
});

const dbs: GatekeeperDb[] = [];
afterEach(async () => { for (const db of dbs.splice(0)) await db.delete(); });

function phone() {
  const db = new GatekeeperDb(`switch-${Math.random()}`);
  dbs.push(db);
  const store = new DexieStore(db);
  const socket = new ScriptedSocket();
  const scans = new LocalScans(store);
  const sync = new SyncClient({ socket, scans, store, event: { setCodeWord: () => {} }, clock: new ServerClock(0), appVersion: 'test', url: () => 'ws://test/ws', onUnauthenticated: () => {} });
  const start = async (eventId: EventId) => {
    sync.start({ eventId, deviceId: DEVICE, deviceSecret: 'secret', checkpointId: GATE });
    socket.open();
    await until(() => socket.sentTypes().filter((t) => t === 'hello').length > 0, 'hello');
    socket.deliver(welcome(eventId));
    await until(() => sync.online, 'online');
  };
  return { sync, socket, start };
}

describe('the sync client across an event switch', () => {
  it('shows no conflict alert of the event it left', async () => {
    const p = phone();
    await p.start(A);
    p.socket.deliver({ type: 'conflict', conflict: conflictOf(A) });
    await until(() => p.sync.conflicts.length === 1, 'the conflict alerted');

    p.sync.stop();
    p.socket.sent.length = 0;
    await p.start(B);
    expect(p.sync.conflicts).toEqual([]);
    p.sync.stop();
  });
});
