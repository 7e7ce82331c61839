// The Device fleet screen's state: every phone of the event as the server lists it, kept
// current by the server's stream of changes (a phone online, offline, reporting, revoked),
// its flags kept true as time passes (a phone turns silent with nothing said: the shared
// rule, on the server's clock), and the revocation a supervisor is confirming.
import type { FleetChange, FleetDevice } from '@gatekeeper/shared/api/fleet';
import { fleetFlags } from '@gatekeeper/shared/fleet';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';

export type FleetApi = Pick<Api, 'fleet' | 'watchFleet' | 'revokeDevice'>;
export type FleetStatus = 'loading' | 'ready' | 'error';

/** How often the flags are recomputed between changes: a silent phone is flagged within this. */
export const FLEET_TICK_MS = 10_000;

/** Online phones first, then most recently heard, as the server lists them. */
const order = (a: FleetDevice, b: FleetDevice) =>
  Number(b.online) - Number(a.online) || (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0) || (a.id < b.id ? -1 : 1);

export class FleetView {
  #status = $state<FleetStatus>('loading');
  #error = $state.raw<unknown>(null);
  #devices = $state.raw<FleetDevice[]>([]);
  /** The server's time minus this device's, from the last answer: the flags are judged on the server's clock. */
  #skew = 0;
  #silentAfterMs = $state(0);
  /** This device's clock, moved on by the tick, so the flags recompute. */
  #now = $state(0);
  /** As of when each row is known (server time): an older answer never replaces a newer push. */
  readonly #asOf = new Map<DeviceId, number>();
  #confirming = $state.raw<FleetDevice | null>(null);
  #revoking = $state(false);
  #revokeError = $state.raw<unknown>(null);
  #load = 0;
  readonly #api: FleetApi;
  readonly #eventId: EventId;
  readonly #clock: () => number;

  constructor(api: FleetApi, eventId: EventId, clock: () => number = Date.now) {
    this.#api = api;
    this.#eventId = eventId;
    this.#clock = clock;
    this.#now = clock();
  }

  get status() { return this.#status; }
  get error() { return this.#error; }
  get silentAfterMs() { return this.#silentAfterMs; }
  /** The phone whose revocation waits for the supervisor's confirmation. */
  get confirming() { return this.#confirming; }
  get revoking() { return this.#revoking; }
  get revokeError() { return this.#revokeError; }

  /** Every phone, its flags as of now. */
  get devices(): FleetDevice[] {
    const now = this.#now + this.#skew;
    return this.#devices.map((d) => ({ ...d, ...fleetFlags(d, now, this.#silentAfterMs) }));
  }

  /** Open the stream, then load the list (a change between the two is kept by its time); returns the way to stop. */
  start(): () => void {
    const stop = this.#api.watchFleet(this.#eventId, { change: (c) => this.apply(c), reopened: () => void this.load() });
    const tick = setInterval(() => { this.#now = this.#clock(); }, FLEET_TICK_MS);
    void this.load();
    return () => { stop(); clearInterval(tick); };
  }

  async load(): Promise<void> {
    const load = ++this.#load;
    if (this.#status === 'error') this.#status = 'loading';
    try {
      const reply = await this.#api.fleet(this.#eventId);
      if (load !== this.#load) return;
      this.#now = this.#clock();
      this.#skew = reply.serverTime - this.#now;
      this.#silentAfterMs = reply.silentAfterMs;
      // Rows pushed after the server answered stay as pushed, and so do phones it did not list yet.
      const newer = this.#devices.filter((d) => (this.#asOf.get(d.id) ?? 0) > reply.serverTime);
      const newerIds = new Set(newer.map((d) => d.id));
      this.#devices = [...reply.devices.filter((d) => !newerIds.has(d.id)), ...newer].sort(order);
      for (const d of reply.devices) this.#asOf.set(d.id, Math.max(this.#asOf.get(d.id) ?? 0, reply.serverTime));
      this.#status = 'ready';
      this.#error = null;
    } catch (e) {
      if (load !== this.#load) return;
      this.#error = e;
      if (this.#status !== 'ready') this.#status = 'error';
    }
  }

  /** A phone's row as it is now, from the stream; one older than what is shown is dropped. */
  apply(change: FleetChange): void {
    const { device, serverTime } = change;
    if ((this.#asOf.get(device.id) ?? 0) > serverTime) return;
    this.#asOf.set(device.id, serverTime);
    this.#devices = [...this.#devices.filter((d) => d.id !== device.id), device].sort(order);
    this.#now = this.#clock();
  }

  /** The first tap on Revoke: nothing happens until it is confirmed. */
  askRevoke(id: DeviceId): void {
    this.#confirming = this.#devices.find((d) => d.id === id) ?? null;
    this.#revokeError = null;
  }

  cancelRevoke(): void {
    if (!this.#revoking) this.#confirming = null;
  }

  /** Revoke the phone being confirmed; its row shows it revoked once the server says so. */
  async confirmRevoke(): Promise<void> {
    const device = this.#confirming;
    if (!device || this.#revoking) return;
    this.#revoking = true;
    try {
      await this.#api.revokeDevice(device.id);
      this.#confirming = null;
      await this.load();
    } catch (e) {
      this.#revokeError = e;
    } finally {
      this.#revoking = false;
    }
  }
}
