// The annulment half of the Storage contract (see storage-contract.ts): undo is a scan
// of kind `annul` (shared/src/annul.ts), stored and read back like any scan, and the
// conflicts it changes are recorded, never silently dropped.
import { beforeEach, describe, expect, it } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { eventId, scanId, type ScanId } from '@gatekeeper/shared/ids';
import type { OnlineSubmission, Storage } from '@gatekeeper/sync-server/storage/types';
import { DEVICE_B, EVENT, INSPECTOR_B, T0, hlcAt, makeCheckpoint, makeEvent, makeScan, makeTicket } from '../support/factories.ts';

const t1 = makeTicket();
const gate = makeCheckpoint();

/** An annulment of `target` by its own device, `afterMs` later. */
const annulmentOf = (target: Scan, afterMs = 30_000, over: Partial<Scan> = {}): Scan => ({
  ...makeAnnulment({
    target, id: scanId(`x-${target.id}`), hlc: hlcAt(target.at + afterMs), at: target.at + afterMs, clockOffset: 0,
    deviceId: target.deviceId, inspectorId: target.inspectorId, checkpoint: target, offline: true,
  }),
  ...over,
});

function online(over: Partial<Scan>): OnlineSubmission {
  const { outcome: _o, offline: _f, ...request } = makeScan(over);
  return { request, decide: (prior) => decideAdmission(t1, gate, prior, request.at, { direction: 'entry', idChecked: false, offline: false }) };
}

export function annulContract(s: () => Storage): void {
  beforeEach(async () => {
    await s().createEvent(makeEvent());
    await s().createEvent(makeEvent({ id: eventId('ev-2') }));
    await s().upsertCheckpoint(gate);
    await s().importTickets(EVENT, [], [t1]);
  });

  it('stores an annulment with its kind and target, and reads it back everywhere; an ordinary scan has neither key', async () => {
    const admitted = makeScan();
    const x = annulmentOf(admitted);
    await s().uploadOffline([admitted, x], T0 + 60_000);
    expect(await s().ticketScans(EVENT, t1.id)).toEqual([admitted, x]);
    expect((await s().scansAfter(EVENT, 0, 10)).scans.map((r) => r.scan)).toEqual([admitted, x]);
    expect((await s().getScan(EVENT, x.id))?.scan).toEqual(x);
    expect(Object.keys((await s().getScan(EVENT, admitted.id))!.scan)).not.toContain('kind');
    expect(await s().getScan(EVENT, scanId('nope'))).toBeNull();
    expect(await s().getScan(eventId('ev-2'), x.id)).toBeNull();
  });

  it('decides an online scan after an annulment as if the annulled admission had not been', async () => {
    const admitted = makeScan({ at: T0, offline: false });
    await s().uploadOffline([admitted, annulmentOf(admitted)], T0 + 60_000);
    const [r] = await s().submitOnline([online({ deviceId: DEVICE_B, at: T0 + 90_000 })], T0 + 90_000);
    expect(r.verdict.outcome).toBe('valid');
    expect(r.status).toBe('accepted');
  });

  it('records a refusal that an annulment arriving later made needless, told to the annulment and listed with who annulled', async () => {
    const admitted = makeScan({ at: T0 });
    const refused = makeScan({ at: T0 + 10_000, deviceId: DEVICE_B, inspectorId: INSPECTOR_B, outcome: 'already_used' });
    await s().uploadOffline([admitted, refused], T0 + 20_000);
    expect(await s().listConflicts(EVENT)).toEqual([]);
    const x = annulmentOf(admitted, 60_000);
    const [r] = await s().uploadOffline([x], T0 + 70_000);
    expect(r.status).toBe('conflict');
    const listed = await s().listConflicts(EVENT);
    expect(listed).toEqual([expect.objectContaining({
      kind: 'refused_annulled', ticketId: t1.id, scope: 'event',
      winner: expect.objectContaining({ scanId: admitted.id }), loser: expect.objectContaining({ scanId: refused.id, deviceId: DEVICE_B }),
      annulment: expect.objectContaining({ scanId: x.id, inspectorId: x.inspectorId, at: x.at }),
    })]);
    expect(r.conflicts).toEqual(listed);
    // Sent again: nothing new.
    const [again] = await s().uploadOffline([x], T0 + 80_000);
    expect(again).toMatchObject({ status: 'duplicate', conflicts: [] });
    expect(await s().listConflicts(EVENT)).toHaveLength(1);
  });

  it('keeps a double admission that an annulment resolves, naming the annulment', async () => {
    const a = makeScan({ at: T0 });
    const b = makeScan({ at: T0 + 2000, deviceId: DEVICE_B, inspectorId: INSPECTOR_B });
    await s().uploadOffline([a, b], T0 + 5000);
    expect(await s().listConflicts(EVENT)).toHaveLength(1);
    const x = annulmentOf(b, 20_000);
    const [r] = await s().uploadOffline([x], T0 + 30_000);
    expect(r.status).toBe('conflict');
    const listed = await s().listConflicts(EVENT);
    expect(listed).toEqual([expect.objectContaining({
      winner: expect.objectContaining({ scanId: a.id }), loser: expect.objectContaining({ scanId: b.id }),
      annulment: expect.objectContaining({ scanId: x.id }),
    })]);
    expect(listed[0]!.kind).toBeUndefined();
    expect(r.conflicts).toEqual(listed);
  });

  it('stores an annulment that does not count (quarantined) as evidence, changing nothing', async () => {
    const admitted = makeScan({ at: T0 });
    const forged = annulmentOf(admitted, 30_000, { id: 'x-forged' as ScanId, quarantine: 'annul_other_device' });
    await s().uploadOffline([admitted, forged], T0 + 60_000);
    const [r] = await s().submitOnline([online({ deviceId: DEVICE_B, at: T0 + 90_000 })], T0 + 90_000);
    expect(r.verdict.outcome).toBe('already_used');
    expect((await s().quarantined(EVENT, { limit: 10 })).scans.map((q) => q.scan)).toEqual([forged]);
  });
}
