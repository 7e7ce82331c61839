// The scan half of the Storage contract (see storage-contract.ts): online decisions,
// offline uploads and their conflicts, and every way of reading scans back.
import { beforeEach, describe, expect, it } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { Checkpoint, Scan, Ticket } from '@gatekeeper/shared/domain';
import { checkpointId, eventId, inspectorId, orderId, ticketId } from '@gatekeeper/shared/ids';
import type { OnlineSubmission, Storage } from '@gatekeeper/sync-server/storage/types';
import {
  DEVICE_A, DEVICE_B, EVENT, INSPECTOR_B, T0, makeCheckpoint, makeEvent, makeScan, makeTicket,
} from '../support/factories.ts';

const t1 = makeTicket({ id: ticketId('t1'), orderId: orderId('o-1') });
const t2 = makeTicket({ id: ticketId('t2') });
const gate = makeCheckpoint();
const EVENT_2 = eventId('ev-2');

/** An online submission that decides with the real rule and remembers what it was shown. */
function online(ticket: Ticket | null, over: Partial<Scan> = {}, checkpoint: Checkpoint = gate) {
  const { outcome: _outcome, offline: _offline, ...request } = makeScan({ ticketId: ticket?.id ?? null, ...over });
  const seen: Scan[][] = [];
  const item: OnlineSubmission = {
    request,
    decide: (prior) => {
      seen.push([...prior]);
      return decideAdmission(ticket, checkpoint, prior, request.at, { direction: request.direction, idChecked: request.idChecked, offline: false });
    },
  };
  return { item, seen, id: request.id };
}

const ids = (scans: ReadonlyArray<{ scan: Scan } | Scan>) => scans.map((s) => ('scan' in s ? s.scan.id : s.id));

/**
 * Register the scan cases in the calling describe block; `s` gives the running case's
 * fresh storage (see freshStorage in storage-contract.ts).
 */
