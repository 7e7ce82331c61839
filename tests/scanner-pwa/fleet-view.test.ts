// The Device fleet screen's state (scanner-pwa/src/lib/console/fleet-view.svelte.ts): the
// server's list kept current by its stream (a newer row wins, whichever arrives first), a
// phone flagged silent as time passes with nothing said, and Revoke only once confirmed.
import { describe, expect, it } from 'vitest';
import type { FleetChange, FleetDevice, FleetReply } from '@gatekeeper/shared/api/fleet';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import { FleetView, type FleetApi } from '../../scanner-pwa/src/lib/console/fleet-view.svelte.ts';

const EVENT = 'ev-1' as EventId;
const T0 = 1_718_000_000_000;
const SILENT = 60_000;

const phone = (id: string, over: Partial<FleetDevice> = {}): FleetDevice => ({
  id: id as DeviceId, name: `phone ${id}`, inspector: null, checkpointId: null, online: true, lastSeenAt: T0, appVersion: '0.10.0',
  clockOffsetMs: 0, waiting: 0, protocolVersion: 10, revokedAt: null, silent: false, clockOff: false, ...over,
});

/** A server that answers what the test says, when the test says. */
class FakeFleetApi implements FleetApi {
  replies: Array<(r: FleetReply) => void> = [];
  on: { change(c: FleetChange): void; reopened(): void } | null = null;
  revoked: DeviceId[] = [];
  fleet(): Promise<FleetReply> { return new Promise((resolve) => this.replies.push(resolve)); }
  watchFleet(_e: EventId, on: { change(c: FleetChange): void; reopened(): void }) { this.on = on; return () => { this.on = null; }; }
  async revokeDevice(id: DeviceId): Promise<void> { this.revoked.push(id); }
  answer(serverTime: number, devices: FleetDevice[]): void { this.replies.shift()!({ eventId: EVENT, serverTime, silentAfterMs: SILENT, devices }); }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the fleet screen\u2019s state', () => {
  it('keeps a row pushed after the server answered, and a phone the answer did not list yet', async () => {
    const api = new FakeFleetApi();
    let now = T0;
    const view = new FleetView(api, EVENT, () => now);
    const stop = view.start();
    // Pushed while the list is on its way: newer than the list the server computed.
    api.on!.change({ serverTime: T0 + 10, device: phone('a', { online: false, lastSeenAt: T0 + 10 }) });
    api.on!.change({ serverTime: T0 + 11, device: phone('c') });
    api.answer(T0 + 5, [phone('a'), phone('b', { online: false, lastSeenAt: T0 - 1000 })]);
    await settle();
    expect(view.status).toBe('ready');
    expect(view.devices.map((d) => [d.id, d.online])).toEqual([['c', true], ['a', false], ['b', false]]);
    // An older push changes nothing.
    api.on!.change({ serverTime: T0 + 1, device: phone('a') });
    expect(view.devices.find((d) => d.id === 'a')!.online).toBe(false);
    stop();
  });

  it('flags an offline phone silent once the threshold passes on the server\u2019s clock, with nothing pushed', async () => {
    const api = new FakeFleetApi();
    let now = T0 - 3_600_000; // this device's clock is an hour behind the server's
    const view = new FleetView(api, EVENT, () => now);
    void view.load();
    api.answer(T0, [phone('a', { online: false, lastSeenAt: T0 - 1000 })]);
    await settle();
    expect(view.devices[0]!.silent).toBe(false);
    now += SILENT;
    // The screen's tick moves its clock on; a push does too. Here, an unrelated push.
    view.apply({ serverTime: T0 + SILENT, device: phone('b') });
    expect(view.devices.find((d) => d.id === 'a')!.silent).toBe(true);
  });

  it('revokes only once confirmed, and not after a cancel', async () => {
    const api = new FakeFleetApi();
    const view = new FleetView(api, EVENT, () => T0);
    void view.load();
    api.answer(T0, [phone('a', { waiting: 3 })]);
    await settle();
    view.askRevoke('a' as DeviceId);
    expect(view.confirming?.id).toBe('a');
    view.cancelRevoke();
    expect(view.confirming).toBeNull();
    expect(api.revoked).toEqual([]);
    view.askRevoke('a' as DeviceId);
    const done = view.confirmRevoke();
    await settle();
    api.answer(T0 + 1, [phone('a', { online: false, revokedAt: T0 + 1 })]);
    await done;
    expect(api.revoked).toEqual(['a']);
    expect(view.confirming).toBeNull();
    expect(view.devices[0]!.revokedAt).toBe(T0 + 1);
  });
});
