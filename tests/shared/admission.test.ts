import { describe, expect, it } from 'vitest';
import { decideAdmission, type AdmissionRequest } from '@gatekeeper/shared/admission';
import type { Checkpoint, Direction, RuleMode, Scan, Ticket } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import { Outcome, OUTCOMES } from '@gatekeeper/shared/outcomes';
import { explainVerdict } from '@gatekeeper/shared/reasons';
import { makeScan } from '../support/factories.ts';

// Frozen time: the show opens at 19:00 and every scan below is stamped relative to it.
const OPEN = Date.UTC(2025, 5, 14, 19, 0);
const MIN = 60_000;
const EV = 'ev1' as EventId;

function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 'T1' as TicketId, eventId: EV, orderId: null, type: 'Adult', holderName: 'Ada Lovelace', seat: null,
    kind: 'event', eTicket: true, status: 'paid', validFrom: null, validUntil: null, idCheck: false, importedCode: null,
    ...over,
  };
}

function checkpoint(id: string, mode: RuleMode, zone = 'main', over: Partial<Checkpoint> = {}): Checkpoint {
  return { id: id as CheckpointId, eventId: EV, name: id, zone, mode, allowedTypes: null, validFrom: null, validUntil: null, ...over };
}

const gate = checkpoint('gate', 'once_per_event');
const gate2 = checkpoint('gate-2', 'once_per_event', 'north');
const rink = checkpoint('ice-rink', 'once_per_zone', 'rink');
const rink2 = checkpoint('ice-rink-2', 'once_per_zone', 'rink');
const wheel = checkpoint('wheel', 'once_per_zone', 'wheel');
const bar = checkpoint('bar-door', 'entry_exit', 'bar');
const bar2 = checkpoint('bar-terrace', 'entry_exit', 'bar');
const merch = checkpoint('merch', 'unlimited');

let seq = 0;
/** A scan already made at `cp`, `minutes` after opening; by default admitted. */
function scan(cp: Checkpoint, minutes: number, direction: Direction = 'entry', over: Partial<Scan> = {}): Scan {
  return makeScan({
    id: `s${++seq}` as ScanId, eventId: EV, ticketId: 'T1' as TicketId, code: 'GK1:T1',
    checkpointId: cp.id, zone: cp.zone, mode: cp.mode, direction, inspectorId: 'insp-1' as InspectorId,
    at: OPEN + minutes * MIN, outcome: direction === 'exit' ? 'exit' : 'valid', offline: false,
    ...over,
  });
}

const entry: AdmissionRequest = { direction: 'entry', idChecked: false, offline: false };
const exit: AdmissionRequest = { direction: 'exit', idChecked: false, offline: false };
const NOW = OPEN + 60 * MIN;

const decide = (cp: Checkpoint, prior: Scan[] = [], req: AdmissionRequest = entry, t: Ticket | null = ticket(), now = NOW) =>
  decideAdmission(t, cp, prior, now, req);

describe('ticket status', () => {
  it('admits a paid ticket on its first scan', () => {
    const v = decide(gate);
    expect(v).toEqual({ outcome: 'valid', offline: false, ticketId: 'T1', firstScan: null, reason: { kind: 'outcome' } });
    expect(explainVerdict(v)).toBe('Valid ticket: admit.');
  });

  it('does not know a code that names no ticket', () => {
    expect(decide(gate, [], entry, null)).toMatchObject({ outcome: 'unknown', ticketId: null, firstScan: null });
  });

  it('does not know a ticket of another event', () => {
    expect(decide(gate, [], entry, ticket({ eventId: 'ev2' as EventId }))).toMatchObject({ outcome: 'unknown', ticketId: null });
  });

  it.each(['revoked', 'canceled', 'blocked', 'unpaid'] as const)('refuses a %s ticket', (status) => {
    expect(decide(gate, [], entry, ticket({ status }))).toMatchObject({ outcome: status, ticketId: 'T1' });
  });

  it('says a scan is provisional when decided offline', () => {
    expect(decide(gate, [], { ...entry, offline: true }).offline).toBe(true);
    expect(decide(gate, [], { ...entry, offline: true }, ticket({ status: 'blocked' })).offline).toBe(true);
  });
});

