// Getting into the supervisors' console and out again (App): a console address opened while
// signed out leads there after sign-in, with the address's filters; leaving goes back to
// where the phone was. Whether the console shows anything is the screen's (an inspector is
// refused there: tests/e2e/console-history.test.ts).
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceId, InspectorId } from '@gatekeeper/shared/ids';
import { App } from '../../scanner-pwa/src/lib/app.svelte.ts';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import type { Api } from '../../scanner-pwa/src/lib/ports.ts';
import { ScriptedSocket } from '../support/scripted-socket.ts';

const apiAs = (role: 'inspector' | 'supervisor') => ({
  login: async () => ({ inspector: { id: 'i-1' as InspectorId, name: 'Sam', role }, events: [] }),
  me: async () => ({ inspector: { id: 'i-1' as InspectorId, name: 'Sam', role }, events: [] }),
  logout: async () => {},
  registerDevice: async (name: string) => ({ id: 'd-1' as DeviceId, name, secret: 'secret' }),
  claimDevice: async (id: DeviceId) => ({ id, name: 'phone' }),
  manifest: async () => { throw new Error('no server in this test'); },
} as unknown as Api);

const dbs: GatekeeperDb[] = [];
afterEach(async () => { for (const db of dbs.splice(0)) await db.delete(); });

function phone(role: 'inspector' | 'supervisor'): App {
  const db = new GatekeeperDb(`console-nav-${Math.random()}`);
  dbs.push(db);
  return new App({
    api: apiAs(role), store: new DexieStore(db), socket: new ScriptedSocket(), socketUrl: () => 'ws://nowhere/ws',
    camera: () => { throw new Error('no camera in this test'); },
    feedback: { signal: () => {}, unlock: () => {} } as never, lang: 'en',
  }, 0);
}

describe('the console\u2019s address', () => {
  it('opened signed out: the sign-in first, then the console with the address\u2019s filters', async () => {
    const app = phone('supervisor');
    await app.start(new URL('https://gate.example/console/history?outcome=valid&holder=Jansen'));
    expect(app.session.phase).toBe('signedOut');
    await app.login('sam', 'pw');
    expect(app.screen).toBe('console');
    expect(app.consoleView).toEqual({ section: 'history', search: 'outcome=valid&holder=Jansen' });
    // Out of it: no checkpoint chosen yet, so to choosing one.
    app.leaveConsole();
    expect(app.screen).toBe('setup');
    // Once only: signing in again later does not land in the console by itself.
    await app.login('sam', 'pw');
    expect(app.screen).toBe('setup');
  });

  it('an inspector who opens it reaches the console screen, which is where the refusal is shown', async () => {
    const app = phone('inspector');
    await app.start(new URL('https://gate.example/console'));
    await app.login('ina', 'pw');
    expect(app.session.isSupervisor).toBe(false);
    expect(app.screen).toBe('console');
  });

  it('any other address is not the console; the menu\u2019s entry opens it at Live, then where it was left, filters kept', async () => {
    const app = phone('supervisor');
    await app.start(new URL('https://gate.example/'));
    await app.login('sam', 'pw');
    expect(app.screen).toBe('setup');
    app.openConsole();
    expect(app.screen).toBe('console');
    expect(app.consoleView.section).toBe('live');
    app.openConsole('history');
    app.setConsoleSearch('outcome=exit');
    app.leaveConsole();
    app.openConsole();
    expect(app.consoleView).toEqual({ section: 'history', search: 'outcome=exit' });
  });
});
