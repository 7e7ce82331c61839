// Undo on the phone (issue 9): who is offered it and until when (annulRefusal, as the server
// will judge it), the annulment recorded like any own scan (stored, counted, uploaded after
// the admission it names), and the phone's own offline decisions honouring it at once.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { ANNUL_WINDOW_MS, AnnulRefusal, isAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import type { InspectorId } from '@gatekeeper/shared/ids';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import { Admitter, type AdmitterDeps, type ScanContext } from '../../scanner-pwa/src/lib/scan/admitter.ts';
import { Undo, type UndoSession } from '../../scanner-pwa/src/lib/scan/undo.ts';
import { LocalScans } from '../../scanner-pwa/src/lib/scans/local-scans.svelte.ts';
import { ServerClock } from '../../scanner-pwa/src/lib/state/server-clock.svelte.ts';
import { orderItems } from '../../scanner-pwa/src/lib/verdict/view-model.ts';
import { DEVICE_A, DEVICE_B, EVENT, INSPECTOR_A, INSPECTOR_B, makeCheckpoint, makeScan, makeTicket, T0 } from '../support/factories.ts';

const dbs: GatekeeperDb[] = [];
const pages: LocalScans[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) { p.stop(); await p.settled(); }
  for (const db of dbs.splice(0)) await db.delete();
});

const checkpoint = makeCheckpoint();
const ticket = makeTicket();
const ctx: ScanContext = { eventId: EVENT, checkpoint, direction: 'entry', deviceId: DEVICE_A, inspectorId: INSPECTOR_A };
const inspector: UndoSession = { inspector: { id: INSPECTOR_A, name: 'Anna', role: 'inspector' }, deviceId: DEVICE_A, isSupervisor: false };
const supervisor: UndoSession = { inspector: { id: 'sup-1' as InspectorId, name: 'Sam', role: 'supervisor' }, deviceId: DEVICE_A, isSupervisor: true };

type Sync = AdmitterDeps['sync'];
const noServer: Sync = { online: false, requestVerdict: () => Promise.reject(new Error('offline')) };

/** A phone (with no server unless `sync` says otherwise). Time is the test's (`phone.time.now`). */
async function phone(session: UndoSession = inspector, sync: (scans: LocalScans) => Sync = () => noServer, budgetMs = 1500) {
  const db = new GatekeeperDb(`undo-${Math.random()}`);
  dbs.push(db);
  const scans = new LocalScans(new DexieStore(db));
  pages.push(scans);
  await scans.open(EVENT);
  const time = { now: T0 };
  const clock = new ServerClock(0, () => time.now);
  const admitter = new Admitter({ sync: sync(scans), scans, clock, budgetMs: () => budgetMs });
  const undo = new Undo({ scans, session, clock });
  return { scans, admitter, undo, time, admit: async () => (await admitter.admit(ctx, ticket, 'GK1.t1', false)) };
}