describe('once_per_event', () => {
  it('admits only once per event', () => {
    const first = scan(gate, 0);
    const v = decide(gate, [first]);
    expect(v.outcome).toBe('already_used');
    expect(v.firstScan).toEqual({
      scanId: first.id, at: first.at, checkpointId: 'gate', inspectorId: 'insp-1', deviceId: 'dev-a', outcome: 'valid', offline: false,
    });
    expect(v.reason).toEqual({ kind: 'already_used', at: first.at, checkpointId: 'gate', here: true, zone: 'main', mode: 'once_per_event' });
    expect(explainVerdict(v)).toBe('Already scanned here at 2025-06-14 19:00 UTC.');
  });

  it('counts an entry at another gate of the event, whatever its zone', () => {
    const v = decide(gate, [scan(gate2, 5)]);
    expect(v.outcome).toBe('already_used');
    expect(v.firstScan?.checkpointId).toBe('gate-2');
    expect(v.reason).toMatchObject({ kind: 'already_used', checkpointId: 'gate-2', here: false });
    expect(explainVerdict(v)).toMatch(/at checkpoint gate-2/);
    expect(explainVerdict(v, { checkpointName: (id) => (id === 'gate-2' ? 'North gate' : undefined) })).toMatch(/at North gate at/);
  });

  it('names the first entry, not the latest attempt', () => {
    const first = scan(gate, 0);
    const refused = scan(gate2, 10, 'entry', { outcome: 'already_used' });
    expect(decide(gate, [refused, first]).firstScan?.scanId).toBe(first.id);
  });

  it('names the winner when two scanners admitted offline', () => {
    const winner = scan(gate, 3, 'entry', { offline: true, deviceId: 'dev-b' as DeviceId });
    const loser = scan(gate2, 3.5, 'entry', { offline: true });
    expect(decide(gate, [loser, winner]).firstScan?.scanId).toBe(winner.id);
  });

  it('still refuses after the holder went out', () => {
    expect(decide(gate, [scan(gate, 0), scan(gate, 30, 'exit')]).outcome).toBe('already_used');
  });

  it('is not used up by refused scans', () => {
    const refused = ['already_used', 'needs_id_check', 'wrong_checkpoint', 'not_yet_valid', 'unpaid', 'conflict'] as const;
    expect(decide(gate, refused.map((outcome, i) => scan(gate, i, 'entry', { outcome }))).outcome).toBe('valid');
  });

  it('is not used up by entries in other scopes', () => {
    expect(decide(gate, [scan(rink, 0), scan(bar, 1), scan(merch, 2)]).outcome).toBe('valid');
  });
});

describe('once_per_zone: already scanned at this part of the event', () => {
  it('admits once per zone, at any checkpoint of that zone', () => {
    const v = decide(rink2, [scan(rink, 0)]);
    expect(v.outcome).toBe('already_used');
    expect(v.firstScan?.checkpointId).toBe('ice-rink');
  });

  it('admits a day ticket once at each attraction', () => {
    expect(decide(wheel, [scan(rink, 0)]).outcome).toBe('valid');
    expect(decide(rink, [scan(wheel, 0)]).outcome).toBe('valid');
  });

  it('is not used up by the event gate', () => {
    expect(decide(rink, [scan(gate, 0)]).outcome).toBe('valid');
  });
});

describe('entry_exit', () => {
  it('refuses a pass-back: a second entry while inside', () => {
    const inside = scan(bar, 0);
    const v = decide(bar2, [inside]);
    expect(v.outcome).toBe('already_used');
    expect(v.firstScan?.scanId).toBe(inside.id);
  });

  it('allows re-entry after exit', () => {
    expect(decide(bar, [scan(bar, 0), scan(bar2, 10, 'exit')]).outcome).toBe('valid');
  });

  it('refuses again after re-entry, naming the latest entry', () => {
    const reentry = scan(bar, 20);
    const v = decide(bar, [scan(bar, 0), scan(bar, 10, 'exit'), reentry]);
    expect(v.outcome).toBe('already_used');
    expect(v.firstScan?.scanId).toBe(reentry.id);
  });

  it('admits someone who left without having been scanned in', () => {
    expect(decide(bar, [scan(bar, 0, 'exit')]).outcome).toBe('valid');
  });

  it('replays earlier scans in clock order, not in the order they arrived', () => {
    const prior = [scan(bar, 10, 'exit'), scan(bar, 0)];
    expect(decide(bar, prior).outcome).toBe('valid');
    expect(decide(bar, [...prior].reverse()).outcome).toBe('valid');
  });

  it('allows re-entry after an exit recorded while the ticket was blocked', () => {
    const inside = scan(bar, 0);
    const out = decide(bar, [inside], exit, ticket({ status: 'blocked' }));
    const exitScan = scan(bar, 10, 'exit', { outcome: out.outcome });
    expect(decide(bar, [inside, exitScan]).outcome).toBe('valid'); // unblocked at the box office
  });

  it('keeps zones apart: inside the bar is not inside the lounge', () => {
    expect(decide(checkpoint('lounge', 'entry_exit', 'lounge'), [scan(bar, 0)]).outcome).toBe('valid');
  });
});