export function scanContract(s: () => Storage): void {
  beforeEach(async () => {
    await s().createEvent(makeEvent());
    await s().createEvent(makeEvent({ id: EVENT_2 }));
    await s().upsertCheckpoint(gate);
    await s().importTickets(EVENT, [], [t1, t2]);
  });

  describe('online', () => {
    it('admits the first scan; the second at another gate sees it and is already_used', async () => {
      const first = online(t1);
      const side = makeCheckpoint({ id: checkpointId('side-door'), name: 'Side door' });
      const second = online(t1, { deviceId: DEVICE_B, checkpointId: side.id, at: T0 + 1000 }, side);
      const [r1] = await s().submitOnline([first.item], T0 + 5);
      expect(r1).toMatchObject({ status: 'accepted', conflicts: [], verdict: { outcome: 'valid', offline: false } });
      expect(r1.stored).toMatchObject({ receivedAt: T0 + 5, scan: { ...first.item.request, outcome: 'valid', offline: false } });
      expect(first.seen).toEqual([[]]);

      const [r2] = await s().submitOnline([second.item], T0 + 1005);
      expect(ids(second.seen[0])).toEqual([first.id]);
      expect(r2.status).toBe('accepted');
      expect(r2.verdict).toMatchObject({ outcome: 'already_used', firstScan: { scanId: first.id, deviceId: DEVICE_A } });
      expect(r2.stored.scan.outcome).toBe('already_used');
      expect(r2.stored.seq).toBeGreaterThan(r1.stored.seq);
      expect(ids(await s().ticketScans(EVENT, t1.id)).sort()).toEqual([first.id, second.id].sort());
    });

    it('answers the same scan id twice as a duplicate, without deciding again, stored once', async () => {
      const first = online(t1);
      const [r1] = await s().submitOnline([first.item], T0);
      const retry = online(t1, { id: first.id, deviceId: DEVICE_B });
      const [r2] = await s().submitOnline([retry.item], T0 + 60_000);
      expect(retry.seen).toEqual([]);
      expect(r2.status).toBe('duplicate');
      expect(r2.stored).toEqual(r1.stored);
      expect(r2.verdict).toMatchObject({ outcome: 'valid', offline: false, ticketId: t1.id, reason: { kind: 'outcome' } });
      expect(await s().ticketScans(EVENT, t1.id)).toHaveLength(1);
    });

    it('decides a batch in order, duplicates inside it included', async () => {
      const a = online(t1);
      const b = online(t1, { deviceId: DEVICE_B, at: T0 + 10 });
      const c = online(t2);
      const results = await s().submitOnline([a.item, a.item, b.item, c.item, c.item], T0 + 20);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'accepted', 'accepted', 'duplicate']);
      expect(results.map((r) => r.verdict.outcome)).toEqual(['valid', 'valid', 'already_used', 'valid', 'valid']);
      expect(a.seen).toHaveLength(1);
      expect(ids(b.seen[0])).toEqual([a.id]);
      expect(results[1].stored.seq).toBe(results[0].stored.seq);
      expect(await s().ticketScans(EVENT, t1.id)).toHaveLength(2);
      expect(await s().ticketScans(EVENT, t2.id)).toHaveLength(1);
    });

    it('decides a code that named no ticket over no scans, and stores the refusal', async () => {
      const junk = online(null, { code: 'https://evil.example/valid' });
      const [r] = await s().submitOnline([junk.item], T0);
      expect(junk.seen).toEqual([[]]);
      expect(r.verdict.outcome).toBe('unknown');
      expect(r.stored.scan).toMatchObject({ ticketId: null, outcome: 'unknown', offline: false });
      expect(ids((await s().scansAfter(EVENT, 0, 10)).scans)).toEqual([junk.id]);
    });

    it('stores nothing of a batch whose decision throws', async () => {
      const a = online(t1);
      const boom: OnlineSubmission = { request: online(t2).item.request, decide: () => { throw new Error('rule failed'); } };
      await expect(s().submitOnline([a.item, boom], T0)).rejects.toThrow('rule failed');
      expect(await s().ticketScans(EVENT, t1.id)).toEqual([]);
      expect(await s().latestCursor(EVENT)).toBe(0);
    });

    it('sees scans uploaded offline by another scanner', async () => {
      const offline = makeScan({ deviceId: DEVICE_B, at: T0 - 60_000 });
      await s().uploadOffline([offline], T0);
      const now = online(t1);
      const [r] = await s().submitOnline([now.item], T0);
      expect(r.verdict).toMatchObject({ outcome: 'already_used', firstScan: { scanId: offline.id, offline: true } });
    });
  });

  describe('offline', () => {
    const early = () => makeScan({ deviceId: DEVICE_A, at: T0 });
    const late = () => makeScan({ deviceId: DEVICE_B, inspectorId: INSPECTOR_B, at: T0 + 2000 });

    it('records two offline admissions of one ticket from two devices as one conflict naming both', async () => {
      const a = early();
      const b = late();
      const results = await s().uploadOffline([b, a], T0 + 9000);
      expect(results.map((r) => [r.scanId, r.status])).toEqual([[b.id, 'conflict'], [a.id, 'conflict']]);
      const conflicts = await s().listConflicts(EVENT);
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({
        eventId: EVENT, ticketId: t1.id, scope: 'event',
        winner: { scanId: a.id, deviceId: DEVICE_A, offline: true }, loser: { scanId: b.id, deviceId: DEVICE_B },
      });
      expect(results[0].conflicts).toEqual(conflicts);
      expect(results[1].conflicts).toEqual(conflicts);
      expect(await s().ticketScans(EVENT, t1.id)).toHaveLength(2);
    });

    it('flags the loser when the two arrive in separate uploads', async () => {
      const a = early();
      const b = late();
      expect(await s().uploadOffline([a], T0 + 1)).toMatchObject([{ scanId: a.id, status: 'accepted', conflicts: [] }]);
      const [r] = await s().uploadOffline([b], T0 + 2);
      expect(r.status).toBe('conflict');
      expect(r.conflicts).toMatchObject([{ winner: { scanId: a.id }, loser: { scanId: b.id } }]);
    });

    it('tells a late upload with an earlier stamp that it made the stored scan lose', async () => {
      const a = early();
      const b = late();
      await s().uploadOffline([b], T0 + 3000);
      const [r] = await s().uploadOffline([a], T0 + 4000);
      expect(r.status).toBe('conflict');
      expect(r.conflicts).toMatchObject([{ winner: { scanId: a.id }, loser: { scanId: b.id } }]);
      expect(r.stored.scan).toEqual(a);
    });

    it('answers a re-upload of the same batch with duplicates and no new conflicts', async () => {
      const batch = [early(), late()];
      const first = await s().uploadOffline(batch, T0 + 1);
      const again = await s().uploadOffline(batch, T0 + 2);
      expect(again.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(again.every((r) => r.conflicts.length === 0)).toBe(true);
      expect(again.map((r) => r.stored)).toEqual(first.map((r) => r.stored));
      expect(await s().listConflicts(EVENT)).toHaveLength(1);
      expect(await s().ticketScans(EVENT, t1.id)).toHaveLength(2);
    });

    it('answers a duplicate with the version stored first, and stores a batch\u2019s inner duplicate once', async () => {
      const a = early();
      const results = await s().uploadOffline([a, { ...a, outcome: 'already_used' }], T0);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
      expect(results[1].stored).toEqual(results[0].stored);
      const [again] = await s().uploadOffline([{ ...a, outcome: 'already_used' }], T0 + 1);
      expect(again.stored.scan.outcome).toBe('valid');
      expect(await s().ticketScans(EVENT, t1.id)).toHaveLength(1);
    });

    it('stores offline refusals and never counts them as conflicts', async () => {
      const a = early();
      const refused = makeScan({ deviceId: DEVICE_B, at: T0 + 2000, outcome: 'already_used' });
      const results = await s().uploadOffline([a, refused], T0 + 5000);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      expect(await s().listConflicts(EVENT)).toEqual([]);
    });

    it('moves every loser to the earliest admission when it arrives last', async () => {
      const b = late();
      const c = makeScan({ deviceId: DEVICE_B, at: T0 + 3000 });
      const [, rc] = await s().uploadOffline([b, c], T0 + 4000);
      expect(rc.conflicts).toMatchObject([{ winner: { scanId: b.id }, loser: { scanId: c.id } }]);
      const a = early();
      const [ra] = await s().uploadOffline([a], T0 + 5000);
      expect(ra.status).toBe('conflict');
      expect(ra.conflicts.map((x) => [x.winner.scanId, x.loser.scanId]).sort()).toEqual([[a.id, b.id], [a.id, c.id]].sort());
      const listed = await s().listConflicts(EVENT);
      expect(listed.map((x) => [x.winner.scanId, x.loser.scanId]).sort()).toEqual([[a.id, b.id], [a.id, c.id]].sort());
    });

    it('lists conflicts per event', async () => {
      await s().uploadOffline([early(), late()], T0);
      expect(await s().listConflicts(EVENT_2)).toEqual([]);
    });
  });

  describe('reading', () => {
    /** Scans of distinct tickets (so none conflict), stored one upload each: seq order = array order. */
    const storeEach = async (scans: Scan[]) => {
      for (const scan of scans) await s().uploadOffline([scan], scan.at);
    };

    it('returns one ticket\u2019s scans only', async () => {
      const mine = makeScan();
      await storeEach([mine, makeScan({ ticketId: t2.id }), makeScan({ eventId: EVENT_2 })]);
      expect(await s().ticketScans(EVENT, t1.id)).toEqual([mine]);
    });

    it('pages the event\u2019s log oldest first by cursor, and says when more remain', async () => {
      const scans = [1, 2, 3, 4].map((i) => makeScan({ ticketId: ticketId(`t-${i}`), at: T0 + i }));
      await storeEach([scans[0], scans[1], makeScan({ eventId: EVENT_2 }), scans[2], scans[3]]);
      expect(await s().latestCursor(EVENT_2)).toBeGreaterThan(0);

      const p1 = await s().scansAfter(EVENT, 0, 2);
      expect(ids(p1.scans)).toEqual([scans[0].id, scans[1].id]);
      expect(p1.more).toBe(true);
      expect(p1.cursor).toBe(p1.scans[1].seq);
      expect(p1.scans[0].receivedAt).toBe(T0 + 1);
      const p2 = await s().scansAfter(EVENT, p1.cursor, 2);
      expect(ids(p2.scans)).toEqual([scans[2].id, scans[3].id]);
      expect(p2.more).toBe(false);
      expect(p2.cursor).toBe(await s().latestCursor(EVENT));
      expect(await s().scansAfter(EVENT, p2.cursor, 2)).toEqual({ scans: [], cursor: p2.cursor, more: false });
      expect(ids((await s().scansAfter(EVENT, 0, 100)).scans)).toEqual(ids(scans));
    });

    it('has cursor 0 for an event without scans', async () => {
      expect(await s().latestCursor(EVENT)).toBe(0);
      expect(await s().scansAfter(EVENT, 0, 10)).toEqual({ scans: [], cursor: 0, more: false });
    });

    it('names its scan log: one id, the same whatever is stored (cursors count in it)', async () => {
      const id = await s().scanLogId();
      expect(id.length).toBeGreaterThanOrEqual(16);
      await s().uploadOffline([makeScan({ at: T0 })], T0);
      expect(await s().scanLogId()).toBe(id);
    });
  });

  describe('quarantine', () => {
    it('stores the mark with the scan, leaves it out of every conflict, and lists it newest first', async () => {
      const genuine = makeScan({ deviceId: DEVICE_B, at: T0 + 1000 });
      const forged = [
        makeScan({ at: 0, checkpointId: checkpointId('nowhere'), quarantine: 'unknown_checkpoint' }),
        makeScan({ at: 5, quarantine: 'clock_before_device' }),
      ];
      const results = await s().uploadOffline([...forged, genuine], T0 + 2000);
      // The forged admissions are stamped first, but count for nothing: no conflict.
      expect(results.map((r) => [r.status, r.stored.scan.quarantine])).toEqual([['accepted', 'unknown_checkpoint'], ['accepted', 'clock_before_device'], ['accepted', undefined]]);
      expect(await s().listConflicts(EVENT)).toEqual([]);
      // Read back with the mark; a scan that counts has no `quarantine` key at all.
      const all = await s().ticketScans(EVENT, t1.id);
      expect(all.find((x) => x.id === forged[0]!.id)).toEqual(forged[0]);
      expect(Object.keys(all.find((x) => x.id === genuine.id)!)).not.toContain('quarantine');
      expect((await s().scansAfter(EVENT, 0, 10)).scans.map((x) => x.scan.quarantine)).toEqual(['unknown_checkpoint', 'clock_before_device', undefined]);

      const page = await s().quarantined(EVENT, { limit: 1 });
      expect(ids(page.scans)).toEqual([forged[1]!.id]);
      const rest = await s().quarantined(EVENT, { limit: 1, before: page.next! });
      expect(ids(rest.scans)).toEqual([forged[0]!.id]);
      expect(rest.next).toBeNull();
      expect((await s().quarantined(EVENT_2, { limit: 10 })).scans).toEqual([]);
    });

    it('a scan sent again keeps the mark it was stored with', async () => {
      const scan = makeScan({ quarantine: 'code_mismatch' });
      await s().uploadOffline([scan], T0);
      const { quarantine: _q, ...fixed } = scan;
      const [again] = await s().uploadOffline([fixed], T0 + 1);
      expect(again).toMatchObject({ status: 'duplicate', stored: { scan: { quarantine: 'code_mismatch' } } });
    });

    it('records device alerts per event, newest first', async () => {
      const alert = { eventId: EVENT, deviceId: DEVICE_A, inspectorId: INSPECTOR_B, kind: 'rate_limited' as const, message: 'over its limit', at: T0 };
      await s().recordDeviceAlert(alert);
      await s().recordDeviceAlert({ ...alert, at: T0 + 1 });
      const listed = await s().listDeviceAlerts(EVENT, 10);
      expect(listed.map((a) => a.at)).toEqual([T0 + 1, T0]);
      expect(listed[0]).toMatchObject({ ...alert, at: T0 + 1, id: expect.any(Number) });
      expect(await s().listDeviceAlerts(EVENT, 1)).toHaveLength(1);
      expect(await s().listDeviceAlerts(EVENT_2, 10)).toEqual([]);
    });
  });
}
