// Arbitration must give every node the same answer for the same set of scans, whatever
// order they arrived in, however they were split between phones, however often each was
// heard. These properties are the contract the sync design rests on.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitrate, compareScans, decideAdmission, scopeKey } from '@gatekeeper/shared/admission';
import type { Checkpoint, Direction, Scan, Ticket } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import type { CheckpointId, DeviceId, EventId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import { QUARANTINE_REASONS } from '@gatekeeper/shared/quarantine';
import { T0 } from '../support/factories.ts';
import { DEVICES, POINTS, permutation, scanBodyArb, scanOfBody, type ScanBody } from '../support/scan-arbitraries.ts';

const RUNS = { numRuns: 300 };

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Outcome>('valid') },
  { weight: 3, arbitrary: fc.constant<Outcome>('exit') },
  { weight: 1, arbitrary: fc.constantFrom<Outcome>('already_used', 'needs_id_check', 'wrong_checkpoint', 'conflict', 'revoked') },
);

// The same ticket id in a second event is a different ticket.
const bodyArb = scanBodyArb({ events: ['ev1', 'ev1', 'ev1', 'ev2'], tickets: ['T1', 'T2', 'T3'], codesOfNoTicket: true, outcome: outcomeArb });
const toScan = (b: ScanBody, i: number): Scan => scanOfBody(b, `s${i}`);

/** Distinct scans (ids unique): the set every node holds a part of. */
const scanSetArb = fc.array(bodyArb, { maxLength: 60, size: 'medium' }).map((bodies) => bodies.map(toScan));

/** The same set as heard on the wire: some scans more than once (gossip and upload). */
const heardArb = scanSetArb.chain((set) =>
  fc.tuple(fc.constant(set), fc.array(fc.nat(Math.max(0, set.length - 1)), { maxLength: set.length === 0 ? 0 : 15 }))
    .map(([s, again]) => [...s, ...again.map((i) => ({ ...s[i]! }))]),
);

