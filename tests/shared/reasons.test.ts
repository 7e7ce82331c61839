// Verdict reasons are data on the wire (protocol 5; a refused code's problem since 8):
// whatever the rule or the codec decides must reach the phone unchanged through the
// protocol parser, and old phones still get their English (version 4: the sentence;
// 5 to 7: a refused code's note).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideAdmission } from '@gatekeeper/shared/admission';
import { RULE_MODES, type Checkpoint, type Scan, type Ticket, type Verdict } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import type { CheckpointId, DeviceId, EventId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import { OUTCOMES } from '@gatekeeper/shared/outcomes';
import { parseDown, verdictForVersion } from '@gatekeeper/shared/protocol/index';
import { codeProblemForVersion, explainCodeProblem } from '@gatekeeper/shared/codec/problems';
import { zVerdictMsg } from '@gatekeeper/shared/protocol/scans';
import { codeReason, explainVerdict, ReasonKind, UNRESOLVED_CAUSES, zReason, type Reason } from '@gatekeeper/shared/reasons';
import { CODE_PROBLEMS } from '../support/code-problems.ts';
import { downs } from './protocol-samples.ts';

const RUNS = { numRuns: 300 };
const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const timeArb = fc.integer({ min: 0, max: 4_102_444_800_000 });

/** Every kind of reason, with any values the schema allows. */
const reasonArb: fc.Arbitrary<Reason> = fc.oneof(
  fc.constant<Reason>({ kind: 'outcome' }),
  fc.record({
    kind: fc.constant('already_used' as const), at: timeArb, checkpointId: idArb.map((s) => s as CheckpointId),
    here: fc.boolean(), zone: fc.string({ minLength: 1, maxLength: 64 }), mode: fc.constantFrom(...RULE_MODES),
  }),
  fc.record({ kind: fc.constant('wrong_type' as const), ticketType: fc.string({ minLength: 1, maxLength: 64 }), checkpointId: idArb.map((s) => s as CheckpointId) }),
  fc.record({ kind: fc.constant('valid_from' as const), from: timeArb }),
  fc.record({ kind: fc.constant('valid_until' as const), until: timeArb }),
  fc.constantFrom(...CODE_PROBLEMS).map(codeReason),
  fc.record({ kind: fc.constant('unresolved' as const), cause: fc.constantFrom(...UNRESOLVED_CAUSES) }),
  fc.constant<Reason>({ kind: 'order_not_on_phone' }),
  fc.constant<Reason>({ kind: 'verified_device' }),
);

const verdictMsg = (verdict: Verdict) => JSON.stringify({ ...(downs.verdict as object), verdict });

describe('verdict reasons on the wire', () => {
  it('the generator covers every reason kind', () => {
    const seen = new Set(fc.sample(reasonArb, 500).map((r) => r.kind));
    expect([...seen].sort()).toEqual(Object.values(ReasonKind).sort());
  });

  it('any reason, on any outcome, comes out of parseDown as it went in', () => {
    fc.assert(fc.property(reasonArb, fc.constantFrom(...OUTCOMES), fc.boolean(), (reason, outcome, offline) => {
      const verdict: Verdict = { outcome, offline, ticketId: 'T1' as TicketId, firstScan: null, reason };
      const msg = parseDown(verdictMsg(verdict));
      expect(msg.type === 'verdict' && msg.verdict).toEqual(verdict);
    }), RUNS);
  });

  it('every verdict the rule decides round-trips, reason and all', () => {
    const EV = 'ev1' as EventId;
    const T0 = Date.UTC(2025, 5, 14, 19, 0);
    const ticketArb = fc.record({
      status: fc.constantFrom('paid', 'paid', 'unpaid', 'blocked') as fc.Arbitrary<Ticket['status']>,
      type: fc.constantFrom('Adult', 'Child'),
      validFrom: fc.option(fc.integer({ min: T0 - 3_600_000, max: T0 + 3_600_000 }), { nil: null }),
      validUntil: fc.option(fc.integer({ min: T0, max: T0 + 7_200_000 }), { nil: null }),
      idCheck: fc.boolean(),
    }).map((t): Ticket => ({
      id: 'T1' as TicketId, eventId: EV, orderId: null, holderName: null, seat: null, kind: 'event', eTicket: true, importedCode: null, ...t,
    }));
    const cpArb = fc.record({
      id: fc.constantFrom('gate', 'gate-2') as fc.Arbitrary<CheckpointId>, mode: fc.constantFrom(...RULE_MODES),
      allowedTypes: fc.option(fc.constant(['Adult']).map((l) => [...l]), { nil: null }),
    }).map((c): Checkpoint => ({ ...c, eventId: EV, name: c.id, zone: 'main', validFrom: null, validUntil: null }));
    const priorArb = fc.array(fc.record({
      cp: fc.constantFrom('gate', 'gate-2'), minutes: fc.integer({ min: -60, max: 60 }), direction: fc.constantFrom('entry', 'exit') as fc.Arbitrary<'entry' | 'exit'>,
    }), { maxLength: 4 });
    fc.assert(fc.property(ticketArb, cpArb, priorArb, fc.integer({ min: -90, max: 150 }), fc.boolean(), (ticket, cp, prior, minutes, exit) => {
      const scans: Scan[] = prior.map((p, i) => {
        const at = T0 + p.minutes * 60_000;
        return {
          id: `s${i}` as ScanId, eventId: EV, ticketId: ticket.id, orderId: null, code: '', checkpointId: p.cp as CheckpointId, zone: 'main',
          mode: cp.mode, direction: p.direction, deviceId: 'dev-a' as DeviceId, inspectorId: 'insp-1' as InspectorId,
          hlc: formatHlc({ physical: at, counter: 0 }), at, clockOffset: 0, outcome: p.direction === 'exit' ? 'exit' : 'valid', offline: false, idChecked: false,
        };
      });
      const verdict = decideAdmission(ticket, cp, scans, T0 + minutes * 60_000, { direction: exit ? 'exit' : 'entry', idChecked: false, offline: false });
      expect(zReason.safeParse(verdict.reason).success).toBe(true);
      const msg = parseDown(verdictMsg(verdict));
      expect(msg.type === 'verdict' && msg.verdict).toEqual(verdict);
    }), RUNS);
  });

  it('a verdict without a reason is refused: version 5 requires it', () => {
    const { reason: _r, ...bare } = (downs.verdict as { verdict: Verdict }).verdict;
    expect(() => parseDown(JSON.stringify({ ...(downs.verdict as object), verdict: { ...bare, explanation: 'Valid ticket: admit.' } }))).toThrow(/reason/);
  });

  it('a reason kind the schema does not know is refused', () => {
    const verdict = { ...(downs.verdict as { verdict: Verdict }).verdict, reason: { kind: 'moon_phase' } };
    expect(() => parseDown(verdictMsg(verdict as unknown as Verdict))).toThrow(/reason/);
  });
});

describe('English for supervisors and version 4 phones', () => {
  const base = { offline: false, ticketId: 'T1' as TicketId, firstScan: null };

  it('a version 4 client gets the English sentence; version 5 gets the reason alone', () => {
    const v: Verdict = { ...base, outcome: 'not_yet_valid', reason: { kind: 'valid_from', from: Date.UTC(2025, 5, 14, 19, 0) } };
    expect(verdictForVersion(v, 4).explanation).toBe('Not valid before 2025-06-14 19:00 UTC.');
    expect(verdictForVersion(v, 5)).toEqual(v);
    expect('explanation' in verdictForVersion(v, 5)).toBe(false);
  });

  it('a version 5 to 7 client gets a refused code\'s English note beside the problem; version 8 the problem alone', () => {
    const v: Verdict = { ...base, outcome: 'invalid_signature', reason: codeReason({ kind: 'revoked_key', keyId: 'k1' }) };
    const note = 'The code is signed with key "k1", which has been revoked.';
    for (const version of [5, 7]) expect(verdictForVersion(v, version).reason).toEqual({ ...v.reason, note });
    expect(verdictForVersion(v, 4)).toMatchObject({ reason: { note }, explanation: expect.stringContaining(`(${note})`) });
    expect(verdictForVersion(v, 8)).toEqual(v);
    // What a version 7 phone's schema required of a code reason: a note of at most 300 characters.
    for (const problem of CODE_PROBLEMS) {
      const old = verdictForVersion({ ...v, reason: codeReason(problem) }, 7).reason;
      expect(old.kind === 'code' && old.note).toBe(explainCodeProblem(codeProblemForVersion(problem, 7)));
      expect(explainCodeProblem(problem).length).toBeLessThanOrEqual(300);
    }
    expect(zVerdictMsg.shape.verdict.safeParse(verdictForVersion(v, 7)).success).toBe(true);
  });

  it('a version 14 or older client, which knows no "verified device only", gets the outcome alone (expired_code: "ask the holder to refresh it")', () => {
    const v: Verdict = { ...base, outcome: 'expired_code', reason: { kind: 'verified_device' } };
    expect(verdictForVersion(v, 15)).toEqual(v);
    expect(verdictForVersion(v, 14)).toEqual({ ...v, reason: { kind: 'outcome' } });
    expect(verdictForVersion(v, 4).explanation).toBe('This code has expired; ask the holder to refresh it.');
    expect(explainVerdict(v)).toMatch(/send the holder to the wallet/);
  });

  it('a version 13 or older client, which reads no rotating code, gets "not supported" R for a rotating code\'s problem', () => {
    const v: Verdict = { ...base, outcome: 'expired_code', reason: codeReason({ kind: 'expired_step', madeAt: Date.UTC(2026, 0, 1) }) };
    expect(verdictForVersion(v, 14)).toEqual(v);
    expect(verdictForVersion(v, 13).reason).toEqual(codeReason({ kind: 'not_supported', letter: 'R' }));
    expect(verdictForVersion(v, 7).reason).toMatchObject({ problem: { kind: 'not_supported', letter: 'R' }, note: expect.stringMatching(/rotating wallet codes/) });
    const other: Verdict = { ...base, outcome: 'invalid_signature', reason: codeReason({ kind: 'bad_signature' }) };
    expect(verdictForVersion(other, 13)).toBe(other);
  });

  it('has a sentence of at most 500 characters for every reason on every outcome', () => {
    fc.assert(fc.property(reasonArb, fc.constantFrom(...OUTCOMES), (reason, outcome) => {
      const text = explainVerdict({ outcome, reason });
      expect(text.length).toBeGreaterThan(0);
      // What a version 4 phone parses (explanation ≤ 500 characters).
      expect(parseDown(verdictMsg({ ...base, outcome, reason, explanation: text })).type).toBe('verdict');
    }), RUNS);
  });

  it('says the server\'s unresolved causes in words', () => {
    expect(explainVerdict({ outcome: 'unknown', reason: { kind: 'unresolved', cause: 'other_ticket' } }))
      .toBe('This code is not a ticket of this event. (The code is for another ticket than the scan names.)');
  });
});
