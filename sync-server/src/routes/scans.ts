// Scans over HTTP, for clients without a socket: the same operations and rules as the
// hub, through the same ScanService.
import { scanForPhones } from '../scans/for-phones.ts';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { z } from 'zod';
import { zScan } from '@gatekeeper/shared/domain';
import { deviceId, scanId, zId, type CheckpointId, type ScanId } from '@gatekeeper/shared/ids';
import { withExplanation } from '@gatekeeper/shared/reasons';
import type { QuarantineReply } from '@gatekeeper/shared/api/live';
import { GkError, MAX_BATCH, zScanRequest } from '@gatekeeper/shared/protocol/index';
import type { SessionRecord } from '../storage/types.ts';
import { access } from './events.ts';
import { jsonBody, param, sessionDevice, type Ctx, type Env } from './context.ts';

/**
 * The device named in X-Device-Id, which must be the one this session registered or
 * claimed (and not revoked): an id is no credential, it is in every manifest.
 */
async function deviceOf(c: Ctx, session: SessionRecord) {
  const id = param(deviceId, c.req.header('x-device-id'), 'X-Device-Id');
  const device = await sessionDevice(c, session);
  if (device.id !== id) throw new GkError('forbidden', `this session speaks for device ${device.id}, not ${id}`);
  return id;
}

const num = (v: string | undefined, what: string): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new GkError('bad_request', `${what} must be a number`);
  return n;
};

export const scanRoutes = new Hono<Env>()
  .post('/:eventId/scans', async (c) => {
    const { staff, session, eventId } = await access(c);
    const device = await deviceOf(c, session);
    const req = await jsonBody(c, zScanRequest);
    const r = await c.var.deps.scans.submitOnline(staff, device, eventId, req);
    // Over HTTP the verdict keeps its English sentence beside the reason: scripts and
    // supervisors' tools read it as it is (the scanner app words the reason itself).
    return c.json({ ...r, verdict: withExplanation(r.verdict), scan: scanForPhones(r.scan) });
  })
  .post('/:eventId/scans/batch', async (c) => {
    const { staff, session, eventId } = await access(c);
    const device = await deviceOf(c, session);
    const { scans } = await jsonBody(c, z.object({ scans: z.array(zScan).min(1).max(MAX_BATCH) }));
    return c.json({ results: await c.var.deps.scans.uploadOffline(staff, device, eventId, scans) });
  })
  // Undo. A supervisor annuls any admission of the event (from a laptop: no device); an
  // inspector only one their phone made, within the window (annul.ts), from that phone.
  // A phone offline makes the annulment itself and uploads it like any offline scan.
  .post('/:eventId/scans/:scanId/annul', async (c) => {
    const { staff, session, eventId } = await access(c);
    const target = param(scanId, c.req.param('scanId'), 'scan id');
    const device = c.req.header('x-device-id') === undefined && staff.role !== 'inspector' ? null : await deviceOf(c, session);
    const body = await jsonBody(c, z.object({ id: zId<ScanId>().optional(), checkpointId: zId<CheckpointId>().optional() }));
    const r = await c.var.deps.scans.annul(staff, device, eventId, target, body);
    return c.json({ ...r, scan: scanForPhones(r.scan) }, r.status === 'duplicate' ? 200 : 201);
  })
  // Pages of up to 1,000 scans (~370 kB of JSON) shrink ~8× gzipped; small answers are
  // left as they are (hono/compress skips bodies under 1 kB).
  .get('/:eventId/scans', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c);
    // The cursor is echoed back when the page is empty: a cursor of -1 or 0.5 must not be.
    const after = num(c.req.query('after'), 'after') ?? 0;
    if (!Number.isSafeInteger(after) || after < 0) throw new GkError('bad_request', 'after must be a cursor (a whole number, 0 or more)');
    const limit = Math.min(num(c.req.query('limit'), 'limit') ?? MAX_BATCH, MAX_BATCH);
    const page = await c.var.deps.storage.scansAfter(eventId, after, limit);
    return c.json({ scans: page.scans.map((s) => scanForPhones(s.scan)), cursor: page.cursor, more: page.more });
  })
  // Stored but not counted: offline scans that were not plausible (a checkpoint the event
  // lacks, a code of another ticket, a stamp out of range), each with its reason, and the
  // devices that went over their limits. Newest first; `before` pages as in history.
  .get('/:eventId/quarantine', compress({ encoding: 'gzip' }), async (c) => {
    const { eventId } = await access(c, 'supervisor');
    const { storage } = c.var.deps;
    const before = num(c.req.query('before'), 'before');
    const limit = Math.min(Math.max(num(c.req.query('limit'), 'limit') ?? 100, 1), 500);
    const page = await storage.quarantined(eventId, { limit, ...(before === undefined ? {} : { before }) });
    return c.json({
      scans: page.scans.map((s) => ({ seq: s.seq, receivedAt: s.receivedAt, reason: s.scan.quarantine ?? null, scan: s.scan })),
      next: page.next,
      alerts: await storage.listDeviceAlerts(eventId, 100),
    } satisfies QuarantineReply);
  });
