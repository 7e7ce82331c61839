// The server's database replaced under a running gate (issue 9): a server restarted on a
// fresh database file at the same address. Its scan log is another log, whatever its
// cursors say: the welcome names the log (`logId`), and the phone, which stored the id
// with its cursor, catches up from 0. Here the new log is already longer than the old
// cursor, which the old heuristic (our cursor ahead of the server's) could not tell.
//
// A database restored from a backup is the other replacement: the same log id, but without
// what came after the backup, own scans this phone uploaded included. The phone uploads
// them again (issue 9: they stayed marked uploaded, and the server never had them).
import 'fake-indexeddb/auto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { HttpApi } from '../../scanner-pwa/src/lib/api/http-api.ts';
import { ManifestRepo } from '../../scanner-pwa/src/lib/manifest/manifest-repo.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { EventData } from '../../scanner-pwa/src/lib/state/event-data.svelte.ts';
import { ServerClock } from '../../scanner-pwa/src/lib/state/server-clock.svelte.ts';
import { SyncClient } from '../../scanner-pwa/src/lib/sync/sync-client.svelte.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { WsSocket } from '../support/ws-socket.ts';
import { appPhone } from '../support/app-phone.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const BAR = checkpointId('bar');
const servers: TestServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Another gate uploads `n` scans of the bar (unlimited: no conflicts), returning their ids. */
async function otherGateScans(server: TestServer, n: number): Promise<string[]> {
  const tickets: TicketId[] = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid').map((t) => t.id);
  const other = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, BAR);
  try {
    const scans = Array.from({ length: n }, (_, i) => other.offlineScan(other.request(tickets[i % tickets.length]!, tickets[i % tickets.length]!, { checkpointId: BAR, zone: 'bar', mode: 'unlimited' })));
    const ack = await other.upload(scans);
    expect(ack.results.every((r) => r.status === 'accepted')).toBe(true);
    return scans.map((s) => s.id);
  } finally {
    await other.close();
  }
}

