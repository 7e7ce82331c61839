// The big answers over a real socket (the manifest, scan pages, history, conflicts):
// gzipped for a client that accepts it (as a browser does), plain for one that does not,
// the same content either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { zManifest } from '@gatekeeper/shared/manifest';
import { checkpointId } from '@gatekeeper/shared/ids';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let session: HttpSession;
let supervisor: HttpSession;

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 500 });
  const { username, password } = login('inspector');
  session = await HttpSession.login(server.url, username, password);
  // The manifest goes to a registered phone only.
  await session.registerDevice('gzip test phone');
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
});
afterAll(async () => { await server?.close(); });

/** node:http rather than fetch: fetch would unzip the body and hide the encoding. */
function raw(path: string, headers: Record<string, string>, as: HttpSession = session): Promise<{ status: number; encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, { headers: { cookie: as.cookie, ...headers } }, (res) => {
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

describe('scan pages, history and conflicts over HTTP', () => {
  it('are gzipped for a client that accepts gzip, with the same content as plain', async () => {
    const { username, password } = login('inspector2');
    const phone = await ScannerClient.connect(server.url, username, password, DEMO_EVENT, checkpointId('main-gate'));
    try {
      const tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.slice(0, 30);
      const acks = await phone.upload(tickets.map((t) => phone.offlineScan(phone.request(t.id, t.id))));
      expect(acks.results.every((r) => r.status === 'accepted')).toBe(true);
    } finally {
      await phone.close();
    }
    // History is for supervisors; the scan pages for any staff of the event.
    for (const path of [`/api/events/${DEMO_EVENT}/scans?after=0`, `/api/events/${DEMO_EVENT}/history`]) {
      const zipped = await raw(path, { 'accept-encoding': 'gzip' }, supervisor);
      const plain = await raw(path, {}, supervisor);
      expect([zipped.status, plain.status], path).toEqual([200, 200]);
      expect(zipped.encoding, path).toBe('gzip');
      expect(plain.encoding, path).toBeUndefined();
      const unzipped = gunzipSync(zipped.body);
      expect(zipped.body.length * 3, path).toBeLessThan(unzipped.length);
      expect(JSON.parse(unzipped.toString('utf8')), path).toEqual(JSON.parse(plain.body.toString('utf8')));
    }
  });
});
