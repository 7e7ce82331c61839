// The phone's device outlives its inspectors: kept through logout, claimed with its secret
// by the next login, forgotten only when a supervisor revokes it.
import { describe, expect, it } from 'vitest';
import type { DeviceId, InspectorId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { NetworkError } from '../../scanner-pwa/src/lib/api/http-api.ts';
import type { Api, SessionInfo, Store } from '../../scanner-pwa/src/lib/ports.ts';
import { Session } from '../../scanner-pwa/src/lib/state/session.svelte.ts';

const info = (id: string): SessionInfo => ({ inspector: { id: id as InspectorId, name: id, role: 'inspector' }, events: [] });

/** The Api as far as Session uses it; records registrations and claims. */
function fakeApi(claim: (id: DeviceId, secret: string) => Promise<void> = async () => {}) {
  const calls: string[] = [];
  let n = 0;
  const api = {
    login: async (username: string) => { calls.push(`login ${username}`); return info(`i-${username}`); },
    logout: async () => { calls.push('logout'); },
    me: async () => info('i-x'),
    registerDevice: async (name: string) => { n++; calls.push('register'); return { id: `d-${n}` as DeviceId, name, secret: `secret-${n}` }; },
    claimDevice: async (id: DeviceId, secret: string) => { calls.push(`claim ${id} ${secret}`); await claim(id, secret); return { id, name: 'phone' }; },
  } as unknown as Api;
  return { api, calls };
}

function memoryStore(): Store {
  const meta = new Map<string, unknown>();
  return {
    getMeta: async <T>(key: string) => meta.get(key) as T | undefined,
    setMeta: async <T>(key: string, value: T) => { meta.set(key, structuredClone(value)); },
    deleteMeta: async (key: string) => { meta.delete(key); },
    // As DexieStore: the event's data goes at logout; the phone's device stays.
    forgetEvents: async () => { for (const key of [...meta.keys()]) if (key.startsWith('cursor:')) meta.delete(key); },
  } as unknown as Store;
}

describe('the phone\u2019s device', () => {
  it('is registered once, kept through logout, and claimed with its secret by the next inspector', async () => {
    const { api, calls } = fakeApi();
    const store = memoryStore();
    const s = new Session(api, store);
    await s.login('anna', 'pw');
    expect([s.deviceId, s.deviceSecret]).toEqual(['d-1', 'secret-1']);
    expect(await s.logout(0)).toEqual({ ok: true });
    await s.login('bram', 'pw');
    expect([s.deviceId, s.deviceSecret]).toEqual(['d-1', 'secret-1']);
    expect(calls).toEqual(['login anna', 'register', 'logout', 'login bram', 'claim d-1 secret-1']);
    // A reload restores the same device from storage alone.
    const reloaded = new Session(api, store);
    await reloaded.restore();
    expect([reloaded.phase, reloaded.deviceId]).toEqual(['signedIn', 'd-1']);
  });

  it('registers anew when the server refuses the claim (revoked, or unknown to this server)', async () => {
    for (const code of ['device_revoked', 'forbidden'] as const) {
      const { api, calls } = fakeApi(async () => { throw new GkError(code, 'no'); });
      const s = new Session(api, memoryStore());
      await s.login('anna', 'pw');
      await s.logout(0);
      await s.login('bram', 'pw');
      expect(s.deviceId).toBe('d-2');
      expect(calls.slice(-2)).toEqual(['claim d-1 secret-1', 'register']);
    }
  });

  it('keeps its device when the claim fails for want of network: the login fails instead', async () => {
    const { api } = fakeApi(async () => { throw new NetworkError(new Error('offline')); });
    const s = new Session(api, memoryStore());
    await s.login('anna', 'pw');
    await s.logout(0);
    await expect(s.login('bram', 'pw')).rejects.toBeInstanceOf(NetworkError);
    expect(s.phase).toBe('signedOut');
  });

  it('is forgotten when revoked: signed out at once, and the next login registers a new one', async () => {
    const { api, calls } = fakeApi();
    const store = memoryStore();
    const s = new Session(api, store);
    await s.login('anna', 'pw');
    await s.revokedByServer();
    expect([s.phase, s.revoked, s.deviceId]).toEqual(['signedOut', true, null]);
    const reloaded = new Session(api, store);
    await reloaded.restore();
    expect(reloaded.phase).toBe('signedOut');
    await s.login('anna', 'pw');
    expect([s.deviceId, s.revoked]).toEqual(['d-2', false]);
    expect(calls.filter((c) => c.startsWith('claim'))).toEqual([]);
  });
});
