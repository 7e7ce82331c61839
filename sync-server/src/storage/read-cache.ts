// What every online scan reads and almost nothing writes, held in memory: the event's
// signing keys, checkpoints and measures (verified device only?), and the device the
// message came from (is it revoked?).
// Read from SQLite for every scan, these four reads were a sixth of the server's CPU at
// 1,000 scans/s (server.verdict.p99).
//
// Writes made through this storage clear what they change at once, so this process never
// decides with a stale key, checkpoint or revocation. Another server instance's changed
// checkpoints and revoked devices are cleared when it announces them (types.ts
// `Announcement`), before this instance's phones are told. Other writes it cannot see
// (the CLI, a lost announcement) are seen within `ttlMs`.
import type { CheckpointId, DeviceId, EventId } from '@gatekeeper/shared/ids';
import type { Checkpoint } from '@gatekeeper/shared/domain';
import type { Measures } from '@gatekeeper/shared/api/verification';
import type { Announcement, DeviceRecord, EventKey, Storage, StoreNotifications } from './types.ts';

/** How long a value read here is used before it is read again. */
export const READ_CACHE_TTL_MS = 1_000;

interface Held<T> { value: Promise<T>; until: number }

class Shelf<T> {
  readonly #held = new Map<string, Held<T>>();
  constructor(private readonly ttlMs: number, private readonly clock: () => number) {}

  get(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const held = this.#held.get(key);
    if (held && held.until > now) return held.value;
    const value = read();
    const entry = { value, until: now + this.ttlMs };
    this.#held.set(key, entry);
    // A failed read is not kept: the next caller reads again.
    value.catch(() => { if (this.#held.get(key) === entry) this.#held.delete(key); });
    return value;
  }

  forget(key: string): void { this.#held.delete(key); }
  clear(): void { this.#held.clear(); }
}

/**
 * `storage` with its hot reads held for `ttlMs`. Everything else is `storage`'s own
 * (its prototype), so a SqliteStorage stays one.
 */
export function withReadCache<S extends Storage>(storage: S, ttlMs = READ_CACHE_TTL_MS, clock: () => number = () => performance.now()): S {
  const keys = new Shelf<EventKey[]>(ttlMs, clock);
  const checkpoints = new Shelf<Map<string, Checkpoint>>(ttlMs, clock);
  const devices = new Shelf<DeviceRecord | null>(ttlMs, clock);
  const measures = new Shelf<Measures>(ttlMs, clock);
  const checkpointMap = (eventId: EventId) =>
    checkpoints.get(eventId, async () => new Map((await storage.listCheckpoints(eventId)).map((c) => [c.id as string, c])));

  const overrides: Partial<Storage> = {
    // Copies: callers may sort or filter what they get.
    listEventKeys: async (eventId) => [...await keys.get(eventId, () => storage.listEventKeys(eventId))],
    addEventKey: (key) => storage.addEventKey(key).finally(() => keys.forget(key.eventId)),

    listCheckpoints: async (eventId) => [...(await checkpointMap(eventId)).values()],
    getCheckpoint: async (eventId: EventId, id: CheckpointId) => (await checkpointMap(eventId)).get(id) ?? null,
    upsertCheckpoint: (cp, audit) => storage.upsertCheckpoint(cp, audit).finally(() => checkpoints.forget(cp.eventId)),

    getMeasures: async (eventId) => ({ ...await measures.get(eventId, () => storage.getMeasures(eventId)) }),
    setMeasures: (eventId, m, audit) => storage.setMeasures(eventId, m, audit).finally(() => measures.forget(eventId)),

    getDevice: (id: DeviceId) => devices.get(id, () => storage.getDevice(id)),
    registerDevice: (device, secretHash) => storage.registerDevice(device, secretHash).finally(() => devices.forget(device.id)),
    revokeDevice: (id, at) => storage.revokeDevice(id, at).finally(() => devices.forget(id)),
    bindSession: (tokenHash, deviceId, holder) => storage.bindSession(tokenHash, deviceId, holder).finally(() => devices.forget(deviceId)),
    touchDevice: (id, at) => storage.touchDevice(id, at).finally(() => devices.forget(id)),

    ...(storage.notifications ? { notifications: forgetting(storage.notifications, (a) => {
      // A change of measures is announced as checkpointsChanged too (phones refetch the manifest).
      if (a.kind === 'broadcast' && a.msg.type === 'checkpointsChanged') { checkpoints.forget(a.eventId); measures.forget(a.eventId); }
      if (a.kind === 'deviceRevoked') devices.forget(a.deviceId);
    }) } : {}),

    close: () => {
      keys.clear();
      checkpoints.clear();
      devices.clear();
      measures.clear();
      return storage.close();
    },
  };
  return Object.assign(Object.create(storage) as S, overrides);
}

/** `notifications` whose announcements from other instances are first shown to `forget`. */
function forgetting(notifications: StoreNotifications, forget: (a: Announcement) => void): StoreNotifications {
  return {
    listen: (listener) => notifications.listen({ ...listener, announced: (a) => { forget(a); listener.announced(a); } }),
    announce: (a) => notifications.announce(a),
  };
}
