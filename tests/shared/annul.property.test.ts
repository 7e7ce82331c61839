// Undo (annul.ts): an annulment is a scan, and arbitration stays a function of the set.
// So an annulled admission must count for nothing on every node, whatever order the
// annulment and the admission arrive in and however they are split between phones, and
// decideAdmission and arbitrate must still be one rule.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitrate, compareScans, decideAdmission } from '@gatekeeper/shared/admission';
import { ANNUL_OUTCOME, ANNUL_WINDOW_MS, annulRefusal, isAnnulment, makeAnnulment } from '@gatekeeper/shared/annul';
import type { Checkpoint, Direction, Scan, Ticket } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import type { CheckpointId, DeviceId, EventId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import { hlcAt, makeCheckpoint, makeScan, makeTicket, T0 } from '../support/factories.ts';
import { DEVICES, POINTS, permutation, scanBodyArb, scanOfBody } from '../support/scan-arbitraries.ts';

const RUNS = { numRuns: 300 };
const EV = 'ev1' as EventId;

const bodyArb = scanBodyArb({
  events: [EV], tickets: ['T1', 'T2'], codesOfNoTicket: false,
  outcome: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Outcome>('valid') },
    { weight: 2, arbitrary: fc.constant<Outcome>('exit') },
    { weight: 3, arbitrary: fc.constant<Outcome>('already_used') },
    { weight: 1, arbitrary: fc.constant<Outcome>('revoked') },
  ),
});

/**
 * A set of scans with annulments among them: each annulment names some earlier-made scan
 * (an admission mostly, but also refusals and other annulments, which it cannot cancel),
 * stamped mostly after it and sometimes before (a forged undo that must cancel nothing),
 * and now and then quarantined by the server.
 */
const setArb = fc.record({
  bodies: fc.array(bodyArb, { minLength: 1, maxLength: 40, size: 'medium' }),
  annuls: fc.array(fc.record({
    target: fc.nat(200), later: fc.integer({ min: -5, max: 40 }), counter: fc.nat(2), device: fc.constantFrom(...DEVICES),
    quarantined: fc.constantFrom(false, false, false, true),
  }), { maxLength: 15 }),
}).map(({ bodies, annuls }) => {
  const scans = bodies.map((b, i) => scanOfBody(b, `s${i}`));
  annuls.forEach((a, i) => {
    const target = scans[a.target % scans.length]!;
    const at = target.at + a.later;
    const annulment = makeAnnulment({
      target, id: `x${i}` as ScanId, hlc: formatHlc({ physical: at, counter: a.counter }), at, clockOffset: 0,
      deviceId: a.device as DeviceId, inspectorId: 'insp-2' as InspectorId, checkpoint: target, offline: true,
    });
    scans.push(a.quarantined ? { ...annulment, quarantine: 'annul_outside_window' } : annulment);
  });
  return scans;
});

