// The supervisors' device fleet: every phone that has spoken for an event, whether a socket
// of it is open now, and what it last reported (protocol 10: app version, clock offset,
// scans waiting). Online phones' reports live here, in memory, refreshed by every ping (every
// 15 s per phone: written to disk each time, they would cost a WAL fsync a second at a
// stadium's hundred phones for a number that is stale a ping later). Storage gets the
// report at each hello and the last one when the phone's last socket closes, which is
// what "last seen" means for a phone that is gone.
//
// Watchers (GET …/fleet/stream) get a phone's row whenever it comes online, goes offline,
// reports something new or is revoked.
import type { FleetChange, FleetDevice, FleetReply } from '@gatekeeper/shared/api/fleet';
import { fleetFlags } from '@gatekeeper/shared/fleet';
import type { CheckpointId, DeviceId, EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { DeviceReport } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { DeviceReportRecord, Storage } from '../storage/types.ts';

export interface FleetDeps {
  storage: Pick<Storage, 'recordDeviceReport' | 'listDeviceReports' | 'getDevice' | 'getStaff'>;
  log: Logger;
  now: () => number;
  /** How long an offline phone may go unheard before it is flagged silent (shared/fleet.ts). */
  silentAfterMs: number;
}

/** A socket that said hello, as the fleet needs it (hub/connection.ts plus the hello's checkpoint). */
export interface FleetSocket {
  readonly eventId: EventId;
  readonly deviceId: DeviceId;
  readonly staff: { readonly id: InspectorId };
  readonly version: number;
  readonly checkpointId: CheckpointId | null;
}

export type FleetWatcher = (change: FleetChange) => void;

interface OnlinePhone { record: DeviceReportRecord; sockets: Set<FleetSocket> }

const keyOf = (eventId: EventId, deviceId: DeviceId) => `${eventId}\u0000${deviceId}`;
const sameReport = (a: DeviceReportRecord, b: DeviceReportRecord) =>
  a.appVersion === b.appVersion && a.clockOffsetMs === b.clockOffsetMs && a.waiting === b.waiting
  && a.checkpointId === b.checkpointId && a.inspectorId === b.inspectorId && a.protocolVersion === b.protocolVersion;

export class Fleet {
  readonly #online = new Map<string, OnlinePhone>();
  readonly #watchers = new Map<EventId, Set<FleetWatcher>>();
  #telling: Promise<void> = Promise.resolve();

  constructor(private readonly deps: FleetDeps) {}

  /** A socket said hello (its report, from a phone of protocol 10 or later). */
  connected(socket: FleetSocket, report: DeviceReport | undefined): void {
    const key = keyOf(socket.eventId, socket.deviceId);
    const record = this.#record(socket, report);
    const phone = this.#online.get(key) ?? { record, sockets: new Set<FleetSocket>() };
    phone.record = record;
    phone.sockets.add(socket);
    this.#online.set(key, phone);
    this.#persist(record);
    this.#tell(record, true);
  }

  /** A ping: the phone is there, and says how it is now. */
  reported(socket: FleetSocket, report: DeviceReport | undefined): void {
    const phone = this.#online.get(keyOf(socket.eventId, socket.deviceId));
    if (!phone?.sockets.has(socket)) return;
    const before = phone.record;
    // A ping without a report (an older phone) keeps what its hello said.
    phone.record = report ? this.#record(socket, report) : { ...before, seenAt: this.deps.now() };
    if (!sameReport(before, phone.record)) this.#tell(phone.record, true);
  }

  /** A socket closed (or started closing); the phone is offline once its last one has. Idempotent. */
  disconnected(socket: FleetSocket): void {
    const key = keyOf(socket.eventId, socket.deviceId);
    const phone = this.#online.get(key);
    if (!phone?.sockets.delete(socket)) return;
    if (phone.sockets.size > 0) return;
    this.#online.delete(key);
    const record = { ...phone.record, seenAt: this.deps.now() };
    this.#persist(record);
    this.#tell(record, false);
  }

  /** A phone was revoked: its rows are told again to whoever watches (sockets close on their own). */
  async revoked(deviceId: DeviceId): Promise<void> {
    for (const eventId of this.#watchers.keys()) {
      const record = (await this.#records(eventId)).find((r) => r.deviceId === deviceId);
      if (record) this.#tell(record, this.#isOnline(record));
    }
  }

  /** GET …/fleet: every phone of the event, online ones first, then most recently heard first. */
  async list(eventId: EventId): Promise<FleetReply> {
    const now = this.deps.now();
    const rows = await Promise.all((await this.#records(eventId)).map((r) => this.#row(r, this.#isOnline(r), now)));
    rows.sort((a, b) => Number(b.online) - Number(a.online) || (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0) || (a.id < b.id ? -1 : 1));
    return { eventId, serverTime: now, silentAfterMs: this.deps.silentAfterMs, devices: rows };
  }

  /** Be told each phone's row of the event when it changes; returns the way to stop. */
  watch(eventId: EventId, watcher: FleetWatcher): () => void {
    let set = this.#watchers.get(eventId);
    if (!set) this.#watchers.set(eventId, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.#watchers.get(eventId) === set) this.#watchers.delete(eventId);
    };
  }

  /** Stored reports with the online phones' newer ones over them. */
  async #records(eventId: EventId): Promise<DeviceReportRecord[]> {
    const byDevice = new Map((await this.deps.storage.listDeviceReports(eventId)).map((r) => [r.deviceId, r]));
    for (const phone of this.#online.values()) if (phone.record.eventId === eventId) byDevice.set(phone.record.deviceId, phone.record);
    return [...byDevice.values()];
  }

  #isOnline(r: DeviceReportRecord): boolean {
    return this.#online.has(keyOf(r.eventId, r.deviceId));
  }

  #record(socket: FleetSocket, report: DeviceReport | undefined): DeviceReportRecord {
    return {
      eventId: socket.eventId, deviceId: socket.deviceId, inspectorId: socket.staff.id, checkpointId: socket.checkpointId,
      protocolVersion: socket.version, appVersion: report?.appVersion ?? null, clockOffsetMs: report?.clockOffsetMs ?? null,
      waiting: report?.waiting ?? null, seenAt: this.deps.now(),
    };
  }

  async #row(r: DeviceReportRecord, online: boolean, now: number): Promise<FleetDevice> {
    const [device, staff] = await Promise.all([this.deps.storage.getDevice(r.deviceId), this.deps.storage.getStaff(r.inspectorId)]);
    const lastSeenAt = online ? now : r.seenAt;
    const revokedAt = device?.revokedAt ?? null;
    return {
      id: r.deviceId, name: device?.name ?? r.deviceId, inspector: staff ? { id: staff.id, name: staff.name } : null,
      checkpointId: r.checkpointId, online, lastSeenAt, appVersion: r.appVersion, clockOffsetMs: r.clockOffsetMs, waiting: r.waiting,
      protocolVersion: r.protocolVersion, revokedAt,
      ...fleetFlags({ online, lastSeenAt, clockOffsetMs: r.clockOffsetMs, revokedAt }, now, this.deps.silentAfterMs),
    };
  }

  // "Last seen" is bookkeeping: a disk that cannot take the write (full) must not keep a
  // phone from its welcome or its verdicts. The phone says it again at its next hello.
  #persist(record: DeviceReportRecord): void {
    void this.deps.storage.recordDeviceReport(record)
      .catch((e: unknown) => this.deps.log.warn('could not record a device report', { device: record.deviceId, err: String(e) }));
  }

  // One at a time, in the order they happened: a row is named from storage (the device, who
  // holds it), and two reads in flight may resolve in either order (one may wait for a WAL
  // fsync), which would tell a phone online after it went.
  #tell(record: DeviceReportRecord, online: boolean): void {
    const watchers = this.#watchers.get(record.eventId);
    if (!watchers?.size) return;
    const now = this.deps.now();
    this.#telling = this.#telling.then(async () => {
      const device = await this.#row(record, online, now);
      for (const w of this.#watchers.get(record.eventId) ?? []) w({ serverTime: now, device });
    }).catch((e: unknown) => this.deps.log.warn('could not tell a fleet change', { device: record.deviceId, err: String(e) }));
  }
}
