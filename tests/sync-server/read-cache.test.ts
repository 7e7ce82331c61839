// The server's read cache: its own writes are seen at once, another writer's (a second
// process on the same database) within the hold time, and a failed read is not kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointId } from '@gatekeeper/shared/ids';
import { withReadCache } from '@gatekeeper/sync-server/storage/read-cache';
import { openSqliteStorage, type SqliteStorage } from '@gatekeeper/sync-server/storage/sqlite/index';
import type { Storage } from '@gatekeeper/sync-server/storage/types';
import { DEVICE_A, EVENT, T0, makeCheckpoint, makeDevice, makeEvent, makeStaff } from '../support/factories.ts';

const TTL = 1_000;
const key = (keyId: string, revoked = false) => ({ eventId: EVENT, keyId, publicKey: `pub-${keyId}`, privateKey: `priv-${keyId}`, revoked, createdAt: T0 });

describe('read cache', () => {
  let raw: SqliteStorage;
  let cached: SqliteStorage;
  let clock = 0;

  beforeEach(async () => {
    clock = 0;
    raw = openSqliteStorage({ file: ':memory:' });
    cached = withReadCache(raw, TTL, () => clock);
    await raw.createEvent(makeEvent());
    await raw.upsertCheckpoint(makeCheckpoint());
    await raw.createStaff(makeStaff());
    await raw.registerDevice(makeDevice(), 'secret-hash');
  });
  afterEach(async () => { await cached.close(); });

  it('is still the adapter it wraps', () => {
    expect(cached.pragmas().journalMode).toBe('memory');
  });

  it('sees its own writes at once: a key added, a checkpoint changed, a device revoked', async () => {
    expect(await cached.listEventKeys(EVENT)).toHaveLength(0);
    await cached.addEventKey(key('k1'));
    expect((await cached.listEventKeys(EVENT)).map((k) => k.keyId)).toEqual(['k1']);

    expect((await cached.getCheckpoint(EVENT, checkpointId('main-gate')))?.zone).toBe(makeCheckpoint().zone);
    await cached.upsertCheckpoint(makeCheckpoint({ zone: 'vip' }));
    expect((await cached.getCheckpoint(EVENT, checkpointId('main-gate')))?.zone).toBe('vip');
    expect(await cached.getCheckpoint(EVENT, checkpointId('nowhere'))).toBeNull();

    expect((await cached.getDevice(DEVICE_A))?.revokedAt).toBeNull();
    await cached.revokeDevice(DEVICE_A, T0 + 5);
    expect((await cached.getDevice(DEVICE_A))?.revokedAt).toBe(T0 + 5);
  });

  it('holds the event\u2019s measures (read by every online scan): its own change at once, another writer\u2019s after the hold time', async () => {
    const off = await cached.getMeasures(EVENT);
    expect(off.verifiedDevice).toBe(false);
    let reads = 0;
    const getMeasures = raw.getMeasures.bind(raw);
    raw.getMeasures = (eventId) => { reads++; return getMeasures(eventId); };
    await cached.getMeasures(EVENT);
    await cached.getMeasures(EVENT);
    expect(reads).toBe(0);

    await cached.setMeasures(EVENT, { ...off, verifiedDevice: true });
    expect((await cached.getMeasures(EVENT)).verifiedDevice).toBe(true);

    await raw.setMeasures(EVENT, { ...off, verifiedDevice: false });
    clock = TTL - 1;
    expect((await cached.getMeasures(EVENT)).verifiedDevice).toBe(true);
    clock = 2 * TTL + 1;
    expect((await cached.getMeasures(EVENT)).verifiedDevice).toBe(false);
  });

  it('sees another writer\u2019s change once the hold time has passed, not before', async () => {
    expect((await cached.getDevice(DEVICE_A))?.revokedAt).toBeNull();
    await raw.revokeDevice(DEVICE_A, T0 + 5);
    await raw.addEventKey(key('k2'));
    await raw.upsertCheckpoint(makeCheckpoint({ id: checkpointId('side-door'), name: 'Side door' }));
    clock = TTL - 1;
    expect((await cached.getDevice(DEVICE_A))?.revokedAt).toBeNull();
    clock = TTL + 1;
    expect((await cached.getDevice(DEVICE_A))?.revokedAt).toBe(T0 + 5);
    expect((await cached.listEventKeys(EVENT)).map((k) => k.keyId)).toEqual(['k2']);
    expect((await cached.listCheckpoints(EVENT)).map((c) => c.id).sort()).toEqual(['main-gate', 'side-door']);
  });

  it('hands out copies of the key list, and forgets a read that failed', async () => {
    await cached.addEventKey(key('k1'));
    (await cached.listEventKeys(EVENT)).pop();
    expect(await cached.listEventKeys(EVENT)).toHaveLength(1);

    let reads = 0;
    const flaky = Object.assign(Object.create(raw) as Storage, {
      listEventKeys: async () => { if (++reads === 1) throw new Error('disk'); return [key('k1')]; },
    });
    const failing = withReadCache(flaky, TTL, () => clock);
    await expect(failing.listEventKeys(EVENT)).rejects.toThrow('disk');
    expect(await failing.listEventKeys(EVENT)).toHaveLength(1);
  });
});
