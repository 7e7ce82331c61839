// The scanner app's sync stack in Node: SyncClient, LocalScans, EventData and DexieStore on
// fake-indexeddb (the test file imports 'fake-indexeddb/auto'), signed in on a real server
// with a device of its own. What integration tests drive as "a phone running the app".
import type { TicketId } from '@gatekeeper/shared/ids';
import { checkpointId } from '@gatekeeper/shared/ids';
import type { ScanRequest } from '@gatekeeper/shared/protocol/index';
import { HttpApi } from '../../scanner-pwa/src/lib/api/http-api.ts';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { ManifestRepo } from '../../scanner-pwa/src/lib/manifest/manifest-repo.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { EventData } from '../../scanner-pwa/src/lib/state/event-data.svelte.ts';
import { ServerClock } from '../../scanner-pwa/src/lib/state/server-clock.svelte.ts';
import { SyncClient } from '../../scanner-pwa/src/lib/sync/sync-client.svelte.ts';
import { makeScanRequest } from './factories.ts';
import { HttpSession } from './scanner-client.ts';
import { DEMO_EVENT, login } from './server.ts';
import { WsSocket } from './ws-socket.ts';

export const MAIN = checkpointId('main-gate');

export interface AppPhoneOptions<S extends DexieStore> {
  /** The store on the phone's database (one whose disk can fill up, say). */
  store?: (db: GatekeeperDb) => S;
  /** Stored before the event opens: the gossip cursor a phone kept from before. */
  cursor?: number;
  /** Storage that cannot be read (the database closed under the app). */
  unreadable?: boolean;
  /** The offset to the server's clock the phone starts with; null: none measured yet. */
  clockOffset?: number | null;
}

export async function appPhone<S extends DexieStore = DexieStore>(url: string, who: 'inspector' | 'inspector2', opts: AppPhoneOptions<S> = {}) {
  const { username, password } = login(who);
  const http = await HttpSession.login(url, username, password);
  const deviceId = await http.registerDevice(`${who} app phone`);
  const db = new GatekeeperDb(`phone-${Math.random()}`);
  const store = opts.store ? opts.store(db) : (new DexieStore(db) as S);
  // The session's cookie on every request, as the browser sends it (Node's fetch keeps none).
  const withCookie: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('cookie', http.cookie);
    return fetch(input, { ...init, headers });
  };
  const event = new EventData(new ManifestRepo(new HttpApi(url, withCookie), store));
  const scans = new LocalScans(store);
  // As the app does: the event's scans are opened before the socket starts.
  if (opts.cursor !== undefined) await store.setMeta(`cursor:${DEMO_EVENT}`, opts.cursor);
  if (opts.unreadable) db.close();
  await scans.open(DEMO_EVENT);
  const socket = new WsSocket(() => http.cookie);
  const clock = new ServerClock(opts.clockOffset ?? null);
  const sync = new SyncClient({
    socket, scans, store, event, clock, appVersion: 'test', url: () => url.replace(/^http/, 'ws') + '/ws',
    onUnauthenticated: () => { throw new Error('session lost'); },
    // As the app wires them (app.svelte.ts): a change told on the socket is fetched at once.
    onTicketsChanged: (version) => event.changedOnServer(version),
    onCheckpointsChanged: () => event.checkpointsChangedOnServer(),
  });
  /** A scan this phone would make now of `ticketId`, its number typed as the code. */
  const request = (ticketId: TicketId, checkpoint = MAIN): ScanRequest =>
    makeScanRequest({ eventId: DEMO_EVENT, deviceId, inspectorId: http.inspector!.id, ticketId, code: ticketId, checkpointId: checkpoint });
  const start = () => sync.start({ eventId: DEMO_EVENT, deviceId, deviceSecret: http.deviceSecret!, checkpointId: MAIN });
  const close = async () => { sync.stop(); scans.stop(); await sync.settled(); await scans.settled(); await db.delete(); };
  return { http, deviceId, db, store, event, scans, socket, clock, sync, request, start, close };
}
