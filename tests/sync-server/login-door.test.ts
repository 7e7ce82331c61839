// While the hash gate is full, a login is refused at the door: 503 busy from the bare
// HTTP listener, before the request reaches the app (no body parsed, no account looked
// up, no error built). A login flood from many addresses then costs the event loop the
// connection and a few header lines per attempt (server.verdict.p99.loginFlood).
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HashGate } from '@gatekeeper/sync-server/auth/hash-gate';
import { KNOWN_BROWSER_COOKIE, KnownBrowsers } from '@gatekeeper/sync-server/auth/known-browsers';
import { refuseLoginsWhileBusy } from '@gatekeeper/sync-server/auth/login-door';
import { inspectorId } from '@gatekeeper/shared/ids';

const known = new KnownBrowsers(Buffer.alloc(32, 7));

interface Answer { status: number; headers: IncomingMessage['headers']; text: string }

function send(base: string, method: string, path: string, body?: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie } : {}) };
    const req = request(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the login door', () => {
  let server: Server | null = null;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null;
  });

  /** A server whose app answers 200 with what it was asked, behind the door of `gate`. */
  async function serve(gate: HashGate): Promise<{ base: string; reached: string[] }> {
    const reached: string[] = [];
    server = createServer(refuseLoginsWhileBusy((req, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.end('app');
    }, gate, known));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, reached };
  }

  it('refuses a login busy before the app sees it while the gate is full, and lets it in again once a slot frees', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 0 }, () => Date.now());
    let release!: () => void;
    const hashing = gate.run(() => new Promise<void>((r) => { release = r; }));
    const { base, reached } = await serve(gate);

    // Not even parsed: a malformed body gets the same refusal.
    for (const body of ['{"username":"anna","password":"wrong"}', 'not json']) {
      const refused = await send(base, 'POST', '/api/login', body);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'busy' } });
    }
    const refusedWithQuery = await send(base, 'POST', '/api/login?next=/', '{}');
    expect(refusedWithQuery.status).toBe(503);
    expect(reached).toEqual([]);

    // Everything else goes through as ever.
    expect((await send(base, 'GET', '/api/me')).text).toBe('app');
    expect((await send(base, 'POST', '/api/logout', '{}')).text).toBe('app');
    expect(reached).toEqual(['GET /api/me', 'POST /api/logout']);

    release();
    await hashing;
    expect((await send(base, 'POST', '/api/login', '{}')).text).toBe('app');
    expect(reached.at(-1)).toBe('POST /api/login');
  });

  it('lets a login from a browser where staff signed in through while full, and no forged or foreign cookie', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 0 }, () => Date.now());
    let release!: () => void;
    const hashing = gate.run(() => new Promise<void>((r) => { release = r; }));
    const { base, reached } = await serve(gate);
    const valid = known.issue(inspectorId('i-anna'));
    const forged = valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const otherServer = new KnownBrowsers(Buffer.alloc(32, 8)).issue(inspectorId('i-anna'));
    for (const cookie of [`${KNOWN_BROWSER_COOKIE}=${forged}`, `${KNOWN_BROWSER_COOKIE}=${otherServer}`, `x${KNOWN_BROWSER_COOKIE}=${valid}`, 'gk_session=abc']) {
      expect((await send(base, 'POST', '/api/login', '{}', cookie)).status).toBe(503);
    }
    expect(reached).toEqual([]);
    expect((await send(base, 'POST', '/api/login', '{}', `gk_session=abc; ${KNOWN_BROWSER_COOKIE}=${valid}`)).text).toBe('app');
    expect(reached).toEqual(['POST /api/login']);
    release();
    await hashing;
  });
});
