// Valid records with overridable defaults, for any test that needs an event, a ticket or
// a scan, on the server or on the phone. Defaults all point at one event (EVENT), its main
// gate (a once_per_event checkpoint) and ticket t1, so a test only spells out what it is
// about. The one place tests build a scan or an HLC stamp: when the Scan type grows a
// field, this file is the only test code that has to learn it.
import type { Checkpoint, Order, Scan, Ticket } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import {
  checkpointId, deviceId, eventId, inspectorId, newId, orderId, scanId, ticketId,
} from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { ScanRequest } from '@gatekeeper/shared/protocol/index';
import type { DeviceRecord, StaffRecord } from '@gatekeeper/sync-server/storage/types';
import type { ScanRecord } from '../../scanner-pwa/src/lib/ports.ts';

/** Frozen time: a Saturday evening, doors at 18:00 UTC. */
export const T0 = Date.UTC(2025, 5, 14, 18, 0, 0);

export const EVENT = eventId('ev-1');
export const MAIN_GATE = checkpointId('main-gate');
export const DEVICE_A = deviceId('dev-a');
export const DEVICE_B = deviceId('dev-b');
export const INSPECTOR_A = inspectorId('insp-a');
export const INSPECTOR_B = inspectorId('insp-b');

/** A hybrid logical clock stamp at `ms` (shared/src/hlc.ts's own format). */
export const hlcAt = (ms: number, counter = 0): string => formatHlc({ physical: ms, counter });

let hlcCounter = 0;
/**
 * A stamp at `ms`, unique within this process: for scans sent to a real server, where two
 * test phones scanning in the same millisecond must not tie.
 */
export const stamp = (ms: number): string => hlcAt(ms, hlcCounter++ % 0xffff);

export function makeEvent(overrides: Partial<GkEvent> = {}): GkEvent {
  return {
    id: EVENT, name: 'Summer Night Concert', venue: 'Ziggo Dome', startsAt: T0, endsAt: T0 + 5 * 3600_000,
    timeZone: 'Europe/Amsterdam', ...overrides,
  };
}

export function makeCheckpoint(overrides: Partial<Checkpoint> = {}): Checkpoint {
  return {
    id: MAIN_GATE, eventId: EVENT, name: 'Main gate', zone: 'grounds', mode: 'once_per_event',
    allowedTypes: null, validFrom: null, validUntil: null, ...overrides,
  };
}

export function makeOrder(overrides: Partial<Order> = {}): Order {
  return { id: orderId('o-1'), eventId: EVENT, buyerName: 'Sanne de Vries', email: 'sanne@example.org', ...overrides };
}

export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: ticketId('t1'), eventId: EVENT, orderId: null, type: 'Adult', holderName: null, seat: null, kind: 'event',
    eTicket: true, status: 'paid', validFrom: null, validUntil: null, idCheck: false, importedCode: null, ...overrides,
  };
}

/**
 * A scan of ticket t1 at the main gate by device A, admitted offline at T0. Pass `at`
 * alone and the HLC stamp follows it; pass `hlc` to order scans independently of `at`.
 */
export function makeScan(overrides: Partial<Scan> = {}): Scan {
  const at = overrides.at ?? T0;
  return {
    id: scanId(newId('s-')), eventId: EVENT, ticketId: ticketId('t1'), orderId: null, code: 'GK1.t1',
    checkpointId: MAIN_GATE, zone: 'grounds', mode: 'once_per_event', direction: 'entry',
    deviceId: DEVICE_A, inspectorId: INSPECTOR_A, hlc: hlcAt(at), at, clockOffset: 0,
    outcome: 'valid', offline: true, idChecked: false, ...overrides,
  };
}

/**
 * A scan as a phone submits it online (no outcome yet): made now unless `at` says when, at
 * the main gate, with a fresh id and a unique stamp. The caller says who sent it and what.
 */
export function makeScanRequest(
  fields: Pick<ScanRequest, 'eventId' | 'deviceId' | 'inspectorId' | 'ticketId' | 'code'> & Partial<ScanRequest>,
): ScanRequest {
  const at = fields.at ?? Date.now();
  return {
    id: scanId(newId('s-')), orderId: null, checkpointId: MAIN_GATE, zone: 'grounds', mode: 'once_per_event',
    direction: 'entry', hlc: stamp(at), at, clockOffset: 0, idChecked: false, ...fields,
  };
}

/** The phone's stored copy of a scan (makeScan's defaults): made here, not uploaded yet. */
export function makeScanRecord(overrides: Partial<ScanRecord> = {}): ScanRecord {
  return { ...makeScan(overrides), uploaded: 0, own: 1, ...overrides };
}

export function makeStaff(overrides: Partial<StaffRecord> = {}): StaffRecord {
  return {
    id: INSPECTOR_A, username: 'anna', name: 'Anna Jansen', role: 'inspector', passwordHash: 'scrypt$test', disabled: false,
    ...overrides,
  };
}

export function makeDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return { id: DEVICE_A, inspectorId: INSPECTOR_A, name: 'Pixel at gate 1', createdAt: T0, revokedAt: null, lastSeenAt: null, ...overrides };
}
