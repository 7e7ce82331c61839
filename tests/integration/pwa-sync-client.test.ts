// The scanner app's own sync code (SyncClient, EventData, DexieStore on fake-indexeddb) in
// Node against a real server on loopback: catch-up of many pages without asking for more,
// the offline queue uploaded once, and a verdict that comes too late replacing our offline
// admission and raising a conflict alert.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import { MAX_BATCH } from '@gatekeeper/shared/protocol/index';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import type { ScanRecord } from '../../scanner-pwa/src/lib/ports.ts';
import type { SqliteStorage } from '../../sync-server/src/storage/sqlite/index.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { CLOSE } from '../../sync-server/src/hub/hub.ts';
import { until } from '../support/until.ts';
import { appPhone } from '../support/app-phone.ts';

const BAR = checkpointId('bar');
let server: TestServer;
let tickets: TicketId[];

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 60 });
  const paid = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  tickets = paid.map((t) => t.id);
});
afterAll(async () => { await server?.close(); });

/** One phone: the app's sync stack on its own database (whose disk can fill up), logged in as `who`. */
const phone = (who: 'inspector' | 'inspector2', opts: { unreadable?: boolean; cursor?: number } = {}) =>
  appPhone(server.url, who, { ...opts, store: (db) => new FullDiskStore(db) });

