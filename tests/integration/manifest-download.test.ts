// The manifest over a real socket: gzipped for a client that accepts it (as a browser
// does), plain for one that does not, the same manifest either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { zManifest } from '@gatekeeper/shared/manifest';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let session: HttpSession;

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 500 });
  const { username, password } = login('inspector');
  session = await HttpSession.login(server.url, username, password);
});
afterAll(async () => { await server?.close(); });

/** node:http rather than fetch: fetch would unzip the body and hide the encoding. */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, { headers: { cookie: session.cookie, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('manifest download', () => {
  it('is gzipped when the client accepts gzip, and is the same manifest as the plain one', async () => {
    const path = `/api/events/${DEMO_EVENT}/manifest`;
    const zipped = await raw(path, { 'accept-encoding': 'gzip, deflate, br' });
    const plain = await raw(path, {});
    expect([zipped.status, plain.status]).toEqual([200, 200]);
    expect(zipped.encoding).toBe('gzip');
    expect(plain.encoding).toBeUndefined();
    const unzipped = gunzipSync(zipped.body);
    expect(zipped.body.length).toBeLessThan(unzipped.length / 3);
    const a = zManifest.parse(JSON.parse(unzipped.toString('utf8')));
    const b = zManifest.parse(JSON.parse(plain.body.toString('utf8')));
    expect(a.tickets).toHaveLength(500);
    expect(a).toEqual(b);
  });
});