describe('unlimited', () => {
  it('admits every time and only logs', () => {
    const prior = [scan(merch, 0), scan(merch, 1), scan(gate, 2)];
    expect(decide(merch, prior)).toMatchObject({ outcome: 'valid', firstScan: null });
  });
});

describe('exits', () => {
  it.each([gate, rink, bar, merch].map((cp) => [cp.mode, cp] as const))('records an exit at a %s checkpoint', (_mode, cp) => {
    expect(decide(cp, [], exit).outcome).toBe('exit');
    expect(decide(cp, [scan(cp, 0), scan(cp, 1, 'exit')], exit).outcome).toBe('exit');
  });

  it('records an exit outside every validity window and for any ticket type', () => {
    const cp = checkpoint('side', 'once_per_event', 'main', { allowedTypes: ['VIP'], validUntil: OPEN });
    expect(decide(cp, [], exit, ticket({ validUntil: OPEN })).outcome).toBe('exit');
  });

  it('records an exit without an ID check', () => {
    expect(decide(gate, [], exit, ticket({ idCheck: true })).outcome).toBe('exit');
  });

  it.each(['revoked', 'canceled', 'blocked', 'unpaid'] as const)('records the exit of a %s ticket: nobody is held inside', (status) => {
    expect(decide(bar, [scan(bar, 0)], exit, ticket({ status })).outcome).toBe('exit');
  });
});

describe('allowed ticket types', () => {
  const vipDoor = checkpoint('vip', 'once_per_event', 'main', { allowedTypes: ['VIP', 'Crew'] });

  it('admits a type on the list', () => {
    expect(decide(vipDoor, [], entry, ticket({ type: 'Crew' })).outcome).toBe('valid');
  });

  it('refuses a type not on the list, saying which', () => {
    const v = decide(vipDoor, [], entry, ticket({ type: 'Child' }));
    expect(v).toMatchObject({ outcome: 'wrong_checkpoint', reason: { kind: 'wrong_type', ticketType: 'Child', checkpointId: 'vip' } });
    expect(explainVerdict(v, { checkpointName: (id) => id })).toBe('Ticket type Child is not valid at vip.');
  });

  it('refuses every type when the list is empty', () => {
    expect(decide(checkpoint('closed', 'once_per_event', 'main', { allowedTypes: [] })).outcome).toBe('wrong_checkpoint');
  });
});

describe('validity windows', () => {
  const from = OPEN;
  const until = OPEN + 180 * MIN;

  it('refuses a ticket before its window and after it, admitting on both edges', () => {
    const t = ticket({ validFrom: from, validUntil: until });
    const early = decide(gate, [], entry, t, from - 1);
    expect(early).toMatchObject({ outcome: 'not_yet_valid', reason: { kind: 'valid_from', from } });
    expect(explainVerdict(early)).toBe('Not valid before 2025-06-14 19:00 UTC.');
    expect(decide(gate, [], entry, t, from).outcome).toBe('valid');
    expect(decide(gate, [], entry, t, until).outcome).toBe('valid');
    const late = decide(gate, [], entry, t, until + 1);
    expect(late).toMatchObject({ outcome: 'no_longer_valid', reason: { kind: 'valid_until', until } });
    expect(explainVerdict(late)).toBe('Valid until 2025-06-14 22:00 UTC.');
  });

  it('refuses at a checkpoint outside its own window', () => {
    const early = checkpoint('early', 'once_per_event', 'main', { validFrom: from, validUntil: from + 30 * MIN });
    expect(decide(early, [], entry, ticket(), from - MIN).outcome).toBe('not_yet_valid');
    expect(decide(early, [], entry, ticket(), from + 31 * MIN).outcome).toBe('no_longer_valid');
  });

  it('takes the narrower of the ticket and checkpoint windows', () => {
    const cp = checkpoint('late', 'once_per_event', 'main', { validFrom: from + 60 * MIN });
    const t = ticket({ validFrom: from, validUntil: from + 90 * MIN });
    expect(decide(cp, [], entry, t, from + 30 * MIN).outcome).toBe('not_yet_valid');
    expect(decide(cp, [], entry, t, from + 75 * MIN).outcome).toBe('valid');
    expect(decide(cp, [], entry, t, from + 91 * MIN).outcome).toBe('no_longer_valid');
  });

  it('refuses a wrong type before looking at the time', () => {
    const cp = checkpoint('vip', 'once_per_event', 'main', { allowedTypes: ['VIP'] });
    expect(decide(cp, [], entry, ticket({ validFrom: NOW + MIN })).outcome).toBe('wrong_checkpoint');
  });
});

