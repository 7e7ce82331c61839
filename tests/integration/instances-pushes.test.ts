// Pushes other than gossip across instances (issue 12): two server instances on one
// PostgreSQL, the change made through one, the phone or console on the other. Each push
// is announced on the database's notification channel (storage/postgres/notify.ts) and
// made by every instance to its own sockets, as the one that made the change does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeWordAt } from '@gatekeeper/shared/code-word';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { usePostgres } from '../support/postgres.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const MAIN = checkpointId('main-gate');
const db = usePostgres();
let a: TestServer;
let b: TestServer;
/** A supervisor signed in on instance A: every change below is made there. */
let supervisor: HttpSession;
let tickets: TicketId[] = [];

beforeAll(async () => {
  // A device may send one upload at once, so the second is refused and alerted.
  const limits = { databaseUrl: db.url(), demoTickets: 60, deviceUploadBurst: 1, deviceUploadsPerMinute: 12 };
  a = await startTestServer(limits);
  b = await startTestServer(limits);
  supervisor = await HttpSession.login(a.url, 'supervisor', login('supervisor').password);
  tickets = (await a.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid').map((t) => t.id);
}, 180_000);
afterAll(async () => { await Promise.all([a, b].map((s) => s?.close())); });

const phoneOn = (server: TestServer, role: 'inspector' | 'inspector2' | 'supervisor' = 'inspector') =>
  ScannerClient.connect(server.url, role, login(role).password, DEMO_EVENT, MAIN);
const ev = (path: string) => `/api/events/${DEMO_EVENT}${path}`;

describe('a change made through one instance reaches the sockets of another', () => {
  it('the code word', async () => {
    const phone = await phoneOn(b);
    try {
      const told = phone.waitFor<DownOf<'codeWord'>>((m) => m.type === 'codeWord');
      expect((await supervisor.request('PUT', ev('/code-word'), { codeWord: 'Grey Heron' })).status).toBe(200);
      expect(await told).toEqual({ type: 'codeWord', eventId: DEMO_EVENT, codeWord: 'Grey Heron' });
    } finally { await phone.close(); }
  });

  it('a ticket\u2019s status: the phone is told, and the manifest it then reads there has it', async () => {
    const phone = await phoneOn(b);
    try {
      const v0 = (await phone.http.request('GET', ev('/manifest?since=0'))).json.version as number;
      const told = phone.waitFor<DownOf<'ticketsChanged'>>((m) => m.type === 'ticketsChanged');
      expect((await supervisor.request('POST', ev(`/tickets/${tickets[0]}/status`), { status: 'blocked', reason: 'two instances' })).status).toBe(200);
      const { version } = await told;
      expect(version).toBeGreaterThan(v0);
      const delta = (await phone.http.request('GET', ev(`/manifest?since=${v0}`))).json;
      expect(delta.version).toBe(version);
      expect(delta.tickets.map((row: unknown[]) => row[0])).toEqual([tickets[0]]);
    } finally { await phone.close(); }
  });

  it('a checkpoint\u2019s rules: the phone is told, and that instance decides with the new rule at once', async () => {
    const phone = await phoneOn(b);
    const main = (await a.storage.getCheckpoint(DEMO_EVENT, MAIN))!;
    try {
      // Read there first, so that instance holds the old rule in its read cache.
      expect((await b.storage.getCheckpoint(DEMO_EVENT, MAIN))!.allowedTypes).toBeNull();
      const told = phone.waitFor<DownOf<'checkpointsChanged'>>((m) => m.type === 'checkpointsChanged');
      expect((await supervisor.request('PUT', ev(`/checkpoints/${MAIN}`), { ...main, allowedTypes: ['No Such Type'] })).status).toBe(200);
      expect(await told).toEqual({ type: 'checkpointsChanged', eventId: DEMO_EVENT });
      expect((await b.storage.getCheckpoint(DEMO_EVENT, MAIN))!.allowedTypes).toEqual(['No Such Type']);
      const { verdict } = await phone.scan(phone.request(tickets[1]!, tickets[1]!));
      expect(verdict.outcome).toBe('wrong_checkpoint');
    } finally {
      await supervisor.request('PUT', ev(`/checkpoints/${MAIN}`), main);
      await phone.close();
    }
  });

  it('a revoked device: its socket there is closed, refused as revoked', async () => {
    const phone = await phoneOn(b);
    try {
      const refused = phone.waitFor<DownOf<'refused'>>((m) => m.type === 'refused');
      expect((await supervisor.request('POST', `/api/devices/${phone.deviceId}/revoke`)).status).toBe(200);
      expect((await refused).reason).toBe('deviceRevoked');
    } finally { await phone.close(); }
  });

  it('a logout: the session\u2019s socket there is closed, refused as unauthenticated', async () => {
    // Signed in through A, the phone's socket on B (sessions live in the shared database).
    const phone = await phoneOn(a);
    await phone.close();
    phone.http.base = b.url;
    expect((await phone.open()).type).toBe('welcome');
    try {
      const refused = phone.waitFor<DownOf<'refused'>>((m) => m.type === 'refused');
      const closed = new Promise<number>((resolve) => phone.ws.once('close', (code) => resolve(code)));
      phone.http.base = a.url;
      expect((await phone.http.request('POST', '/api/logout', {})).status).toBe(204);
      expect((await refused).reason).toBe('unauthenticated');
      expect(await closed).toBe(4001);
    } finally { await phone.close(); }
  });

  it('a member of staff disabled: their sockets there are closed, and they cannot sign in again', async () => {
    const admin = await HttpSession.login(a.url, 'admin', login('admin').password);
    const phone = await phoneOn(b, 'inspector2');
    const id = phone.inspectorId;
    try {
      const refused = phone.waitFor<DownOf<'refused'>>((m) => m.type === 'refused');
      expect((await admin.request('POST', `/api/staff/${id}/disable`, {})).status).toBe(200);
      expect(await refused).toMatchObject({ reason: 'unauthenticated' });
      await expect(HttpSession.login(b.url, 'inspector2', login('inspector2').password)).rejects.toThrow(/failed/);
    } finally {
      expect((await admin.request('POST', `/api/staff/${id}/enable`, {})).status).toBe(200);
      await phone.close();
    }
  });

  it('a rate-limit alert: a supervisor watching Live there is told', async () => {
    const watcher = await phoneOn(b, 'supervisor');
    const phone = await phoneOn(a);
    try {
      const subscribed = watcher.waitFor((m) => m.type === 'live');
      watcher.send({ type: 'liveSubscribe' });
      await subscribed;
      const alerted = watcher.waitFor<DownOf<'liveAlert'>>((m) => m.type === 'liveAlert');
      await phone.upload([phone.offlineScan(phone.request(tickets[2]!, tickets[2]!))]);
      const refused = phone.waitFor<DownOf<'error'>>((m) => m.type === 'error' && m.ref === 'b-over');
      phone.send({ type: 'upload', batchId: 'b-over', scans: [phone.offlineScan(phone.request(tickets[3]!, tickets[3]!))] });
      expect(await refused).toMatchObject({ code: 'rate_limited' });
      expect((await alerted).alert).toMatchObject({ eventId: DEMO_EVENT, deviceId: phone.deviceId, kind: 'rate_limited' });
    } finally { await watcher.close(); await phone.close(); }
  });

  it('a code word rule: the other instance draws the next day\u2019s word when it begins, though the one that set it is gone', async () => {
    const { timeZone } = (await a.storage.getEvent(DEMO_EVENT))!;
    // A clock 15 s before a minute begins: the rule's day then begins 15 s into the test.
    const boundary = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
    const offset = boundary - 15_000 - Date.now();
    const now = () => Date.now() + offset;
    const changeAt = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(boundary);
    // A list whose word changes at that moment.
    let rule = { words: ['Amber Owl', 'Silver Eel'], changeAt };
    for (let n = 3; codeWordAt(rule, DEMO_EVENT, now(), timeZone) === codeWordAt(rule, DEMO_EVENT, boundary + 1_000, timeZone); n++) {
      rule = { words: Array.from({ length: n }, (_, i) => `Word ${i}`), changeAt };
    }
    const next = codeWordAt(rule, DEMO_EVENT, boundary + 1_000, timeZone);
    const setter = await startTestServer({ databaseUrl: db.url(), demoTickets: 60 }, undefined, now);
    const drawer = await startTestServer({ databaseUrl: db.url(), demoTickets: 60 }, undefined, now);
    const phone = await phoneOn(drawer);
    try {
      const sup = await HttpSession.login(setter.url, 'supervisor', login('supervisor').password);
      const drawn = phone.waitFor<DownOf<'codeWord'>>((m) => m.type === 'codeWord' && m.codeWord === next, 90_000);
      expect((await sup.request('PUT', ev('/code-word'), { rule })).status).toBe(200);
      await setter.close();
      // The setter is gone before the day begins: it cannot be the one that draws.
      expect(now()).toBeLessThan(boundary);
      expect(await drawn).toEqual({ type: 'codeWord', eventId: DEMO_EVENT, codeWord: next });
      expect(await drawer.storage.getCodeWord(DEMO_EVENT)).toBe(next);
    } finally {
      await phone.close();
      await supervisor.request('PUT', ev('/code-word'), { codeWord: null });
      await Promise.all([setter, drawer].map((s) => s.close()));
    }
  });
});
