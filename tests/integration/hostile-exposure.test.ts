// Less to find, fewer ways in: what a real server on loopback gives away on disk and on
// the wire, and the requests it must refuse. One test per finding of issue 8, section 6.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../sync-server/src/auth/sessions.ts';
import { ConfigError } from '../../sync-server/src/config.ts';
import { httpsLocation, isLoopback, plainHttpListener } from '../../sync-server/src/https-redirect.ts';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { upgradeStatus as upgradeStatusOf } from '../support/ws-socket.ts';

let server: TestServer;

beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.close(); });

const upgradeStatus = (headers: Record<string, string>) => upgradeStatusOf(server.url, headers);

describe('sessions', () => {
  it('a malformed session cookie on the socket upgrade is 401, not a server error', async () => {
    expect(await upgradeStatus({ cookie: 'gk_session=%' })).toBe(401);
    expect(await upgradeStatus({ cookie: 'other=1; gk_session=%E0%A4%A' })).toBe(401);
  });

  it('a login deletes the sessions that have ended', async () => {
    const inspector = (await server.storage.getStaffByUsername('inspector'))!;
    const now = Date.now();
    await server.storage.createSession({ tokenHash: hashToken('ended-long-ago'), inspectorId: inspector.id, createdAt: now - 48 * 3600_000, expiresAt: now - 24 * 3600_000 });
    await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
    expect(await server.storage.getSession(hashToken('ended-long-ago'))).toBeNull();
  });
});

describe('files on the server', () => {
  it('the database (which holds the signing keys) is readable by its owner only', async () => {
    const s = await HttpSession.login(server.url, 'inspector', login('inspector').password);
    expect((await s.request('GET', '/api/me')).status).toBe(200);
    for (const file of ['gatekeeper.sqlite', 'gatekeeper.sqlite-wal']) {
      expect((statSync(join(server.dir, file)).mode & 0o777).toString(8), file).toBe('600');
    }
  });

  it('the self-signed TLS key is readable by its owner only', async () => {
    const tls = await startTestServer({ httpsPort: 0 });
    try {
      expect((statSync(join(tls.dir, 'tls', 'key.pem')).mode & 0o777).toString(8)).toBe('600');
      expect((statSync(join(tls.dir, 'gatekeeper.sqlite')).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await tls.close();
    }
  });

  it('a PWA folder that contains the data folder is refused at start, naming both settings', async () => {
    await expect(startTestServer({ pwaDir: tmpdir() })).rejects.toThrow(ConfigError);
    await expect(startTestServer({ pwaDir: tmpdir() })).rejects.toThrow(/GK_PWA_DIR.*GK_DATA_DIR/s);
  });
});

describe('plain HTTP beyond this machine', () => {
  /** What the plain listener does with a request from `address`: the status and Location, or "served". */
  function plainAnswer(address: string, host: string, url: string): { served: boolean; status?: number; location?: string } {
    let served = false;
    const out: { served: boolean; status?: number; location?: string } = { served };
    const res = {
      writeHead(status: number, headers: Record<string, string>) { out.status = status; out.location = headers.location; return res; },
      end() { return res; },
    } as unknown as ServerResponse;
    const req = { socket: { remoteAddress: address }, headers: { host }, url } as unknown as IncomingMessage;
    plainHttpListener(() => { served = true; }, 8443)(req, res);
    out.served = served;
    return out;
  }

  it('only redirects a phone on the LAN to HTTPS (308, same host and path), never serving it', () => {
    expect(plainAnswer('192.168.1.23', '192.168.1.10:8080', '/v/GK1.abc?x=1')).toEqual({ served: false, status: 308, location: 'https://192.168.1.10:8443/v/GK1.abc?x=1' });
    expect(plainAnswer('::ffff:10.0.0.7', 'gate.local', '/api/login')).toMatchObject({ served: false, status: 308, location: 'https://gate.local:8443/api/login' });
    expect(plainAnswer('fd00::9', '[fd00::2]:8080', '/')).toMatchObject({ served: false, location: 'https://[fd00::2]:8443/' });
  });

  it('serves loopback over HTTP as before (the terminal, a local proxy, tests)', () => {
    for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(plainAnswer(a, 'localhost:8080', '/api/time').served, a).toBe(true);
    expect(isLoopback('127.5.0.1')).toBe(true);
    expect(isLoopback('10.127.0.1')).toBe(false);
  });

  it('does not echo a forged Host into the redirect', () => {
    expect(httpsLocation('evil.example/\r\nSet-Cookie: x=1', '/', 8443)).toBe('https://localhost:8443/');
    expect(httpsLocation('gate.local:8080', '//evil.example/', 443)).toBe('https://gate.local//evil.example/');
  });

  it('a server with HTTPS on keeps answering loopback over HTTP', async () => {
    const tls = await startTestServer({ httpsPort: 0 });
    try {
      expect((await fetch(`${tls.url}/api/time`)).status).toBe(200);
    } finally {
      await tls.close();
    }
  });
});

describe('the session cookie', () => {
  /** Log in over the server's HTTPS port (self-signed) and return the Set-Cookie header. */
  const httpsLogin = (base: string) => new Promise<string>((resolve, reject) => {
    const body = JSON.stringify({ username: 'inspector', password: login('inspector').password });
    const req = httpsRequest(`${base}/api/login`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['set-cookie'] ?? '')));
    });
    req.on('error', reject);
    req.end(body);
  });

  it('is Secure, HttpOnly, SameSite=Strict and host-only (no Domain) over HTTPS', async () => {
    const tls = await startTestServer({ httpsPort: 0 });
    try {
      const cookie = await httpsLogin(tls.httpsUrl!);
      expect(cookie).toMatch(/^gk_session=/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).not.toMatch(/Domain=/i);
    } finally {
      await tls.close();
    }
  });

  it('is Secure behind a TLS-terminating proxy on this machine (X-Forwarded-Proto: https)', async () => {
    const s = new HttpSession(server.url);
    const res = await fetch(`${server.url}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'inspector', password: login('inspector').password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    expect(s.cookie).toBe('');
  });
});

describe('scanned codes stay on the server', () => {
  it('gossip, catch-up, the verdict and the HTTP scan pages give phones no code text; the supervisor history keeps it', async () => {
    const MAIN = checkpointId('main-gate');
    const ticket = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.find((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null)!;
    const sup = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
    const { code } = (await sup.request('GET', `/api/events/${DEMO_EVENT}/tickets/${ticket.id}/code`)).json as { code: string };
    const a = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
    const b = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
    try {
      const req = a.request(ticket.id as TicketId, code);
      const heard = b.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.id === req.id));
      const verdict = await a.scan(req);
      expect(verdict.verdict.outcome).toBe('valid');
      expect(verdict.scan.code).toBe('');
      const gossip = (await heard).scans.find((s) => s.id === req.id)!;
      expect(gossip).toMatchObject({ id: req.id, ticketId: ticket.id, code: '' });

      const late = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN, { cursor: 0 });
      try {
        // The catch-up may arrive with the welcome, before a waiter could be set: poll.
        await vi.waitFor(() => expect(late.heard.get(req.id)).toMatchObject({ ticketId: ticket.id, code: '' }), { timeout: 20_000, interval: 50 });
      } finally { await late.close(); }

      const page = await a.http.request('GET', `/api/events/${DEMO_EVENT}/scans?after=0`);
      expect(JSON.stringify(page.json)).not.toContain(code);
      const history = await sup.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${ticket.id}`);
      expect(JSON.stringify(history.json)).toContain(code);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
