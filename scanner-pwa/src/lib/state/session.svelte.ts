// Who is signed in on this phone, with which registered device, scanning where. Kept in
// IndexedDB so a reload without network goes straight back to the camera. Signing out, and
// switching event, are refused while scans wait to upload: they would strand them.
//
// The device (its id and the secret the server answered once at registration) belongs to
// the phone, not to whoever is signed in: it stays through logout, and the next inspector's
// login claims it with the secret, so history shows one phone at one gate all day. Only a
// revocation forgets it.
import type { Direction } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { NetworkError } from '../api/http-api.ts';
import type { Api, Inspector, SessionInfo, Store } from '../ports.ts';

export interface Selection { eventId: EventId; checkpointId: CheckpointId; direction: Direction }
export type Refusal = { ok: false; unsynced: number };
export type Done = { ok: true };

const META_SESSION = 'session';
const META_SELECTION = 'selection';
/** This phone's device: kept through logout (see above). */
const META_DEVICE = 'device';
interface StoredDevice { id: DeviceId; secret: string }

export class Session {
  #phase = $state<'starting' | 'signedOut' | 'signedIn'>('starting');
  #inspector = $state.raw<Inspector | null>(null);
  #events = $state.raw<GkEvent[]>([]);
  #device = $state.raw<StoredDevice | null>(null);
  #selection = $state.raw<Selection | null>(null);
  /** The server no longer knows our session: scanning goes on offline, uploads wait for a sign-in. */
  #expired = $state(false);
  /** A supervisor revoked this phone: it was signed out, and says why on the login screen. */
  #revoked = $state(false);
  readonly #api: Api;
  readonly #store: Store;

  constructor(api: Api, store: Store) {
    this.#api = api;
    this.#store = store;
  }