describe('arbitrate with annulments', () => {
  it('gives the same answer for any arrival order and any split across nodes, duplicates and all', () => {
    const caseArb = setArb.chain((set) => fc.tuple(
      fc.constant(set), permutation(set),
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: set.length, maxLength: set.length }), permutation([0, 1, 2]),
    ));
    fc.assert(fc.property(caseArb, ([set, shuffled, masks, order]) => {
      const whole = arbitrate(set);
      expect(arbitrate(shuffled)).toEqual(whole);
      const nodes: Scan[][] = [[], [], []];
      shuffled.forEach((s, i) => nodes.forEach((n, k) => { if (masks[i]! & (1 << k)) n.push(s); }));
      expect(arbitrate(order.flatMap((k) => nodes[k]!))).toEqual(whole);
      expect(arbitrate([...set, ...shuffled])).toEqual(whole);
    }), RUNS);
  });

  it('treats an annulled admission as if it had never been made', () => {
    fc.assert(fc.property(setArb, (set) => {
      const r = arbitrate(set);
      const annulled = new Set(r.annulments.map((a) => a.annulled.id));
      const without = arbitrate(set.filter((s) => !annulled.has(s.id) && !isAnnulment(s)));
      expect(r.admitted).toEqual(without.admitted);
      expect(r.conflicts.filter((c) => !c.kind)).toEqual(without.conflicts);
      for (const s of r.admitted) expect(annulled.has(s.id)).toBe(false);
    }), RUNS);
  });

  it('annuls only counting admissions, by one annulment each, stamped after them', () => {
    fc.assert(fc.property(setArb, (set) => {
      const { annulments } = arbitrate(set);
      expect(new Set(annulments.map((a) => a.annulled.id)).size).toBe(annulments.length);
      for (const { annulled, annulment } of annulments) {
        expect(isAdmitting(annulled.outcome) && !isAnnulment(annulled)).toBe(true);
        expect(annulment.quarantine).toBeUndefined();
        expect(annulment.annuls).toBe(annulled.id);
        expect(compareScans(annulled, annulment)).toBe(-1);
        // The first annulment of it in the agreed order.
        const rivals = set.filter((s) => isAnnulment(s) && s.annuls === annulled.id && !s.quarantine && compareScans(annulled, s) < 0);
        expect(rivals.sort(compareScans)[0]).toEqual(annulment);
      }
    }), RUNS);
  });

  it('reports a refusal as refused_annulled only when its scope is free without the annulled admission', () => {
    fc.assert(fc.property(setArb, (set) => {
      const r = arbitrate(set);
      const annulled = new Set(r.annulments.map((a) => a.annulled.id));
      for (const c of r.conflicts.filter((x) => x.kind === 'refused_annulled')) {
        expect(annulled.has(c.winner.scanId)).toBe(true);
        expect(c.loser.outcome).toBe('already_used');
        expect(c.annulment?.scanId).toBe(r.annulments.find((a) => a.annulled.id === c.winner.scanId)!.annulment.id);
      }
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------
// One rule: a node that hears every earlier scan before deciding (the online case), with
// inspectors undoing some admissions along the way, never produces a double admission.

const ticketsArb: fc.Arbitrary<Ticket[]> = fc.constant(['T1', 'T2'].map((id) => makeTicket({ id: id as TicketId, eventId: EV })));
const checkpoints: Checkpoint[] = POINTS.map((p) => makeCheckpoint({ id: p.id as CheckpointId, eventId: EV, name: p.id, zone: p.zone, mode: p.mode }));

const stepArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('scan' as const), ticket: fc.nat(1), point: fc.nat(POINTS.length - 1), direction: fc.constantFrom<Direction>('entry', 'entry', 'exit'), device: fc.constantFrom(...DEVICES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('annul' as const), pick: fc.nat(100) }) },
);

describe('decideAdmission and arbitrate agree with annulments', () => {
  it('deciding each scan on the ones before, undoing some, yields no double admission', () => {
    fc.assert(fc.property(ticketsArb, fc.array(stepArb, { maxLength: 50 }), (tickets, steps) => {
      const decided: Scan[] = [];
      steps.forEach((step, i) => {
        const at = T0 + i;
        if (step.kind === 'annul') {
          const undoable = decided.filter((s) => annulRefusal(s, { role: 'supervisor' }, at, decided) === null);
          if (undoable.length === 0) return;
          const target = undoable[step.pick % undoable.length]!;
          decided.push(makeAnnulment({ target, id: `x${i}` as ScanId, hlc: hlcAt(at), at, clockOffset: 0, deviceId: target.deviceId, inspectorId: target.inspectorId, checkpoint: target, offline: false }));
          return;
        }
        const ticket = tickets[step.ticket]!;
        const cp = checkpoints[step.point]!;
        const v = decideAdmission(ticket, cp, decided, at, { direction: step.direction, idChecked: true, offline: false });
        decided.push(makeScan({
          id: `s${i}` as ScanId, eventId: EV, ticketId: ticket.id, checkpointId: cp.id, zone: cp.zone, mode: cp.mode,
          direction: step.direction, deviceId: step.device as DeviceId, at, outcome: v.outcome, offline: false,
        }));
      });
      const r = arbitrate(decided);
      expect(r.conflicts.filter((c) => !c.kind)).toEqual([]);
      const annulled = new Set(r.annulments.map((a) => a.annulled.id));
      expect(r.admitted.map((s) => s.id)).toEqual(decided.filter((s) => !isAnnulment(s) && isAdmitting(s.outcome) && !annulled.has(s.id)).map((s) => s.id));
    }), { numRuns: 400 });
  });

  it('decides over a set with an annulled admission exactly as over the set without it', () => {
    fc.assert(fc.property(setArb, fc.nat(POINTS.length - 1), fc.constantFrom<Direction>('entry', 'exit'), (set, point, direction) => {
      const annulled = new Set(arbitrate(set).annulments.map((a) => a.annulled.id));
      const without = set.filter((s) => !annulled.has(s.id) && !isAnnulment(s));
      const ticket = makeTicket({ id: 'T1' as TicketId, eventId: EV });
      const req = { direction, idChecked: true, offline: true };
      expect(decideAdmission(ticket, checkpoints[point]!, set, T0 + 100, req)).toEqual(decideAdmission(ticket, checkpoints[point]!, without, T0 + 100, req));
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------
// The cases people ask about, spelled out.

describe('annulment, by example', () => {
  const gate = makeCheckpoint();
  const t1 = makeTicket();
  const entry = { direction: 'entry' as const, idChecked: false, offline: false };
  const admitted = makeScan({ at: T0, offline: false });
  const undo = (target: Scan, over: Partial<Parameters<typeof makeAnnulment>[0]> = {}) => makeAnnulment({
    target, id: `x-${target.id}` as ScanId, hlc: hlcAt(T0 + 30_000), at: T0 + 30_000, clockOffset: 0,
    deviceId: target.deviceId, inspectorId: target.inspectorId, checkpoint: target, offline: true, ...over,
  });

  it('frees the ticket: the next entry at another gate is valid', () => {
    expect(decideAdmission(t1, gate, [admitted], T0 + 60_000, entry).outcome).toBe('already_used');
    expect(decideAdmission(t1, gate, [undo(admitted), admitted], T0 + 60_000, entry).outcome).toBe('valid');
    expect(undo(admitted)).toMatchObject({ kind: 'annul', annuls: admitted.id, outcome: ANNUL_OUTCOME, ticketId: t1.id, code: '' });
  });

  it('cancels nothing when stamped before the admission, or quarantined', () => {
    expect(decideAdmission(t1, gate, [admitted, undo(admitted, { hlc: hlcAt(T0 - 1) })], T0 + 60_000, entry).outcome).toBe('already_used');
    expect(decideAdmission(t1, gate, [admitted, { ...undo(admitted), quarantine: 'annul_other_device' }], T0 + 60_000, entry).outcome).toBe('already_used');
  });

  it('resolves a double admission when either side is annulled', () => {
    const second = makeScan({ at: T0 + 1000, deviceId: 'dev-b' as DeviceId });
    expect(arbitrate([admitted, second]).conflicts).toHaveLength(1);
    expect(arbitrate([admitted, second, undo(second)])).toMatchObject({ conflicts: [], admitted: [admitted] });
    expect(arbitrate([admitted, second, undo(admitted)])).toMatchObject({ conflicts: [], admitted: [second] });
  });

  it('shows supervisors a refusal whose admission was annulled afterwards', () => {
    const refused = makeScan({ at: T0 + 10_000, deviceId: 'dev-b' as DeviceId, outcome: 'already_used', offline: false });
    const x = undo(admitted);
    const r = arbitrate([admitted, refused, x]);
    expect(r.conflicts).toEqual([expect.objectContaining({
      kind: 'refused_annulled', winner: expect.objectContaining({ scanId: admitted.id }),
      loser: expect.objectContaining({ scanId: refused.id }), annulment: expect.objectContaining({ scanId: x.id, deviceId: x.deviceId }),
    })]);
    // A refusal that had another reason (an admission that still stands) is not reported.
    const other = makeScan({ at: T0 + 5000, deviceId: 'dev-c' as DeviceId });
    expect(arbitrate([admitted, other, refused, x]).conflicts.filter((c) => c.kind)).toEqual([]);
  });

  it('lets the inspector undo on the same device within the window, a supervisor anything, any time', () => {
    const at = T0 + ANNUL_WINDOW_MS;
    expect(annulRefusal(admitted, { role: 'inspector', deviceId: admitted.deviceId }, at)).toBeNull();
    expect(annulRefusal(admitted, { role: 'inspector', deviceId: admitted.deviceId }, at + 1)).toBe('outside_window');
    expect(annulRefusal(admitted, { role: 'inspector', deviceId: 'dev-b' }, T0)).toBe('other_device');
    expect(annulRefusal(admitted, { role: 'supervisor' }, T0 + 86_400_000)).toBeNull();
    expect(annulRefusal(null, { role: 'supervisor' }, T0)).toBe('unknown_scan');
    expect(annulRefusal(makeScan({ outcome: 'already_used' }), { role: 'supervisor' }, T0)).toBe('not_admission');
    expect(annulRefusal(undo(admitted), { role: 'supervisor' }, T0)).toBe('not_admission');
    expect(annulRefusal(admitted, { role: 'supervisor' }, T0, [admitted, undo(admitted)])).toBe('already_annulled');
  });

  // Found by the property above (seed 720258212): in an entry-exit zone, entry, exit, entry
  // again; undoing the exit afterwards would leave two entries standing, a double admission.
  describe('a later admission that depends on the one undone', () => {
    const bar = makeCheckpoint({ id: 'bar' as CheckpointId, zone: 'bar', mode: 'entry_exit' });
    const at = (ms: number, direction: Direction) => makeScan({
      id: `s${ms}` as ScanId, at: T0 + ms, checkpointId: bar.id, zone: bar.zone, mode: bar.mode, direction, outcome: direction === 'exit' ? 'exit' : 'valid', offline: false,
    });
    const [inside, out, back] = [at(0, 'entry'), at(3000, 'exit'), at(5000, 'entry')];

    it('refuses to undo an exit that a re-entry came after: undo the re-entry first', () => {
      expect(annulRefusal(out, { role: 'supervisor' }, T0 + 9000, [inside, out, back])).toBe('later_admission');
      expect(annulRefusal(out, { role: 'inspector', deviceId: out.deviceId }, T0 + 9000, [inside, out, back])).toBe('later_admission');
      // Undone in that order, nothing is admitted twice.
      expect(annulRefusal(back, { role: 'supervisor' }, T0 + 9000, [inside, out, back])).toBeNull();
      const undone = [inside, out, back, undo(back)];
      expect(annulRefusal(out, { role: 'supervisor' }, T0 + 9000, undone)).toBeNull();
      expect(arbitrate([...undone, undo(out)]).conflicts).toEqual([]);
    });

    it('still undoes an entry with an exit after it, or either side of a double admission', () => {
      expect(annulRefusal(inside, { role: 'supervisor' }, T0 + 9000, [inside, out, back])).toBeNull();
      const other = makeScan({ at: T0 + 1000, deviceId: 'dev-b' as DeviceId });
      expect(annulRefusal(admitted, { role: 'supervisor' }, T0 + 9000, [admitted, other])).toBeNull();
      expect(annulRefusal(other, { role: 'supervisor' }, T0 + 9000, [admitted, other])).toBeNull();
    });

    it('holds for the decision that comes after as well', () => {
      // Whatever the phone offers, the next entry is then decided as arbitration would.
      expect(decideAdmission(t1, bar, [inside, out], T0 + 4000, entry).outcome).toBe('valid');
    });
  });
});
