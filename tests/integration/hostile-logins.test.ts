// A login flood and the demo's published logins, against a real server: the flood gets
// a few verdicts and then refusals that cost no hashing, staff elsewhere still log in,
// gates still get their verdicts; a staff member cut off loses their sockets at once;
// and a server holding the published logins serves beyond loopback only in demo mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, inspectorId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { hashPassword } from '../../sync-server/src/auth/passwords.ts';
import { KNOWN_BROWSER_COOKIE } from '../../sync-server/src/auth/known-browsers.ts';
import { LOGIN_RULES } from '../../sync-server/src/auth/rate-limit.ts';
import { ConfigError, loadConfig } from '../../sync-server/src/config.ts';
import { silentLogger } from '../../sync-server/src/log.ts';
import { startServer } from '../../sync-server/src/server.ts';
import { startChildServer } from '../support/child-server.ts';
import { postFrom } from '../support/http-from.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

/** `name=value` of the cookie `name` among Set-Cookie headers, to send back. */
const cookieNamed = (set: string | string[] | undefined, name: string): string | undefined =>
  [set ?? []].flat().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));

const MAIN = checkpointId('main-gate');
let server: TestServer;
let tickets: TicketId[];

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 120 });
  tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null && t.kind === 'event' && t.importedCode === null)
    .map((t) => t.id);
});
afterAll(async () => { await server?.close(); });

const statuses = (rs: Array<{ status: number }>) => rs.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});

describe('a login flood', () => {
  it('300 parallel wrong logins for one account from one address get at most the free attempts as 401, the rest 429 or 503', async () => {
    const flood = await Promise.all(Array.from({ length: 300 }, (_, i) =>
      postFrom(server.url, '/api/login', { username: 'supervisor', password: `guess-${i}` }, '127.0.0.1')));
    const count = statuses(flood);
    expect(count[401] ?? 0).toBeLessThanOrEqual(LOGIN_RULES.perPair.free);
    expect((count[401] ?? 0) + (count[429] ?? 0) + (count[503] ?? 0)).toBe(300);
    for (const r of flood.filter((x) => x.status === 429 || x.status === 503)) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // The genuine supervisor, elsewhere, is not locked out by it.
    const genuine = await postFrom(server.url, '/api/login', { username: 'supervisor', password: login('supervisor').password }, '127.0.0.2');
    expect(genuine.status).toBe(200);
  });

  it('gates get their online verdicts while wrong logins for many accounts from many addresses keep the hashing busy', async () => {
    const gate = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
    try {
      let flooding = true;
      const flooders = Array.from({ length: 40 }, async (_, i) => {
        const from = `127.0.${1 + (i % 50)}.${10 + i}`;
        const seen: number[] = [];
        for (let n = 0; flooding; n++) seen.push((await postFrom(server.url, '/api/login', { username: `nobody-${i}-${n % 3}`, password: 'x' }, from)).status);
        return seen;
      });
      const verdicts: Array<DownOf<'verdict'>> = [];
      for (const ticket of tickets.slice(0, 20)) verdicts.push(await gate.scan(gate.request(ticket, ticket)));
      flooding = false;
      const seen = (await Promise.all(flooders)).flat();
      expect(verdicts.map((v) => v.verdict.outcome)).toEqual(Array(20).fill('valid'));
      expect(verdicts.every((v) => v.status === 'accepted')).toBe(true);
      // The flood was real: it was answered throughout, wrong (401) or refused (429/503).
      expect(seen.length).toBeGreaterThan(40);
      expect(seen.every((s) => s === 401 || s === 429 || s === 503)).toBe(true);
    } finally {
      await gate.close();
    }
  });
});

describe('staff during a flood that keeps the hashing full', () => {
  // From many addresses and for many accounts, the per-address and per-account limits do not
  // bite and the hash gate is full nearly all the time: a login from a new browser is then
  // answered busy, as the flood is. A browser where this member of staff signed in before
  // carries a signed cookie that names them (auth/known-browsers.ts), and its login waits in
  // a lane of its own that the flood cannot fill.
  it('get in from a browser where they signed in before, every time', async () => {
    const from = '127.0.99.1';
    const password = login('supervisor').password;
    const first = await postFrom(server.url, '/api/login', { username: 'supervisor', password }, from);
    expect(first.status).toBe(200);
    const known = cookieNamed(first.headers['set-cookie'], KNOWN_BROWSER_COOKIE);
    expect(known).toBeTruthy();
    let flooding = true;
    let busy = 0;
    const flooders = Array.from({ length: 40 }, async (_, i) => {
      for (let n = 0; flooding; n++) {
        const r = await postFrom(server.url, '/api/login', { username: `nobody-${i}-${n % 3}`, password: 'x' }, `127.0.${60 + (i % 30)}.${10 + i}`);
        if (r.status === 503) busy++;
      }
    });
    try {
      await until(() => busy >= 20, 'the flood fills the hash gate');
      const answers: number[] = [];
      for (let i = 0; i < 3; i++) answers.push((await postFrom(server.url, '/api/login', { username: 'supervisor', password }, from, known!)).status);
      expect(answers).toEqual([200, 200, 200]);
      // The cookie is theirs alone: for another account it is an ordinary login, busy with the flood.
      await until(async () => (await postFrom(server.url, '/api/login', { username: 'inspector', password: login('inspector').password }, from, known!)).status === 503,
        'another account\u2019s login with this cookie is refused busy');
    } finally {
      flooding = false;
      await Promise.all(flooders);
    }
    // Each login waits for a hash at the lowest CPU priority: on a busy machine that is slow.
  }, 300_000);
});

