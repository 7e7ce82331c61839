// The live counters' arithmetic, scan by scan: what the agreed order and the annulment rule
// make of admissions that arrive late, twice, or undone; and the view a supervisor folds
// from deltas equals a fresh snapshot.
import { describe, expect, it } from 'vitest';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, scanId, ticketId } from '@gatekeeper/shared/ids';
import { applyLiveDelta } from '@gatekeeper/shared/live-counts';
import { LiveCounters, type Changes } from '../../../sync-server/src/live/counters.ts';
import type { StoredScan } from '../../../sync-server/src/storage/types.ts';
import { DEVICE_A, DEVICE_B, EVENT, T0, makeScan } from '../../support/factories.ts';

const LOUNGE = checkpointId('lounge');
const SIDE = checkpointId('side-door');
const T = ticketId('t1');
let seq = 0;
const stored = (...scans: Scan[]): StoredScan[] => scans.map((scan) => ({ seq: ++seq, receivedAt: T0, scan }));

/** Counters fed as Live feeds them: each batch with the earlier scans of its tickets, as storage holds them. */
function fed(): { c: LiveCounters; apply(batch: StoredScan[]): Changes } {
  const c = new LiveCounters();
  const held: StoredScan[] = [];
  return {
    c,
    apply(batch) {
      const tickets = new Set(batch.map((s) => s.scan.ticketId));
      const prior = held.filter((s) => tickets.has(s.scan.ticketId));
      held.push(...batch);
      return c.apply(batch, prior);
    },
  };
}
const io = (over: Partial<Scan>) => makeScan({ ticketId: T, zone: 'vip', mode: 'entry_exit', checkpointId: LOUNGE, ...over });
const insideOf = (c: LiveCounters) => c.snapshot(EVENT, 0).zones.find((z) => z.zone === 'vip')?.inside ?? 0;

describe('LiveCounters', () => {
  it('takes "inside" from the last movement in the agreed order, not the last one heard', () => {
    const f = fed();
    const c = f.c;
    const entry = io({ at: T0 });
    const exit = io({ at: T0 + 60_000, direction: 'exit', outcome: 'exit', checkpointId: SIDE });
    const back = io({ at: T0 + 120_000, deviceId: DEVICE_B });
    f.apply(stored(entry, back));
    expect(insideOf(c)).toBe(1);
    // The exit between them was made offline and arrives last: still inside, once.
    f.apply(stored(exit));
    expect(insideOf(c)).toBe(1);
    expect(c.snapshot(EVENT, 0)).toMatchObject({ admitted: 1, checkpoints: [{ checkpointId: LOUNGE, admitted: 2 }] });
  });

  it('takes an annulled admission out of every count, whichever of the two arrives first', () => {
    for (const order of ['admission first', 'annulment first'] as const) {
      const f = fed();
      const c = f.c;
      const admission = io({ at: T0 });
      const undo = makeAnnulment({
        target: admission, id: scanId(`s-undo-${order.length}`), hlc: admission.hlc.replace(/:\w+$/, ':0001'), at: T0 + 1, clockOffset: 0,
        deviceId: DEVICE_A, inspectorId: admission.inspectorId, checkpoint: admission, offline: true,
      });
      f.apply(stored(...(order === 'admission first' ? [admission] : [undo])));
      f.apply(stored(...(order === 'admission first' ? [undo] : [admission])));
      const snap = c.snapshot(EVENT, 0);
      expect({ order, admitted: snap.admitted, checkpoints: snap.checkpoints, zones: snap.zones, minutes: snap.minutes }).toEqual({ order, admitted: 0, checkpoints: [], zones: [], minutes: [] });
      // What the gate showed stays in the mix; the annulment is no outcome of its own.
      expect(snap.outcomes).toEqual([{ outcome: 'valid', count: 1 }]);
    }
  });

  it('counts quarantined scans apart and in nothing else', () => {
    const f = fed();
    const c = f.c;
    const changes = f.apply(stored(makeScan({ ticketId: T, quarantine: 'unknown_checkpoint' })));
    expect(changes.quarantine).toHaveLength(1);
    expect(c.snapshot(EVENT, 0)).toMatchObject({ quarantined: 1, admitted: 0, outcomes: [], checkpoints: [] });
  });

  it('gives deltas that, folded over the first snapshot, equal a fresh one', () => {
    const f = fed();
    const c = f.c;
    f.apply(stored(makeScan({ ticketId: ticketId('t0') })));
    let view = c.snapshot(EVENT, 10);
    const batches = [
      [io({ at: T0 }), makeScan({ ticketId: ticketId('t2'), at: T0 + 61_000 })],
      [makeScan({ ticketId: ticketId('t2'), outcome: 'already_used', deviceId: DEVICE_B })],
      [io({ at: T0 + 5000, direction: 'exit', outcome: 'exit' }), makeScan({ ticketId: null, outcome: 'invalid_signature' })],
    ];
    for (const batch of batches) view = applyLiveDelta(view, c.delta(EVENT, f.apply(stored(...batch))));
    expect(view).toEqual(c.snapshot(EVENT, 10));
  });
});
