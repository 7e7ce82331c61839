// The app's SyncClient when its storage is too slow for the server's hello deadline (issue
// 9: IndexedDB blocked by another tab, so the cursor cannot be read in time). The server
// refuses such a socket `helloTimeout`: that is not a lost login, and the phone simply
// reconnects and says hello again, rather than signing the inspector out.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId } from '@gatekeeper/shared/ids';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { HttpApi } from '../../scanner-pwa/src/lib/api/http-api.ts';
import { ManifestRepo } from '../../scanner-pwa/src/lib/manifest/manifest-repo.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { EventData } from '../../scanner-pwa/src/lib/state/event-data.svelte.ts';
import { ServerClock } from '../../scanner-pwa/src/lib/state/server-clock.svelte.ts';
import { SyncClient } from '../../scanner-pwa/src/lib/sync/sync-client.svelte.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { WsSocket } from '../support/ws-socket.ts';
import { until } from '../support/until.ts';

const HELLO_MS = 300;
let server: TestServer;
beforeAll(async () => { server = await startTestServer({ socketHelloMs: HELLO_MS }); });
afterAll(async () => { await server?.close(); });

/** A store whose reads of the cursor hang until released: IndexedDB blocked by another tab. */
class BlockedStore extends DexieStore {
  #release: (() => void) | null = null;
  #blocked: Promise<void> | null = new Promise((r) => { this.#release = r; });
  release(): void { this.#release?.(); this.#blocked = null; }
  override async getMeta<T>(key: string): Promise<T | undefined> {
    if (this.#blocked && key.startsWith('cursor:')) await this.#blocked;
    return super.getMeta<T>(key);
  }
}

describe('a hello later than the server’s deadline', () => {
  it('is not a lost login: the phone reconnects and is online once its storage answers', async () => {
    const { username, password } = login('inspector');
    const http = await HttpSession.login(server.url, username, password);
    const deviceId = await http.registerDevice('slow phone');
    const db = new GatekeeperDb(`late-hello-${Math.random()}`);
    const store = new BlockedStore(db);
    const event = new EventData(new ManifestRepo(new HttpApi(server.url), store));
    const scans = new LocalScans(store);
    const socket = new WsSocket(() => http.cookie);
    let signedOut = false;
    const sync = new SyncClient({
      socket, scans, store, event, clock: new ServerClock(null), appVersion: 'test', url: () => server.url.replace(/^http/, 'ws') + '/ws',
      onUnauthenticated: () => { signedOut = true; },
    });
    const opened: number[] = [];
    const connect = socket.connect.bind(socket);
    socket.connect = (url, handlers) => { opened.push(Date.now()); return connect(url, handlers); };
    try {
      sync.start({ eventId: DEMO_EVENT, deviceId, deviceSecret: http.deviceSecret!, checkpointId: checkpointId('main-gate') });
      // Refused for saying nothing in time, the phone tries again by itself.
      await until(() => opened.length >= 2, 'a second socket after the refusal');
      expect(signedOut).toBe(false);
      expect(sync.link).not.toBe('refused');
      store.release();
      await until(() => sync.online, 'online once the cursor can be read');
      expect(signedOut).toBe(false);
      expect(sync.refusal).toBeNull();
    } finally {
      store.release();
      sync.stop();
      scans.stop();
      await sync.settled();
      await scans.settled();
      await db.delete();
    }
  });
});
