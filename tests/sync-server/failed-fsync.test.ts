// The disk fails the fsync after a commit (ENOSPC, EIO): the scan is in SQLite's log but
// not known to be on disk. The sender is told `unavailable` (503) and is not acknowledged;
// the scan is gossiped all the same, so that no scanner's cursor moves past a scan it was
// never sent; the sender's retry is acknowledged (as a duplicate) only once a sync succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceId, InspectorId, TicketId } from '@gatekeeper/shared/ids';
import { DEMO_EVENT, makeTestApp, offlineScan, scanRequest, type AppClient, type TestApp } from '../support/app.ts';

let t: TestApp;
let inspector: AppClient;
let device: DeviceId;
let inspectorId: InspectorId;
let tickets: TicketId[];
let failing = false;
let syncs = 0;

beforeAll(async () => {
  t = await makeTestApp({
    syncFile: async () => {
      syncs++;
      if (failing) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    },
  });
  tickets = (await t.storage.changesSince(DEMO_EVENT, 0)).tickets
    .filter((x) => x.status === 'paid' && !x.idCheck && x.validFrom === null && x.validUntil === null && x.kind === 'event' && x.importedCode === null)
    .map((x) => x.id);
  inspector = await t.as('inspector');
  device = (await inspector.post('/api/devices', { name: 'gate phone' })).json.device.id;
  inspectorId = (await inspector.get('/api/me')).json.inspector.id;
});
afterAll(async () => { await t?.close(); });

const ev = (path: string) => `/api/events/${DEMO_EVENT}${path}`;
const headers = () => ({ 'x-device-id': device });
const gossiped = () => new Set(t.gossip.stored.flatMap((g) => g.scans.map((s) => s.scan.id)));

describe('an fsync that fails after the commit', () => {
  it('online: 503, gossiped anyway, the retry answered only after a sync succeeds', async () => {
    const req = scanRequest({ inspectorId, deviceId: device }, tickets[0]!, tickets[0]!);
    failing = true;
    const r = await inspector.post(ev('/scans'), req, headers());
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({ code: 'unavailable', details: { cause: 'EIO', stored: 'unknown' } });
    expect(r.headers.get('retry-after')).toBe('5');
    expect(gossiped().has(req.id)).toBe(true);

    const before = syncs;
    expect((await inspector.post(ev('/scans'), req, headers())).status).toBe(503);
    expect(syncs).toBe(before + 1);
    failing = false;
    const again = await inspector.post(ev('/scans'), req, headers());
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: 'duplicate', verdict: { outcome: 'valid' } });
    expect(syncs).toBe(before + 2);
  });

  it('offline batch: 503, every committed scan gossiped, the retry all duplicates once synced', async () => {
    const scans = tickets.slice(1, 6).map((id) => offlineScan(scanRequest({ inspectorId, deviceId: device }, id, id)));
    failing = true;
    const r = await inspector.post(ev('/scans/batch'), { scans }, headers());
    expect(r.status).toBe(503);
    for (const s of scans) expect(gossiped().has(s.id)).toBe(true);
    failing = false;
    const again = await inspector.post(ev('/scans/batch'), { scans }, headers());
    expect(again.status).toBe(200);
    expect(again.json.results.map((x: { status: string }) => x.status)).toEqual(scans.map(() => 'duplicate'));
  });

  it('a conflict recorded in that transaction is told too', async () => {
    const ticket = tickets[7]!;
    const ours = offlineScan(scanRequest({ inspectorId, deviceId: device }, ticket, ticket));
    expect((await inspector.post(ev('/scans/batch'), { scans: [ours] }, headers())).status).toBe(200);
    // A second offline admission of the same ticket, made earlier by the clock: a conflict.
    const earlier = offlineScan(scanRequest({ inspectorId, deviceId: device }, ticket, ticket, { at: ours.at - 60_000 }));
    const told = t.gossip.conflicts.length;
    failing = true;
    expect((await inspector.post(ev('/scans/batch'), { scans: [earlier] }, headers())).status).toBe(503);
    failing = false;
    const conflicts = t.gossip.conflicts.slice(told).flatMap((c) => c.conflicts);
    expect(conflicts.some((c) => c.ticketId === ticket && [c.winner.scanId, c.loser.scanId].sort().join() === [ours.id, earlier.id].sort().join())).toBe(true);
  });

  it('a full disk that rolls the commit back gossips nothing', async () => {
    // More rows than the free space left in the file's pages can hold.
    const scans = Array.from({ length: 500 }, (_, i) => tickets[6 + (i % (tickets.length - 6))]!)
      .map((id) => offlineScan(scanRequest({ inspectorId, deviceId: device }, id, id)));
    const known = t.gossip.stored.length;
    t.storage.setMaxPageCount(t.storage.pageCount());
    try {
      const r = await inspector.post(ev('/scans/batch'), { scans }, headers());
      expect(r.status).toBe(503);
      expect(r.json.error.details).toEqual({ cause: 'SQLITE_FULL', stored: 'none' });
    } finally {
      t.storage.setMaxPageCount(null);
    }
    expect(t.gossip.stored.length).toBe(known);
  });
});