  get phase() { return this.#phase; }
  get inspector() { return this.#inspector; }
  get events() { return this.#events; }
  get deviceId() { return this.#device?.id ?? null; }
  /** Proves this phone in the socket's hello. */
  get deviceSecret() { return this.#device?.secret ?? null; }
  get revoked() { return this.#revoked; }
  get selection() { return this.#selection; }
  get expired() { return this.#expired; }
  get isSupervisor(): boolean {
    return this.#inspector?.role === 'supervisor' || this.#inspector?.role === 'admin';
  }

  /** Back to where this phone was, from storage alone; then check with the server if it answers. */
  async restore(): Promise<void> {
    const saved = await this.#store.getMeta<SessionInfo>(META_SESSION);
    if (!saved) { this.#phase = 'signedOut'; return; }
    this.#inspector = saved.inspector;
    this.#events = saved.events;
    this.#device = (await this.#store.getMeta<StoredDevice>(META_DEVICE)) ?? null;
    this.#selection = (await this.#store.getMeta<Selection>(META_SELECTION)) ?? null;
    // A phone from before device secrets has none: it signs in again and registers.
    this.#phase = this.#device?.secret ? 'signedIn' : 'signedOut';
    void this.revalidate();
  }

  /** Ask the server whether the session still stands; offline, nothing changes. */
  async revalidate(): Promise<void> {
    if (this.#phase !== 'signedIn') return;
    try {
      const info = await this.#api.me();
      if (info.inspector.id !== this.#inspector?.id) { this.#expired = true; return; }
      this.#events = info.events;
      this.#expired = false;
      await this.#store.setMeta(META_SESSION, info);
    } catch (e) {
      if (e instanceof GkError && e.code === 'unauthenticated') this.#expired = true;
    }
  }

  async login(username: string, password: string): Promise<void> {
    const info = await this.#api.login(username, password);
    // Another inspector on this phone must not inherit the previous one's checkpoint.
    if (this.#inspector && this.#inspector.id !== info.inspector.id) {
      this.#selection = null;
      await this.#store.deleteMeta(META_SELECTION);
    }
    const device = await this.#bindDevice();
    await this.#store.setMeta(META_SESSION, info);
    this.#inspector = info.inspector;
    this.#events = info.events;
    this.#device = device;
    this.#expired = false;
    this.#revoked = false;
    this.#phase = 'signedIn';
    void requestPersistence();
  }

  /** Refused while any scan on this phone waits to upload. */
  async logout(unsynced: number): Promise<Refusal | Done> {
    if (unsynced > 0) return { ok: false, unsynced };
    try { await this.#api.logout(); } catch (e) {
      if (!(e instanceof NetworkError) && !(e instanceof GkError)) throw e;
    }
    await this.#store.deleteMeta(META_SESSION);
    await this.#store.deleteMeta(META_SELECTION);
    // A phone left signed out (handed back, lost) holds no ticket list, buyers or scans.
    await this.#store.forgetEvents();
    this.#selection = null;
    this.#inspector = null;
    this.#expired = false;
    this.#phase = 'signedOut';
    return { ok: true };
  }

  /**
   * A supervisor revoked this phone: signed out at once, here, whatever waits to upload
   * (the server takes nothing more from this device; the scans stay on the phone as
   * evidence), and the device is forgotten: the next login registers a new one.
   */
  async revokedByServer(): Promise<void> {
    this.#selection = null;
    this.#inspector = null;
    this.#device = null;
    this.#expired = false;
    this.#revoked = true;
    this.#phase = 'signedOut';
    for (const key of [META_SESSION, META_SELECTION, META_DEVICE]) {
      await this.#store.deleteMeta(key).catch((e: unknown) => console.warn('could not forget', key, e));
    }
  }

  /**
   * The device this session speaks for: this phone's own, claimed with its secret, or a new
   * one when the phone has none yet or its old one is revoked or unknown to this server.
   */
  async #bindDevice(): Promise<StoredDevice> {
    const stored = (await this.#store.getMeta<StoredDevice>(META_DEVICE)) ?? null;
    if (stored?.secret) {
      try {
        await this.#api.claimDevice(stored.id, stored.secret);
        return stored;
      } catch (e) {
        // No network: the login fails as a whole, and the phone keeps its device.
        if (!(e instanceof GkError) || (e.code !== 'forbidden' && e.code !== 'device_revoked')) throw e;
      }
    }
    const fresh = await this.#api.registerDevice(deviceName());
    const device = { id: fresh.id, secret: fresh.secret };
    await this.#store.setMeta(META_DEVICE, device);
    return device;
  }

  /**
   * Scan at this checkpoint from now on. Another checkpoint of the same event is always fine;
   * another event is refused while scans of the current one wait to upload
   * (`unsyncedOfCurrent`): switching would strand them.
   */
  async select(selection: Selection, unsyncedOfCurrent: number): Promise<Refusal | Done> {
    const current = this.#selection;
    if (current && current.eventId !== selection.eventId && unsyncedOfCurrent > 0) return { ok: false, unsynced: unsyncedOfCurrent };
    await this.#store.setMeta(META_SELECTION, selection);
    this.#selection = selection;
    return { ok: true };
  }

  markExpired(): void {
    this.#expired = true;
  }
}

/**
 * What history and conflict alerts call this phone at other gates: the kind of phone and a
 * short tag, so that two phones of one kind stay apart ("Android scanner K7Q2"). The tag's
 * letters cannot be misread for one another when a supervisor reads it out.
 */
function deviceName(): string {
  const ua = typeof navigator === 'undefined' ? '' : navigator.userAgent;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac/.test(ua) ? 'Mac' : 'Linux';
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const tag = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => letters[b % letters.length]).join('');
  return `${os} scanner ${tag}`;
}

/** Ask the browser to keep our storage under pressure: the queue must not be evicted. */
export async function requestPersistence(): Promise<boolean> {
  try {
    if (!navigator.storage?.persist) return false;
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}