describe('Undo on this phone', () => {
  it('offline: the annulment is an own scan (counted, uploaded after its admission), and the same code is VALID again at once', async () => {
    const p = await phone();
    const first = await p.admit();
    expect(first.verdict.outcome).toBe('valid');
    expect((await p.admit()).verdict.outcome).toBe('already_used');
    expect(p.undo.offered(first.scan.id)).toBe(true);

    const r = p.undo.annul(ctx, first.scan.id);
    if (!r.ok) throw new Error(`refused: ${r.reason}`);
    expect(r.annulment).toMatchObject({ kind: 'annul', annuls: first.scan.id, ticketId: ticket.id, deviceId: DEVICE_A, inspectorId: INSPECTOR_A, code: '' });
    expect(p.scans.pending).toBe(3);
    expect(p.scans.annulmentOf(first.scan.id)?.id).toBe(r.annulment.id);
    expect(p.undo.offered(first.scan.id)).toBe(false);

    const again = await p.admit();
    expect(again.verdict).toMatchObject({ outcome: 'valid', offline: true });
    // Uploaded in the order made: the server judges the annulment with its admission before it.
    const batch = p.scans.nextBatch(EVENT, 10).map((s) => s.id);
    expect(batch.indexOf(first.scan.id)).toBeLessThan(batch.indexOf(r.annulment.id));
    expect(batch.indexOf(r.annulment.id)).toBeLessThan(batch.indexOf(again.scan.id));
    // And the new admission holds the ticket again.
    expect((await p.admit()).verdict.outcome).toBe('already_used');
    // Stored, so a reload decides the same.
    await p.scans.settled();
  });

  it('an inspector: for 2 minutes after the admission, then no more; a late tap records nothing', async () => {
    const p = await phone();
    const { scan } = await p.admit();
    p.time.now = T0 + ANNUL_WINDOW_MS - 1_000;
    expect(p.undo.offered(scan.id)).toBe(true);
    p.time.now = T0 + ANNUL_WINDOW_MS + 1_000;
    expect(p.undo.offered(scan.id)).toBe(false);
    expect(p.undo.annul(ctx, scan.id)).toEqual({ ok: false, reason: AnnulRefusal.outside_window });
    expect(p.scans.pending).toBe(1);
  });

  it('an inspector: never another phone’s admission, nor a refusal; a supervisor: any admission, any time', async () => {
    const p = await phone();
    const theirs = makeScan({ deviceId: DEVICE_B, inspectorId: INSPECTOR_B, offline: false, at: T0 - 1_000 });
    p.scans.merge([theirs], DEVICE_A);
    expect(p.undo.offered(theirs.id)).toBe(false);
    expect(p.undo.annul(ctx, theirs.id)).toEqual({ ok: false, reason: AnnulRefusal.other_device });
    const refused = await p.admit();
    expect(refused.verdict.outcome).toBe('already_used');
    expect(p.undo.offered(refused.scan.id)).toBe(false);

    const s = await phone(supervisor);
    s.scans.merge([theirs], DEVICE_A);
    s.time.now = T0 + 60 * 60_000;
    expect(s.undo.offered(theirs.id)).toBe(true);
    const r = s.undo.annul({ ...ctx, inspectorId: supervisor.inspector!.id }, theirs.id);
    expect(r.ok && r.annulment.inspectorId).toBe('sup-1');
    expect((await s.admit()).verdict.outcome).toBe('valid');
  });

  it('not for an exit that a later entry stands on, until that entry is undone (the server’s own rule)', async () => {
    const lounge = makeCheckpoint({ zone: 'vip', mode: 'entry_exit' });
    const p = await phone(supervisor);
    const at = (direction: 'entry' | 'exit') => p.admitter.admit({ ...ctx, checkpoint: lounge, direction }, ticket, 'GK1.t1', false);
    await at('entry');
    p.time.now += 1000;
    const out = (await at('exit')).scan;
    p.time.now += 1000;
    const back = (await at('entry')).scan;
    expect([out.outcome, back.outcome]).toEqual(['exit', 'valid']);
    expect(p.undo.refusal(out.id)).toBe(AnnulRefusal.later_admission);
    expect(p.undo.annul({ ...ctx, checkpoint: lounge }, out.id)).toEqual({ ok: false, reason: 'later_admission' });
    expect(p.undo.annul({ ...ctx, checkpoint: lounge }, back.id).ok).toBe(true);
    expect(p.undo.offered(out.id)).toBe(true);
  });

  it('an annulment the server did not count (quarantined) frees nothing: the ticket is used again here', async () => {
    const p = await phone();
    const { scan } = await p.admit();
    const r = p.undo.annul(ctx, scan.id);
    if (!r.ok) throw new Error(r.reason);
    p.scans.merge([{ ...r.annulment, quarantine: 'annul_outside_window' }], DEVICE_A);
    expect(p.scans.annulmentOf(scan.id)).toBeNull();
    expect((await p.admit()).verdict.outcome).toBe('already_used');
  });

  it('signed out, or before a device is registered: not offered', async () => {
    const p = await phone({ inspector: null, deviceId: null, isSupervisor: false });
    const { scan } = await p.admit();
    expect(p.undo.offered(scan.id)).toBe(false);
    expect(p.undo.annul(ctx, scan.id).ok).toBe(false);
  });
});

describe('online after an undo', () => {
  /** A server that admits whatever it is asked, noting how many scans the phone still had waiting. */
  const admitting = (asked: number[]) => (scans: LocalScans): Sync => ({
    online: true,
    requestVerdict: async (req) => {
      asked.push(scans.pending);
      return { status: 'accepted', verdict: { outcome: 'valid', offline: false, ticketId: req.ticketId, firstScan: null, reason: { kind: 'outcome' } }, scan: { ...req, outcome: 'valid', offline: false } };
    },
  });

  it('the same code again waits until the server has the annulment (its upload was queued behind a batch in flight), then asks it', async () => {
    const asked: number[] = [];
    const p = await phone(inspector, admitting(asked));
    const first = await p.admit();
    p.scans.merge([first.scan], DEVICE_A);
    const r = p.undo.annul(ctx, first.scan.id);
    if (!r.ok) throw new Error(r.reason);
    // The annulment waits for its batch: the server would decide the ticket without it.
    const again = p.admit();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toEqual([0]);
    p.scans.markUploaded([r.annulment.id]);
    expect((await again).verdict).toMatchObject({ outcome: 'valid', offline: false });
    expect(asked).toEqual([0, 0]);
  });

  it('an upload that does not come within the budget: decided here, where the undo already counts', async () => {
    const asked: number[] = [];
    const p = await phone(inspector, admitting(asked), 50);
    const first = await p.admit();
    p.scans.merge([first.scan], DEVICE_A);
    const r = p.undo.annul(ctx, first.scan.id);
    if (!r.ok) throw new Error(r.reason);
    expect((await p.admit()).verdict).toMatchObject({ outcome: 'valid', offline: true });
    expect(asked).toEqual([0]);
  });
});

describe('an order’s items after an undo', () => {
  it('an item whose admission was undone shows as not scanned, and may go in (not UNKNOWN CODE from the annulment)', async () => {
    const p = await phone();
    const { scan } = await p.admit();
    const r = p.undo.annul(ctx, scan.id);
    if (!r.ok) throw new Error(r.reason);
    const [item] = orderItems([ticket], checkpoint, 'entry', (id) => p.scans.ofTicket(id), p.time.now);
    expect(item).toMatchObject({ outcome: null, remaining: true });
    const annulments: Scan[] = p.scans.ofTicket(ticket.id).filter(isAnnulment);
    expect(annulments).toHaveLength(1);
  });
});
