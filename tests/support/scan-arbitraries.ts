// Random scans for the property tests of the shared rule (arbitrate, decideAdmission,
// annulments). Few tickets, checkpoints, devices and milliseconds, so that scans compete
// for the same scope and tie on the clock (then device, then id decide).
import fc from 'fast-check';
import type { Direction, RuleMode, Scan } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import type { CheckpointId, DeviceId, EventId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import { T0 } from './factories.ts';

/** Checkpoints as scans copy them: every mode, zones shared by two checkpoints. */
export const POINTS: ReadonlyArray<{ id: string; zone: string; mode: RuleMode }> = [
  { id: 'gate', zone: 'main', mode: 'once_per_event' },
  { id: 'gate-2', zone: 'north', mode: 'once_per_event' },
  { id: 'rink', zone: 'rink', mode: 'once_per_zone' },
  { id: 'rink-2', zone: 'rink', mode: 'once_per_zone' },
  { id: 'wheel', zone: 'wheel', mode: 'once_per_zone' },
  { id: 'bar', zone: 'bar', mode: 'entry_exit' },
  { id: 'bar-2', zone: 'bar', mode: 'entry_exit' },
  { id: 'merch', zone: 'main', mode: 'unlimited' },
];
export const DEVICES = ['dev-a', 'dev-b', 'dev-c'];

/** A scan's contents without its id. */
export interface ScanBody {
  eventId: string;
  /** null: a code that named no ticket. */
  ticket: string | null;
  point: (typeof POINTS)[number];
  direction: Direction;
  device: string;
  ms: number;
  counter: number;
  outcome: Outcome;
  offline: boolean;
}

export interface ScanBodyOptions {
  events: readonly string[];
  tickets: readonly string[];
  /** Now and then a scan of a code that named no ticket. */
  codesOfNoTicket: boolean;
  outcome: fc.Arbitrary<Outcome>;
}

export function scanBodyArb(o: ScanBodyOptions): fc.Arbitrary<ScanBody> {
  const ticket = fc.constantFrom<string | null>(...o.tickets);
  return fc.record({
    eventId: fc.constantFrom(...o.events),
    ticket: o.codesOfNoTicket ? fc.oneof({ weight: 9, arbitrary: ticket }, { weight: 1, arbitrary: fc.constant(null) }) : ticket,
    point: fc.constantFrom(...POINTS),
    direction: fc.constantFrom<Direction>('entry', 'entry', 'exit'),
    device: fc.constantFrom(...DEVICES),
    ms: fc.nat(30),
    counter: fc.nat(2),
    outcome: o.outcome,
    offline: fc.boolean(),
  });
}

/** The scan, at T0 + ms; a code that named no ticket is never admitted. */
export function scanOfBody(b: ScanBody, id: string): Scan {
  const at = T0 + b.ms;
  return {
    id: id as ScanId, eventId: b.eventId as EventId,
    ticketId: b.ticket as TicketId | null, orderId: null, code: `GK1:${b.ticket ?? 'junk'}`,
    checkpointId: b.point.id as CheckpointId, zone: b.point.zone, mode: b.point.mode, direction: b.direction,
    deviceId: b.device as DeviceId, inspectorId: 'insp-1' as InspectorId,
    hlc: formatHlc({ physical: at, counter: b.counter }), at, clockOffset: 0,
    outcome: b.ticket === null ? 'unknown' : b.outcome, offline: b.offline, idChecked: false,
  };
}

/** The same elements in any order. */
export const permutation = <T>(xs: readonly T[]) => fc.shuffledSubarray([...xs], { minLength: xs.length, maxLength: xs.length });