describe('ID check', () => {
  const personal = ticket({ idCheck: true });

  it('asks for an ID check on a personalised ticket', () => {
    expect(decide(gate, [], entry, personal).outcome).toBe('needs_id_check');
  });

  it('admits once the inspector confirms the ID', () => {
    expect(decide(gate, [], { ...entry, idChecked: true }, personal).outcome).toBe('valid');
  });

  it('does not ask for an ID for a ticket that is already used', () => {
    expect(decide(gate, [scan(gate, 0)], entry, personal).outcome).toBe('already_used');
  });

  it('does not count a scan that only asked for the ID', () => {
    const asked = scan(gate, 0, 'entry', { outcome: 'needs_id_check' });
    expect(decide(gate, [asked], { ...entry, idChecked: true }, personal).outcome).toBe('valid');
  });
});

describe('prior scans', () => {
  it('ignores the same scan heard twice (gossip and upload)', () => {
    const inside = scan(bar, 0);
    const out = scan(bar, 10, 'exit');
    expect(decide(bar, [inside, out, inside, out, inside]).outcome).toBe('valid');
    const first = scan(gate, 0);
    expect(decide(gate, [first, first]).firstScan?.scanId).toBe(first.id);
  });

  it("ignores other tickets' scans", () => {
    const other = scan(gate, 0, 'entry', { ticketId: 'T2' as TicketId });
    const orderOnly = scan(gate, 1, 'entry', { ticketId: null, outcome: 'unknown' });
    expect(decide(gate, [other, orderOnly]).outcome).toBe('valid');
  });

  it("ignores scans of the same ticket id in another event", () => {
    expect(decide(gate, [scan(gate, 0, 'entry', { eventId: 'ev2' as EventId })]).outcome).toBe('valid');
  });
});

describe('the vocabulary', () => {
  it('produces every outcome except those made elsewhere (code checks and arbitration)', () => {
    const seen = new Set([
      decide(gate), decide(gate, [], exit), decide(gate, [scan(gate, 0)]), decide(gate, [], entry, null),
      ...(['revoked', 'canceled', 'blocked', 'unpaid'] as const).map((status) => decide(gate, [], entry, ticket({ status }))),
      decide(checkpoint('vip', 'once_per_event', 'main', { allowedTypes: ['VIP'] })),
      decide(gate, [], entry, ticket({ validFrom: NOW + 1 })), decide(gate, [], entry, ticket({ validUntil: NOW - 1 })),
      decide(gate, [], entry, ticket({ idCheck: true })),
    ].map((v) => v.outcome));
    const elsewhere = [Outcome.invalid_signature, Outcome.expired_code, Outcome.conflict];
    expect([...seen].sort()).toEqual(OUTCOMES.filter((o) => !elsewhere.includes(o as never)).sort());
  });
});

describe('the measure "verified device only" (issue 11): one rule for phones and the server', () => {
  const demand: AdmissionRequest = { ...entry, verifiedDeviceOnly: true };

  it('refuses a code that did not come from a phone bound to the ticket, saying why and what to do', () => {
    const v = decide(gate, [], demand);
    expect(v).toMatchObject({ outcome: Outcome.expired_code, ticketId: 'T1', reason: { kind: 'verified_device' } });
    expect(explainVerdict(v)).toMatch(/wallet/);
    // Said to be from a bound phone: as before.
    expect(decide(gate, [], { ...demand, fromBoundDevice: true }).outcome).toBe(Outcome.valid);
  });

  it('changes nothing while the measure is off, whatever the code', () => {
    expect(decide(gate, [], { ...entry, fromBoundDevice: false }).outcome).toBe(Outcome.valid);
    expect(decide(gate, [], { ...entry, verifiedDeviceOnly: false }).outcome).toBe(Outcome.valid);
  });

  it('never holds anyone inside, and a ticket\u2019s own status is still said first', () => {
    expect(decide(gate, [], { ...demand, direction: 'exit' }).outcome).toBe(Outcome.exit);
    expect(decide(gate, [], demand, ticket({ status: 'revoked' })).outcome).toBe(Outcome.revoked);
    expect(decide(gate, [], demand, null).outcome).toBe(Outcome.unknown);
  });

  it('is said before "already used": a screenshot of a paper code gets the wallet\u2019s hint, not a time', () => {
    expect(decide(gate, [scan(gate, 10)], demand).reason.kind).toBe('verified_device');
    expect(decide(gate, [scan(gate, 10)], { ...demand, fromBoundDevice: true }).outcome).toBe(Outcome.already_used);
  });
});
