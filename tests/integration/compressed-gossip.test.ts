// Protocol 2's compressed `scans` messages, against a real server: a client that asks
// for deflate-raw gets big gossip and catch-up pages as binary frames that inflate to the
// same messages a version 1 client gets as text; small messages stay text for everyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { DEFLATE_MIN_BYTES } from '../../sync-server/src/hub/frames.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const MAIN = checkpointId('main-gate');
let server: TestServer;
let tickets: TicketId[];

const connect = (username: string, opts: { compress?: string[]; cursor?: number | null; version?: number } = {}) =>
  ScannerClient.connect(server.url, username, login(username).password, DEMO_EVENT, MAIN, opts);

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 200 });
  tickets = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
});
afterAll(async () => { await server?.close(); });

describe('compressed scans messages (hello.compress)', () => {
  it('sends a batch of gossip as one binary frame to a client that asked, as text to a version 1 client, with the same content', async () => {
    const packed = await connect('inspector', { compress: ['deflate-raw', 'some-future-encoding'] });
    // Phones that have not updated yet still speak version 1: welcomed, and given text.
    const plain = await connect('inspector2', { version: 1 });
    expect(plain.received[0]).toMatchObject({ type: 'welcome' });
    const uploader = await connect('inspector2');
    try {
      const batch = tickets.slice(0, 40).map((t) => uploader.offlineScan(uploader.request(t, t)));
      const hear = (c: ScannerClient) => c.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.id === batch.at(-1)!.id));
      const [fromPacked, fromPlain] = [hear(packed), hear(plain)];
      expect((await uploader.upload(batch)).results.every((r) => r.status === 'accepted')).toBe(true);
      const [a, b] = await Promise.all([fromPacked, fromPlain]);
      expect(a).toEqual(b);
      expect(a.scans.map((s) => s.id)).toEqual(batch.map((s) => s.id));

      const binary = packed.frames.filter((f) => f.binary);
      expect(binary.map((f) => f.type)).toEqual(['scans']);
      expect(plain.frames.some((f) => f.binary)).toBe(false);
      // The point of it: the same message, several times smaller.
      const text = plain.frames.filter((f) => f.type === 'scans').at(-1)!;
      expect(binary[0]!.bytes * 4).toBeLessThan(text.bytes);
    } finally {
      await Promise.all([packed.close(), plain.close(), uploader.close()]);
    }
  });

  it('keeps small messages and everything but scans as text, compressed reader or not', async () => {
    const packed = await connect('inspector', { compress: ['deflate-raw'] });
    try {
      const ticket = tickets[50]!;
      const heard = packed.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.ticketId === ticket));
      const v = await packed.scan(packed.request(ticket, ticket));
      expect(v.verdict.outcome).toBe('valid');
      await heard;
      const gossip = packed.frames.filter((f) => f.type === 'scans');
      expect(gossip.at(-1)).toMatchObject({ binary: false });
      expect(gossip.at(-1)!.bytes).toBeLessThan(DEFLATE_MIN_BYTES);
      expect(packed.frames.filter((f) => f.type !== 'scans').every((f) => !f.binary)).toBe(true);
    } finally {
      await packed.close();
    }
  });

  it('sends catch-up pages compressed, and the reconnecting client ends up with every scan', async () => {
    const packed = await connect('inspector', { compress: ['deflate-raw'], cursor: 0 });
    try {
      // The pages follow the welcome at once: they may be in before a waiter could be set.
      const lastPage = (m: (typeof packed.received)[number]) => m.type === 'scans' && !m.more;
      if (!packed.received.some(lastPage)) await packed.waitFor(lastPage);
      const stored = await server.storage.scansAfter(DEMO_EVENT, 0, 10_000);
      expect(stored.scans.length).toBeGreaterThan(40);
      expect([...packed.heard.keys()].sort()).toEqual(stored.scans.map((s) => s.scan.id).sort());
      expect(packed.frames.find((f) => f.type === 'scans')).toMatchObject({ binary: true });
    } finally {
      await packed.close();
    }
  });
});