describe('a server restarted on a fresh database at the same address', () => {
  it('the phone sees another log in the welcome and catches up from 0, keeping what it heard from the old one', async () => {
    const first = await startTestServer();
    servers.push(first);
    const port = Number(new URL(first.url).port);
    const oldIds = await otherGateScans(first, 3);

    const { username, password } = login('inspector');
    let http = await HttpSession.login(first.url, username, password);
    let deviceId = await http.registerDevice('gate phone');
    const db = new GatekeeperDb(`replaced-${Math.random()}`);
    const store = new DexieStore(db);
    const event = new EventData(new ManifestRepo(new HttpApi(first.url), store));
    const scans = new LocalScans(store);
    const socket = new WsSocket(() => http.cookie);
    const sync = new SyncClient({
      socket, scans, store, event, clock: new ServerClock(null), appVersion: 'test', url: () => first.url.replace(/^http/, 'ws') + '/ws',
      onUnauthenticated: () => {},
    });
    try {
      sync.start({ eventId: DEMO_EVENT, deviceId, deviceSecret: http.deviceSecret!, checkpointId: MAIN });
      await until(() => oldIds.every((id) => scans.get(id) !== null), 'the old log heard');
      await until(async () => (await store.getMeta<number>(`cursor:${DEMO_EVENT}`)) === 3, 'cursor 3 stored');

      // The database is replaced: same address, a fresh file. Its log grows past our cursor
      // before the phone is back (staff, sessions and devices are new too: sign in again).
      await first.close();
      const second = await startTestServer({ port });
      servers.push(second);
      expect(second.url).toBe(first.url);
      const newIds = await otherGateScans(second, 8);
      http = await HttpSession.login(second.url, username, password);
      deviceId = await http.registerDevice('gate phone');
      sync.start({ eventId: DEMO_EVENT, deviceId, deviceSecret: http.deviceSecret!, checkpointId: MAIN });

      await until(() => newIds.every((id) => scans.get(id) !== null), 'every scan of the new log heard, from its first');
      const latest = await second.storage.latestCursor(DEMO_EVENT);
      await until(async () => (await store.getMeta<number>(`cursor:${DEMO_EVENT}`)) === latest, 'the cursor of the new log');
      expect(await store.getMeta<string>(`cursor:${DEMO_EVENT}:log`)).toBe(await second.storage.scanLogId());
      // What the old log told us stays: those admissions happened at this event's gates.
      for (const id of oldIds) expect(scans.get(id)).not.toBeNull();
    } finally {
      sync.stop();
      scans.stop();
      await sync.settled();
      await scans.settled();
      await db.delete();
    }
  });

  it('restored from a backup: the own scans it lacks are uploaded again, each stored once, none quarantined', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-restore-'));
    dirs.push(dir);
    const dbFile = join(dir, 'gatekeeper.sqlite');
    const first = await startTestServer({ dbFile });
    servers.push(first);
    const port = Number(new URL(first.url).port);
    await otherGateScans(first, 3);
    const tickets: TicketId[] = (await first.storage.changesSince(DEMO_EVENT, 0)).tickets
      .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null).map((t) => t.id).slice(20, 23);

    const phone = await appPhone(first.url, 'inspector');
    const { store, scans } = phone;
    // Admitted on this phone offline (typed ticket numbers: the code is the ticket id), then uploaded.
    const own = (ticket: TicketId): Scan => ({ ...phone.request(ticket), outcome: 'valid', offline: true });
    const uploadedAndHeard = async (list: Scan[], server: TestServer) => {
      await until(async () => (await store.pendingIds(DEMO_EVENT)).length === 0 && scans.pending === 0, 'uploaded');
      for (const s of list) await until(async () => (await server.storage.getScan(DEMO_EVENT, s.id)) !== null, `scan ${s.id} stored`);
      const latest = await server.storage.latestCursor(DEMO_EVENT);
      await until(() => scans.cursor === latest, 'the cursor at the end of the log');
    };
    try {
      phone.start();
      const before = own(tickets[0]!);
      scans.record(before);
      await uploadedAndHeard([before], first);

      // The nightly backup (SQLite's online backup, as an operator takes it)…
      const backupFile = join(dir, 'backup.sqlite');
      const live = new Database(dbFile, { readonly: true });
      await live.backup(backupFile);
      live.close();

      // …then two more admissions, uploaded and acknowledged by the database about to be lost.
      const after = [own(tickets[1]!), own(tickets[2]!)];
      for (const s of after) scans.record(s);
      await uploadedAndHeard(after, first);
      const ourCursor = scans.cursor;

      // The disk dies; the operator restores last night's backup at the same address. Its
      // log has the same id and is shorter: sessions and devices are as they were then.
      phone.sync.stop();
      await first.close();
      for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
      copyFileSync(backupFile, dbFile);
      const second = await startTestServer({ port, dbFile });
      servers.push(second);
      expect(await second.storage.scanLogId()).toBe(await store.getMeta<string>(`cursor:${DEMO_EVENT}:log`));
      expect(await second.storage.latestCursor(DEMO_EVENT)).toBeLessThan(ourCursor);
      expect(await second.storage.getScan(DEMO_EVENT, after[0]!.id)).toBeNull();

      phone.start();
      await uploadedAndHeard([before, ...after], second);

      // Each once (the one the backup had was answered as a duplicate), none quarantined:
      // the phone kept what it scanned, though the server's copies carry no code.
      const history = (await second.storage.history({ eventId: DEMO_EVENT, deviceId: phone.deviceId, limit: 100 })).scans.map((s) => s.scan);
      expect(history.map((s) => s.id).sort()).toEqual([before, ...after].map((s) => s.id).sort());
      expect(history.filter((s) => s.quarantine)).toEqual([]);
      for (const t of tickets) expect(await second.storage.ticketScans(DEMO_EVENT, t)).toHaveLength(1);
      expect(await second.storage.listConflicts(DEMO_EVENT)).toEqual([]);
      expect(scans.pending).toBe(0);
    } finally {
      await phone.close();
    }
  });
});

// The cause of the test above failing in about half its runs once gossip came from the
// event's tail: the server remembered the restored phone's old cursor, past the log's end,
// as what it had sent the socket, and kept it over the catch-up from 0 the phone then asked
// for. Gossip of the scans stored after that catch-up (the phone's own, uploaded again) was
// then taken as sent already, and the phone's cursor stopped short of the log's end.
describe('a socket whose hello cursor is past the end of the log', () => {
  it('catches up from 0 when it asks, then hears by gossip every scan stored after', async () => {
    const server = await startTestServer();
    servers.push(server);
    await otherGateScans(server, 3);
    const end = await server.storage.latestCursor(DEMO_EVENT);
    const phone = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN, { cursor: end + 10 });
    const pages = () => phone.received.filter((m) => m.type === 'scans');
    try {
      // The hello's catch-up answers with one empty page at the phone's own cursor.
      await until(() => pages().some((m) => m.cursor === end + 10), 'the hello answered');
      const asked = pages().length;
      phone.send({ type: 'catchup', cursor: 0 });
      await until(() => pages().slice(asked).some((m) => m.cursor === end && !m.more), 'the catch-up from 0');
      const after = await otherGateScans(server, 2);
      await until(() => pages().slice(asked).some((m) => m.cursor === end + 2), 'gossip of the scans stored after the catch-up');
      expect(after.every((id) => phone.heard.has(id))).toBe(true);
    } finally {
      await phone.close();
    }
  });
});
