// Protocol 10: the phone tells the supervisors' fleet its app version, its clock offset and
// its scans waiting to upload, in its hello and in every ping, as they are at that moment.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointId, DeviceId, EventId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION, type DeviceReport } from '@gatekeeper/shared/protocol/index';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { ServerClock } from '../../scanner-pwa/src/lib/state/server-clock.svelte.ts';
import { SyncClient } from '../../scanner-pwa/src/lib/sync/sync-client.svelte.ts';
import { makeScan } from '../support/factories.ts';
import { ScriptedSocket } from '../support/scripted-socket.ts';
import { until } from '../support/until.ts';

const EVENT = 'ev-a' as EventId;
const DEVICE = 'd-1' as DeviceId;
const GATE = 'main-gate' as CheckpointId;

const dbs: GatekeeperDb[] = [];
afterEach(async () => { for (const db of dbs.splice(0)) await db.delete(); });

const sentOf = <T>(socket: ScriptedSocket, type: string): T[] =>
  socket.sent.map((t) => JSON.parse(t) as { type: string }).filter((m) => m.type === type) as T[];

describe('what the phone reports of itself', () => {
  it('hello says the version, the stored offset and the waiting scans; each ping says them as they are then', async () => {
    const db = new GatekeeperDb(`report-${Math.random()}`);
    dbs.push(db);
    const store = new DexieStore(db);
    const socket = new ScriptedSocket();
    const scans = new LocalScans(store);
    const clock = new ServerClock(-250);
    const sync = new SyncClient({ socket, scans, store, event: { setCodeWord: () => {} }, clock, appVersion: '0.10.0-test', url: () => 'ws://test/ws', onUnauthenticated: () => {} });
    await scans.open(EVENT);
    scans.record(makeScan({ eventId: EVENT, deviceId: DEVICE, offline: true }));
    sync.start({ eventId: EVENT, deviceId: DEVICE, deviceSecret: 'secret', checkpointId: GATE });
    socket.open();
    await until(() => sentOf(socket, 'hello').length === 1, 'hello');
    expect(sentOf<{ report: DeviceReport }>(socket, 'hello')[0]!.report).toEqual({ appVersion: '0.10.0-test', clockOffsetMs: -250, waiting: 1 });

    socket.deliver({ type: 'welcome', v: PROTOCOL_VERSION, serverTime: Date.now(), inspector: { id: 'i-1', name: 'Ina', role: 'inspector' }, eventId: EVENT, codeWord: null, cursor: 0, logId: 'log-1' });
    // The welcome's first ping goes at once; its pong measures the offset anew.
    await until(() => sentOf(socket, 'ping').length >= 1, 'the first ping');
    const first = sentOf<{ id: number; clientTime: number; report: DeviceReport }>(socket, 'ping')[0]!;
    expect(first.report.appVersion).toBe('0.10.0-test');
    socket.deliver({ type: 'pong', id: first.id, clientTime: first.clientTime, serverTime: first.clientTime + 30_000 });
    // The queued scan is uploaded and acknowledged: nothing waits any more.
    await until(() => sentOf(socket, 'upload').length === 1, 'the upload');
    const upload = sentOf<{ batchId: string; scans: Array<{ id: string }> }>(socket, 'upload')[0]!;
    socket.deliver({ type: 'uploadAck', batchId: upload.batchId, results: upload.scans.map((s) => ({ scanId: s.id, status: 'accepted', conflict: null, quarantine: null })) });
    await until(() => scans.pending === 0, 'nothing waiting');

    sync.wake();
    const last = sentOf<{ report: DeviceReport }>(socket, 'ping').at(-1)!;
    expect(last.report.waiting).toBe(0);
    expect(Math.abs(last.report.clockOffsetMs! - 30_000)).toBeLessThan(5_000);
    sync.stop();
    await sync.settled();
    await scans.settled();
  });
});