describe('arbitrate', () => {
  it('gives the same answer for any arrival order', () => {
    fc.assert(fc.property(heardArb.chain((h) => fc.tuple(fc.constant(h), permutation(h))), ([heard, shuffled]) => {
      expect(arbitrate(shuffled)).toEqual(arbitrate(heard));
    }), RUNS);
  });

  it('gives the same answer for any split across nodes merged back in any order', () => {
    // Each scan lands on one or more of four nodes; the nodes' logs are then merged, both
    // as a plain concatenation (duplicates and all) and as a union by scan id.
    const splitArb = heardArb.chain((heard) => fc.tuple(
      fc.constant(heard),
      fc.array(fc.integer({ min: 1, max: 15 }), { minLength: heard.length, maxLength: heard.length }),
      permutation([0, 1, 2, 3]),
    ));
    fc.assert(fc.property(splitArb, ([heard, masks, order]) => {
      const nodes: Scan[][] = [[], [], [], []];
      heard.forEach((s, i) => nodes.forEach((n, k) => { if (masks[i]! & (1 << k)) n.push(s); }));
      const concatenated = order.flatMap((k) => nodes[k]!);
      const union = new Map<string, Scan>();
      for (const s of concatenated) if (!union.has(s.id)) union.set(s.id, s);
      const whole = arbitrate(heard);
      expect(arbitrate(concatenated)).toEqual(whole);
      expect(arbitrate([...union.values()])).toEqual(whole);
    }), RUNS);
  });

  it('is idempotent: hearing every scan again changes nothing', () => {
    fc.assert(fc.property(heardArb, (heard) => {
      expect(arbitrate([...heard, ...heard])).toEqual(arbitrate(heard));
    }), RUNS);
  });

  it('admits at most one entry per ticket per once-scope', () => {
    fc.assert(fc.property(heardArb, (heard) => {
      const count = new Map<string, number>();
      for (const s of arbitrate(heard).admitted) {
        if (s.direction !== 'entry' || (s.mode !== 'once_per_event' && s.mode !== 'once_per_zone')) continue;
        const k = `${s.eventId}|${s.ticketId}|${scopeKey(s.mode, s.zone)}`;
        count.set(k, (count.get(k) ?? 0) + 1);
      }
      for (const [k, n] of count) expect(n, k).toBe(1);
    }), RUNS);
  });

  it('never admits two entries in a row to an entry_exit zone', () => {
    fc.assert(fc.property(heardArb, (heard) => {
      const inside = new Map<string, boolean>();
      for (const s of arbitrate(heard).admitted) {
        if (s.mode !== 'entry_exit') continue;
        const k = `${s.eventId}|${s.ticketId}|${s.zone}`;
        if (s.direction === 'entry') expect(inside.get(k), `pass-back admitted: ${s.id}`).not.toBe(true);
        inside.set(k, s.direction === 'entry');
      }
    }), RUNS);
  });

  it('accounts for every admission: admitted, or the loser of exactly one conflict', () => {
    fc.assert(fc.property(heardArb, (heard) => {
      const { admitted, conflicts } = arbitrate(heard);
      const admittedIds = admitted.map((s) => s.id);
      const loserIds = conflicts.map((c) => c.loser.scanId);
      expect(new Set(admittedIds).size).toBe(admittedIds.length);
      expect(new Set(loserIds).size).toBe(loserIds.length);
      const expected = new Set(heard.filter((s) => s.ticketId !== null && isAdmitting(s.outcome)).map((s) => s.id));
      expect(new Set([...admittedIds, ...loserIds])).toEqual(expected);
      expect(admittedIds.filter((id) => loserIds.includes(id))).toEqual([]);
    }), RUNS);
  });

  it('names as winner an admitted scan of the same ticket that came first', () => {
    fc.assert(fc.property(heardArb, (heard) => {
      const { admitted, conflicts } = arbitrate(heard);
      const byId = new Map(heard.map((s) => [s.id, s]));
      for (const c of conflicts) {
        const winner = byId.get(c.winner.scanId)!;
        const loser = byId.get(c.loser.scanId)!;
        expect(admitted).toContainEqual(winner);
        expect(compareScans(winner, loser)).toBe(-1);
        expect([winner.eventId, winner.ticketId]).toEqual([loser.eventId, loser.ticketId]);
        expect(c).toMatchObject({ eventId: loser.eventId, ticketId: loser.ticketId, scope: scopeKey(loser.mode, loser.zone) });
      }
    }), RUNS);
  });

  it('returns admitted scans in the agreed order', () => {
    fc.assert(fc.property(heardArb, (heard) => {
      const { admitted } = arbitrate(heard);
      for (let i = 1; i < admitted.length; i++) expect(compareScans(admitted[i - 1]!, admitted[i]!)).toBe(-1);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------
// decideAdmission and arbitrate are one rule: a node that hears every earlier scan before
// deciding (the online case) never produces a conflict.

const EV = 'ev1' as EventId;

/** Mostly null, sometimes a value: most tickets and checkpoints have no window or type list. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const ticketArb = (id: string): fc.Arbitrary<Ticket> => fc.record({
  status: fc.oneof(
    { weight: 8, arbitrary: fc.constant('paid' as const) },
    { weight: 1, arbitrary: fc.constantFrom('unpaid', 'canceled', 'blocked', 'revoked') },
  ),
  type: fc.constantFrom('Adult', 'Child'),
  idCheck: fc.boolean(),
  validFrom: rarely(fc.integer({ min: T0 - 10, max: T0 + 40 })),
  validUntil: rarely(fc.integer({ min: T0, max: T0 + 120 })),
}).map((t) => ({
  ...t, id: id as TicketId, eventId: EV, orderId: null, holderName: null, seat: null, kind: 'event' as const,
  eTicket: true, importedCode: null,
}));

const checkpointsArb: fc.Arbitrary<Checkpoint[]> = fc.tuple(
  ...POINTS.map((p) => fc.record({
    allowedTypes: rarely(fc.subarray(['Adult', 'Child'])),
    validFrom: rarely(fc.integer({ min: T0 - 10, max: T0 + 40 })),
    validUntil: rarely(fc.integer({ min: T0 + 20, max: T0 + 200 })),
  }).map((r): Checkpoint => ({ ...r, id: p.id as CheckpointId, eventId: EV, name: p.id, zone: p.zone, mode: p.mode }))),
);

const attemptArb = fc.record({
  ticket: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(0, 1, 2) }, { weight: 1, arbitrary: fc.constant(null) }),
  point: fc.nat(POINTS.length - 1),
  direction: fc.constantFrom<Direction>('entry', 'entry', 'exit'),
  idChecked: fc.constantFrom(true, true, false),
  device: fc.constantFrom(...DEVICES),
  ms: fc.nat(150),
  counter: fc.nat(2),
});

describe('decideAdmission and arbitrate agree', () => {
  it('replaying scans in the agreed order, each decided on the ones before, yields no conflict', () => {
    const worldArb = fc.record({
      tickets: fc.tuple(ticketArb('T1'), ticketArb('T2'), ticketArb('T3')),
      checkpoints: checkpointsArb,
      attempts: fc.array(attemptArb, { maxLength: 60, size: 'medium' }),
      seed: fc.integer(),
    });
    fc.assert(fc.property(worldArb, ({ tickets, checkpoints, attempts, seed }) => {
      // The attempts as scans without a verdict yet, in the order every node agrees on.
      const pending = attempts.map((a, i) => {
        const cp = checkpoints[a.point]!;
        const t = a.ticket === null ? null : tickets[a.ticket]!;
        const at = T0 + a.ms;
        const scan: Scan = {
          id: `s${i}` as ScanId, eventId: EV, ticketId: t?.id ?? null, orderId: null, code: 'GK1:x',
          checkpointId: cp.id, zone: cp.zone, mode: cp.mode, direction: a.direction,
          deviceId: a.device as DeviceId, inspectorId: 'insp-1' as InspectorId,
          hlc: formatHlc({ physical: at, counter: a.counter }), at, clockOffset: 0,
          outcome: 'unknown', offline: false, idChecked: a.idChecked,
        };
        return { scan, ticket: t, checkpoint: cp };
      }).sort((x, y) => compareScans(x.scan, y.scan));

      const decided: Scan[] = [];
      let rotate = seed >>> 0;
      for (const { scan, ticket, checkpoint } of pending) {
        // Earlier scans reach a node in any order; rotate them so no test relies on order.
        const k = decided.length === 0 ? 0 : rotate++ % decided.length;
        const heard = [...decided.slice(k), ...decided.slice(0, k)];
        const v = decideAdmission(ticket, checkpoint, heard, scan.at, { direction: scan.direction, idChecked: scan.idChecked, offline: false });
        decided.push({ ...scan, outcome: v.outcome });
      }

      const result = arbitrate(decided);
      expect(result.conflicts).toEqual([]);
      expect(result.admitted.map((s) => s.id)).toEqual(decided.filter((s) => s.ticketId !== null && isAdmitting(s.outcome)).map((s) => s.id));
    }), { numRuns: 500 });
  });
});

// ---------------------------------------------------------------------------------------
// Quarantined scans (implausible: a checkpoint that does not exist, a stamp from 1970) are
// evidence only. Whatever they say, stamped however early, in whatever order and on
// whichever nodes they arrive, they never change who got in first.

/** Forged scans: admissions mostly, stamped anywhere from 1970 to after every real scan. */
const forgedArb = fc.array(fc.record({
  body: bodyArb,
  physical: fc.oneof(fc.nat(1000), fc.integer({ min: T0 - 10, max: T0 + 40 })),
  reason: fc.constantFrom(...QUARANTINE_REASONS),
}), { maxLength: 30 }).map((list) => list.map(({ body, physical, reason }, i): Scan => {
  const s = toScan({ ...body, outcome: body.ticket === null ? body.outcome : 'valid' }, 1000 + i);
  return { ...s, id: `q${i}` as ScanId, hlc: formatHlc({ physical, counter: body.counter }), at: physical, quarantine: reason };
}));

describe('quarantined scans', () => {
  it('never change the admitted scans or the conflicts, in any order and any split across nodes', () => {
    const worldArb = fc.tuple(heardArb, forgedArb).chain(([heard, forged]) => fc.tuple(
      fc.constant(heard), fc.constant(forged), permutation([...heard, ...forged]),
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: heard.length + forged.length, maxLength: heard.length + forged.length }),
    ));
    fc.assert(fc.property(worldArb, ([heard, forged, shuffled, masks]) => {
      const genuine = arbitrate(heard);
      expect(arbitrate(shuffled)).toEqual(genuine);
      // Three nodes each hear a part; merged in any order they still agree with the genuine set.
      const nodes: Scan[][] = [[], [], []];
      shuffled.forEach((s, i) => nodes.forEach((n, k) => { if (masks[i]! & (1 << k)) n.push(s); }));
      expect(arbitrate([...nodes[2]!, ...nodes[0]!, ...nodes[1]!])).toEqual(genuine);
      expect(arbitrate(forged)).toEqual({ admitted: [], conflicts: [], annulments: [] });
    }), RUNS);
  });

  it('never make decideAdmission refuse or admit differently', () => {
    const caseArb = fc.record({
      heard: heardArb, forged: forgedArb, ticket: ticketArb('T1'), checkpoints: checkpointsArb,
      point: fc.nat(POINTS.length - 1), direction: fc.constantFrom<Direction>('entry', 'exit'), ms: fc.nat(150),
    });
    fc.assert(fc.property(caseArb, ({ heard, forged, ticket, checkpoints, point, direction, ms }) => {
      const cp = checkpoints[point]!;
      const req = { direction, idChecked: true, offline: true };
      expect(decideAdmission(ticket, cp, [...forged, ...heard], T0 + ms, req)).toEqual(decideAdmission(ticket, cp, heard, T0 + ms, req));
    }), RUNS);
  });

  it('a scan held both as a phone’s own copy and as the server’s quarantined copy does not count, whichever comes first', () => {
    fc.assert(fc.property(heardArb, fc.constantFrom(...QUARANTINE_REASONS), (heard, reason) => {
      const marked = heard.map((s) => ({ ...s, quarantine: reason }));
      const empty = { admitted: [], conflicts: [], annulments: [] };
      expect(arbitrate([...heard, ...marked])).toEqual(empty);
      expect(arbitrate([...marked, ...heard])).toEqual(empty);
    }), RUNS);
  });
});
