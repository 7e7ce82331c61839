// Less to find, fewer ways in: what a real server on loopback gives away on disk and on
// the wire, and the requests it must refuse. One test per finding of issue 8, section 6.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../sync-server/src/auth/sessions.ts';
import { ConfigError } from '../../sync-server/src/config.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.close(); });

async function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('error', () => {});
  });
}

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