describe('cutting a member of staff off', () => {
  it('disabling closes their sockets at once, ends their sessions, and refuses their login until re-enabled', async () => {
    await server.storage.createStaff({ id: inspectorId('i-volunteer'), username: 'volunteer', name: 'Vera Volunteer', role: 'inspector', passwordHash: await hashPassword('volunteer-pass'), disabled: false });
    await server.storage.assignStaff(DEMO_EVENT, inspectorId('i-volunteer'));
    const gate = await ScannerClient.connect(server.url, 'volunteer', 'volunteer-pass', DEMO_EVENT, MAIN);
    const closed = new Promise<number>((r) => gate.ws.once('close', (code) => r(code)));
    const refused = gate.waitFor<DownOf<'refused'>>((m) => m.type === 'refused');
    const admin = await HttpSession.login(server.url, 'admin', login('admin').password);
    expect((await admin.request('POST', '/api/staff/i-volunteer/disable')).status).toBe(200);
    expect((await refused).reason).toBe('unauthenticated');
    expect(await closed).toBe(4001);
    expect((await gate.http.request('GET', '/api/me')).status).toBe(401);
    expect((await postFrom(server.url, '/api/login', { username: 'volunteer', password: 'volunteer-pass' }, '127.0.0.3')).status).toBe(401);
    expect((await admin.request('POST', '/api/staff/i-volunteer/enable')).status).toBe(200);
    expect((await postFrom(server.url, '/api/login', { username: 'volunteer', password: 'volunteer-pass' }, '127.0.0.4')).status).toBe(200);
  });

  it('"sign out everywhere" closes every socket of one\u2019s own and ends every session', async () => {
    const phone = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
    const laptop = await HttpSession.login(server.url, 'inspector2', login('inspector2').password);
    const closed = new Promise<number>((r) => phone.ws.once('close', (code) => r(code)));
    const r = await laptop.request('POST', '/api/me/sign-out-everywhere');
    expect(r.status).toBe(200);
    expect(r.json.sessionsEnded).toBeGreaterThanOrEqual(2);
    expect(await closed).toBe(4001);
    expect((await phone.http.request('GET', '/api/me')).status).toBe(401);
  });
});

describe('the published demo logins', () => {
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const configFor = (dbFile: string, host: string, demo: boolean) =>
    loadConfig({}, { host, port: 0, httpsPort: -1, dataDir: join(dbFile, '..'), dbFile, pwaDir: join(dbFile, '..', 'no-app'), demo, demoTickets: 5 });

  it('are printed at every demo start with the warning that they are public, and never outside demo mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-print-'));
    dirs.push(dir);
    const demo = await startChildServer({ GK_DATA_DIR: dir, GK_DEMO_TICKETS: '5' });
    await demo.kill('SIGTERM');
    expect(demo.output()).toMatch(/DEMO MODE: these logins are public/);
    expect(demo.output()).toContain('admin / admin-demo');
    const prod = await startChildServer({ GK_DATA_DIR: dir, GK_DEMO: 'false' });
    await prod.kill('SIGTERM');
    expect(prod.output()).not.toMatch(/admin-demo|gate-demo|super-demo/);
    expect(prod.output()).toMatch(/loopback only.*still have the published demo passwords/);
  });

  it('a production start seeds nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-prod-'));
    dirs.push(dir);
    const prod = await startServer(configFor(join(dir, 'db.sqlite'), '127.0.0.1', false), silentLogger);
    try {
      expect(prod.seeded).toBe(false);
      expect(await prod.storage.listEvents()).toEqual([]);
      expect(await prod.storage.listStaff()).toEqual([]);
      expect(prod.publicLogins).toEqual([]);
    } finally { await prod.close(); }
  });

  it('are served beyond loopback only in demo mode, until their passwords are changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-demo-'));
    dirs.push(dir);
    const db = join(dir, 'db.sqlite');
    const demo = await startServer(configFor(db, '0.0.0.0', true), silentLogger);
    expect(demo.publicLogins.map((l) => l.username)).toEqual(['inspector', 'inspector2', 'supervisor', 'admin']);
    await demo.close();

    const refused = startServer(configFor(db, '0.0.0.0', false), silentLogger);
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/published password.*\n.*(change|disable)/is);

    // On loopback it starts, and the passwords can be changed (or the accounts disabled).
    const local = await startServer(configFor(db, '127.0.0.1', false), silentLogger);
    try {
      const admin = await HttpSession.login(local.url, 'admin', login('admin').password);
      for (const id of ['i-inspector', 'i-inspector2', 'i-supervisor']) expect((await admin.request('POST', `/api/staff/${id}/disable`)).status).toBe(200);
      const change = await admin.request('POST', '/api/me/password', { currentPassword: login('admin').password, newPassword: 'a long admin secret' });
      expect(change.status).toBe(200);
    } finally { await local.close(); }

    const lan = await startServer(configFor(db, '0.0.0.0', false), silentLogger);
    try {
      expect(lan.publicLogins).toEqual([]);
      expect((await postFrom(lan.url, '/api/login', { username: 'admin', password: 'a long admin secret' })).status).toBe(200);
    } finally { await lan.close(); }
  });
});
