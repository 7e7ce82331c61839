// The bookkeeping after arbitration (conflict-bookkeeping.ts), on its own: given what
// `arbitrate` says about a ticket's scans, which scans this call stored and the rows
// already recorded, what both adapters write. The storage contract runs the same cases
// through SQLite and PostgreSQL; here each decision is asked directly.
import { describe, expect, it } from 'vitest';
import { arbitrate } from '@gatekeeper/shared/admission';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { scanId } from '@gatekeeper/shared/ids';
import { planConflicts, type RecordedConflict } from '@gatekeeper/sync-server/storage/conflict-bookkeeping';
import { DEVICE_B, INSPECTOR_B, T0, hlcAt, makeScan } from '../support/factories.ts';

const first = makeScan({ id: scanId('s-first'), at: T0 });
const second = makeScan({ id: scanId('s-second'), at: T0 + 10_000, deviceId: DEVICE_B, inspectorId: INSPECTOR_B });
const earlier = makeScan({ id: scanId('s-earlier'), at: T0 - 10_000, deviceId: DEVICE_B });
const row = (loser: Scan, winner: Scan, over: Partial<RecordedConflict> = {}): RecordedConflict => ({
  loserScanId: loser.id, winnerScanId: winner.id, kind: null, annulScanId: null, ...over,
});
const undo = (target: Scan): Scan => makeAnnulment({
  target, id: scanId(`x-${target.id}`), hlc: hlcAt(target.at + 30_000), at: target.at + 30_000, clockOffset: 0,
  deviceId: target.deviceId, inspectorId: target.inspectorId, checkpoint: target, offline: true,
});
const planned = (plan: ReturnType<typeof planConflicts>) => ({
  put: plan.put.map((p) => ({ loser: p.conflict.loser.scanId, winner: p.conflict.winner.scanId, involved: p.involved })),
  resolve: plan.resolve,
});

describe('the conflict bookkeeping after arbitration', () => {
  it('records a double admission once, told to the scan stored now', () => {
    const plan = planConflicts(arbitrate([first, second]), new Set([second.id]), []);
    expect(planned(plan)).toEqual({ put: [{ loser: second.id, winner: first.id, involved: [second.id] }], resolve: [] });
  });

  it('writes nothing for a conflict that names no scan stored now, or whose row already says it', () => {
    expect(planned(planConflicts(arbitrate([first, second]), new Set(), []))).toEqual({ put: [], resolve: [] });
    expect(planned(planConflicts(arbitrate([first, second]), new Set([second.id]), [row(second, first)]))).toEqual({ put: [], resolve: [] });
  });

  it('replaces the row of each loser when an earlier-stamped admission arrives later, told to that late scan', () => {
    const plan = planConflicts(arbitrate([first, second, earlier]), new Set([earlier.id]), [row(second, first)]);
    const byLoser = planned(plan).put.sort((p, q) => p.loser.localeCompare(q.loser));
    expect(byLoser).toEqual([
      { loser: first.id, winner: earlier.id, involved: [earlier.id] },
      { loser: second.id, winner: earlier.id, involved: [earlier.id] },
    ]);
  });

  it('resolves the recorded double admission that an annulment stored now cancels a side of, and leaves a resolved one alone', () => {
    const x = undo(second);
    const plan = planConflicts(arbitrate([first, second, x]), new Set([x.id]), [row(second, first)]);
    expect(plan.resolve).toEqual([{ loserScanId: second.id, annulmentId: x.id }]);
    const again = planConflicts(arbitrate([first, second, x]), new Set([x.id]), [row(second, first, { annulScanId: x.id })]);
    expect(again.resolve).toEqual([]);
  });

  it('records nothing for a double admission whose side an annulment in the same batch cancels', () => {
    const x = undo(first);
    const plan = planConflicts(arbitrate([first, second, x]), new Set([first.id, second.id, x.id]), []);
    expect(plan.put).toEqual([]);
    expect(plan.resolve).toEqual([]);
  });

  it('changes none of the rows it is given', () => {
    const recorded = [row(second, first)];
    const copy = structuredClone(recorded);
    planConflicts(arbitrate([first, second, undo(second)]), new Set([`x-${second.id}`]), recorded);
    expect(recorded).toEqual(copy);
  });
});
