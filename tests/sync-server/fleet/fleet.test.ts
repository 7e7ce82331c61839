// The fleet's bookkeeping (sync-server/src/fleet/fleet.ts) on the frozen clock of the test
// app: a phone with two sockets is online until the last closes, pings change what is
// listed without touching the disk, and a disk that refuses the report keeps nobody from
// anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetChange } from '@gatekeeper/shared/api/fleet';
import { checkpointId, inspectorId, type DeviceId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { DEMO_EVENT } from '../../../sync-server/src/seed/seed.ts';
import type { FleetSocket } from '../../../sync-server/src/fleet/fleet.ts';
import { makeTestApp, type TestApp } from '../../support/app.ts';

const MAIN = checkpointId('main-gate');
let t: TestApp;
let device: DeviceId;

const socket = (over: Partial<FleetSocket> = {}): FleetSocket =>
  ({ eventId: DEMO_EVENT, deviceId: device, staff: { id: inspectorId('i-inspector') }, version: 10, checkpointId: MAIN, ...over });
const rowOf = async () => (await t.fleet.list(DEMO_EVENT)).devices.find((d) => d.id === device);
const stored = async () => (await t.storage.listDeviceReports(DEMO_EVENT)).find((r) => r.deviceId === device);

beforeAll(async () => {
  t = await makeTestApp({ tickets: 5 });
  const phone = await t.as('inspector');
  device = (await phone.post('/api/devices', { name: 'Gate 1 phone' })).json.device.id;
});
afterAll(async () => { await t?.close(); });

describe('the fleet', () => {
  it('lists a phone online until its last socket closes, then as last heard then, and tells watchers each change', async () => {
    const told: FleetChange[] = [];
    const stop = t.fleet.watch(DEMO_EVENT, (c) => told.push(c));
    const first = socket();
    const second = socket();
    t.fleet.connected(first, { appVersion: '2.0.0', clockOffsetMs: 40, waiting: 1 });
    t.fleet.connected(second, { appVersion: '2.0.0', clockOffsetMs: 40, waiting: 1 });
    t.fleet.disconnected(first);
    expect(await rowOf()).toMatchObject({ online: true, name: 'Gate 1 phone', lastSeenAt: t.clock.now, inspector: { name: 'Ingrid Inspector' } });
    t.clock.advance(60_000);
    const goneAt = t.clock.now;
    t.fleet.disconnected(second);
    t.fleet.disconnected(second); // closing, then closed: told once
    expect(await rowOf()).toMatchObject({ online: false, lastSeenAt: goneAt, appVersion: '2.0.0', silent: false });
    await expect.poll(stored).toMatchObject({ seenAt: goneAt });
    await expect.poll(() => told.length).toBe(3);
    expect(told.map((c) => c.device.online)).toEqual([true, true, false]);
    stop();
  });

  it('a ping with a new report is listed and told at once, and written to disk only when the phone goes', async () => {
    const s = socket();
    t.fleet.connected(s, { appVersion: '2.0.0', clockOffsetMs: 40, waiting: 4 });
    await expect.poll(stored).toMatchObject({ waiting: 4 });
    const told: FleetChange[] = [];
    const stop = t.fleet.watch(DEMO_EVENT, (c) => told.push(c));
    t.fleet.reported(s, { appVersion: '2.0.0', clockOffsetMs: 40, waiting: 4 }); // nothing new: nothing told
    t.fleet.reported(s, { appVersion: '2.0.0', clockOffsetMs: 40, waiting: 0 });
    expect(await rowOf()).toMatchObject({ online: true, waiting: 0 });
    await expect.poll(() => told.map((c) => c.device.waiting)).toEqual([0]);
    expect(await stored()).toMatchObject({ waiting: 4 });
    t.fleet.disconnected(s);
    await expect.poll(stored).toMatchObject({ waiting: 0 });
    stop();
  });

  it('a report the disk refuses (full) is logged, and the phone is listed from memory all the same', async () => {
    const real = t.storage.recordDeviceReport;
    t.storage.recordDeviceReport = async () => { throw new GkError('unavailable', 'the server cannot store this now (SQLITE_FULL)'); };
    const s = socket({ version: 9 });
    try {
      t.fleet.connected(s, undefined);
      expect(await rowOf()).toMatchObject({ online: true, protocolVersion: 9, appVersion: null, waiting: null });
    } finally {
      t.fleet.disconnected(s);
      t.storage.recordDeviceReport = real;
    }
  });
});