/** The app's Dexie store on a phone whose storage can fill up: reads work, writes fail. */
class FullDiskStore extends DexieStore {
  full = false;
  #check(): void {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
  override async addScans(records: ScanRecord[]): Promise<ScanRecord[]> { this.#check(); return super.addScans(records); }
  override async markUploaded(ids: readonly string[]): Promise<void> { this.#check(); return super.markUploaded(ids); }
  override async setMeta<T>(key: string, value: T): Promise<void> { this.#check(); return super.setMeta(key, value); }
}

/**
 * The app logs what storage refused; tests that make it refuse keep that out of the output
 * and read it from the spies instead. Restored after each test (afterEach), once the
 * phones are closed.
 */
function quietConsole() {
  return {
    warned: vi.spyOn(console, 'warn').mockImplementation(() => {}),
    errors: vi.spyOn(console, 'error').mockImplementation(() => {}),
  };
}
afterEach(() => { vi.restoreAllMocks(); });


describe('the app’s SyncClient against a real server', () => {
  it('catches up on more than two pages of scans without asking again, and keeps the highest cursor', async () => {
    const other = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, BAR);
    const total = MAX_BATCH * 2 + 345;
    for (let i = 0; i < total; i += MAX_BATCH) {
      const batch = Array.from({ length: Math.min(MAX_BATCH, total - i) }, (_, j) =>
        other.offlineScan(other.request(tickets[(i + j) % tickets.length], tickets[(i + j) % tickets.length], { checkpointId: BAR, zone: 'bar', mode: 'unlimited' })));
      const ack = await other.upload(batch);
      expect(ack.results.every((r) => r.status === 'accepted')).toBe(true);
    }
    await other.close();

    const p = await phone('inspector');
    try {
      p.start();
      await until(() => p.scans.size >= total, 'all scans heard');
      const latest = await server.storage.latestCursor(DEMO_EVENT);
      await until(async () => (await p.store.getMeta<number>(`cursor:${DEMO_EVENT}`)) === latest, 'cursor stored');
      // The server sends every page by itself: the phone says hello and nothing else.
      await new Promise((r) => setTimeout(r, 300));
      expect(p.socket.sentTypes().filter((t) => t !== 'ping')).toEqual(['hello']);
      expect(p.scans.size).toBe(total);
      expect((await p.store.scansOf(DEMO_EVENT))).toHaveLength(total);
    } finally {
      await p.close();
    }
  });

  it('closed by the server as too slow (4009) or too busy (4029), reconnects by itself and resumes from its cursor', async () => {
    const p = await phone('inspector');
    try {
      p.start();
      await until(() => p.sync.online, 'online');
      for (const [n, code] of [[2, CLOSE.tooSlow], [3, CLOSE.tooManyMessages]] as const) {
        // What the gateway does to such a socket (the phone's is the only one open): close
        // it with the code, and no `refused`.
        expect(server.hub.sockets()).toHaveLength(1);
        for (const ws of server.hub.wss.clients) ws.close(code, 'test');
        await until(() => !p.sync.online, 'the phone to notice');
        // A scan stored while the phone is away.
        const other = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, BAR);
        const away = other.offlineScan(other.request(tickets[n]!, tickets[n]!, { checkpointId: BAR, zone: 'bar', mode: 'unlimited' }));
        expect((await other.upload([away])).results[0]!.status).toBe('accepted');
        await other.close();
        await until(() => p.socket.sentTypes().filter((t) => t === 'hello').length === n, 'a hello again');
        await until(() => p.scans.get(away.id) !== null, 'the scan stored meanwhile heard');
        await until(() => p.sync.online, 'online again');
      }
    } finally {
      await p.close();
    }
  });

  it('a cursor ahead of the server’s log (the database was replaced) starts the catch-up over from 0', async () => {
    const stale = 1_000_000_000;
    const p = await phone('inspector', { cursor: stale });
    try {
      const all = (await server.storage.scansAfter(DEMO_EVENT, 0, 1_000_000)).scans.length;
      expect(all).toBeGreaterThan(MAX_BATCH);
      p.start();
      await until(() => p.scans.size >= all, 'every scan heard again');
      const latest = await server.storage.latestCursor(DEMO_EVENT);
      await until(async () => (await p.store.getMeta<number>(`cursor:${DEMO_EVENT}`)) === latest, 'cursor back in step');
      await new Promise((r) => setTimeout(r, 200));
      expect(await p.store.getMeta<number>(`cursor:${DEMO_EVENT}`)).toBe(latest);
      expect(p.socket.sentTypes().filter((t) => t !== 'ping')).toEqual(['hello', 'catchup']);
    } finally {
      await p.close();
    }
  });

  it('uploads the offline queue once on connect and dequeues it', async () => {
    const p = await phone('inspector');
    try {
      const queued = tickets.slice(0, 3).map((t) => ({ ...p.request(t, BAR), zone: 'bar', mode: 'unlimited' as const, outcome: 'valid' as const, offline: true }));
      for (const s of queued) p.scans.record(s);
      await p.scans.settled();
      expect((await p.store.pendingIds(DEMO_EVENT)).length).toBe(3);
      p.start();
      await until(async () => ((await p.store.pendingIds(DEMO_EVENT)).length) === 0, 'queue empty');
      expect(p.socket.sentTypes().filter((t) => t === 'upload')).toHaveLength(1);
      for (const s of queued) expect((await server.storage.ticketScans(DEMO_EVENT, s.ticketId!)).filter((x) => x.id === s.id)).toHaveLength(1);
      await until(() => p.scans.pending === 0, 'the status bar shows nothing waiting');
    } finally {
      await p.close();
    }
  });

  it('a verdict past the budget replaces our offline admission and alerts when another gate was first', async () => {
    const first = await phone('inspector2');
    const late = await phone('inspector');
    try {
      first.start();
      late.start();
      await until(() => first.sync.online && late.sync.online, 'both online');
      const ticket = tickets[10];
      const winner = await first.sync.requestVerdict(first.request(ticket), 30_000);
      expect(winner.verdict.outcome).toBe('valid');

      // The second gate's budget runs out before the answer (0 ms), so it admits offline
      // under the same scan id, as the app's Admitter does; then the server's answer lands.
      const req = late.request(ticket);
      const asked = late.sync.requestVerdict(req, 0).then(() => 'answered', (e: Error) => e.message);
      late.scans.record({ ...req, outcome: 'valid', offline: true });
      expect(await asked).toMatch(/budget/);

      await until(() => late.sync.conflicts.length === 1, 'conflict alert');
      const [c] = late.sync.conflicts;
      expect(c.winner.scanId).toBe(winner.scan.id);
      expect(c.loser.scanId).toBe(req.id);
      await until(() => late.scans.pending === 0, 'nothing left to upload');
      await late.scans.settled();
      expect((await late.store.pendingIds(DEMO_EVENT)).length).toBe(0);
      const stored = (await late.store.scansOf(DEMO_EVENT)).find((s) => s.id === req.id);
      expect(stored).toMatchObject({ outcome: 'already_used', offline: false, uploaded: 1, own: 1 });
      expect(late.scans.get(req.id)?.outcome).toBe('already_used');
      // Stored once on the server, as the server decided it.
      expect((await server.storage.ticketScans(DEMO_EVENT, ticket)).filter((x) => x.id === req.id).map((x) => x.outcome)).toEqual(['already_used']);
    } finally {
      await first.close();
      await late.close();
    }
  });

  it('the server’s disk full: the upload is refused `unavailable`, the queue stays, and goes again by itself once there is room', async () => {
    const storage = server.storage as SqliteStorage;
    const p = await phone('inspector');
    const { warned } = quietConsole();
    try {
      const queued = Array.from({ length: 200 }, (_, i) => ({ ...p.request(tickets[i % tickets.length]!, BAR), zone: 'bar', mode: 'unlimited' as const, outcome: 'valid' as const, offline: true }));
      for (const s of queued) p.scans.record(s);
      await p.scans.settled();
      storage.setMaxPageCount(storage.pageCount());
      p.start();
      await until(() => warned.mock.calls.some(([m, code]) => m === 'server error' && code === 'unavailable'), 'the upload refused');
      expect((await p.store.pendingIds(DEMO_EVENT)).length).toBe(200);
      expect(p.sync.uploadRefused).toBe('unavailable');
      storage.setMaxPageCount(null);
      await until(async () => ((await p.store.pendingIds(DEMO_EVENT)).length) === 0, 'uploaded on a later try');
      expect(p.sync.uploadRefused).toBeNull();
      expect(p.socket.sentTypes().filter((t) => t === 'upload').length).toBeGreaterThanOrEqual(2);
      for (const s of queued.slice(0, 10)) expect((await server.storage.ticketScans(DEMO_EVENT, s.ticketId!)).filter((x) => x.id === s.id)).toHaveLength(1);
    } finally {
      storage.setMaxPageCount(null);
      await p.close();
    }
  });

  it('storage full: an offline scan is held in memory, uploaded from there once, and stored when space returns', async () => {
    const p = await phone('inspector');
    const { warned, errors } = quietConsole();
    try {
      p.store.full = true;
      const req = { ...p.request(tickets[30], BAR), zone: 'bar', mode: 'unlimited' as const };
      // Decided offline (the gate let the holder in): the write fails, the call does not.
      p.scans.record({ ...req, outcome: 'valid', offline: true });
      expect(p.scans.pending).toBe(1);
      await p.scans.settled();
      expect(p.scans.get(req.id)?.outcome).toBe('valid');
      expect(p.scans.heldToUpload).toBe(1);
      expect(p.scans.heldError).toMatch(/QuotaExceededError/);
      expect((await p.store.pendingIds(DEMO_EVENT)).length).toBe(0);

      p.start();
      await until(() => p.sync.online, 'online');
      await until(() => p.scans.heldToUpload === 0, 'uploaded from memory');
      const onServer = async () => (await server.storage.ticketScans(DEMO_EVENT, tickets[30])).filter((s) => s.id === req.id);
      expect(await onServer()).toHaveLength(1);
      await until(() => p.scans.pending === 0, 'nothing shown as waiting');
      expect(p.scans.heldCount).toBe(1);
      expect(p.socket.sentTypes().filter((t) => t === 'upload')).toHaveLength(1);

      p.store.full = false;
      await p.scans.retryHeld();
      expect(p.scans.heldCount).toBe(0);
      const stored = (await p.store.scansOf(DEMO_EVENT)).find((s) => s.id === req.id);
      expect(stored).toMatchObject({ uploaded: 1, own: 1, outcome: 'valid' });
      await new Promise((r) => setTimeout(r, 200));
      expect(p.socket.sentTypes().filter((t) => t === 'upload')).toHaveLength(1);
      expect(await onServer()).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it('storage unreadable from the start: the phone still says hello (from cursor 0) and goes online', async () => {
    const { warned } = quietConsole();
    const p = await phone('inspector', { unreadable: true });
    try {
      p.start();
      await until(() => p.sync.online, 'online');
      const hello = JSON.parse(p.socket.sent.find((t) => t.includes('"hello"'))!) as { cursor: number };
      expect(hello.cursor).toBe(0);
      expect(warned.mock.calls.some(([m]) => String(m).includes('catching up from 0'))).toBe(true);
    } finally {
      await p.close();
    }
  });

  it('storage closed under it (the connection to the database lost): our verdict is held, gossip is logged and still known, nothing is thrown', async () => {
    const p = await phone('inspector');
    const other = await phone('inspector2');
    const { warned, errors } = quietConsole();
    try {
      p.start();
      other.start();
      await until(() => p.sync.online && other.sync.online, 'both online');
      p.store.db.close();
      // Our own verdict (stored off the socket callback) and another gate's gossip both
      // arrive with nowhere to go.
      const answer = await p.sync.requestVerdict(p.request(tickets[20]), 30_000);
      expect(answer.verdict.outcome).toBe('valid');
      const theirs = await other.sync.requestVerdict(other.request(tickets[21]), 30_000);
      await until(() => p.scans.heldCount === 1, 'our verdict held in memory');
      expect(p.scans.heldError).toMatch(/DatabaseClosedError/);
      // The server decided and has it: nothing is left to upload.
      expect(p.scans.heldToUpload).toBe(0);
      // Their scan reaches us by gossip, in its own message or with our scan's echo (how the
      // server batched them depends on timing): not stored, but known to this page's decisions.
      await until(() => p.scans.get(theirs.scan.id)?.outcome === 'valid', 'their scan known by gossip');
      // The failed write is logged, however many scans it held.
      await until(() => warned.mock.calls.some(([m]) => /storage refused \d+ scans/.test(String(m))), 'the failed gossip write logged');
      expect(errors).not.toHaveBeenCalledWith('sync message failed', expect.anything(), expect.anything());
      await p.sync.settled();
      // The server has both: what this phone could not store, it hears again on the next catch-up.
      expect((await server.storage.ticketScans(DEMO_EVENT, tickets[20])).filter((s) => s.id === answer.scan.id)).toHaveLength(1);
    } finally {
      await other.close();
      await p.close();
    }
  });
});
