// Valid records with overridable defaults, for any test that needs an event, a ticket or
// a scan. Defaults all point at one event (EVENT), its main gate (a once_per_event
// checkpoint) and ticket t1, so a test only spells out what it is about.
import type { Checkpoint, Order, Scan, Ticket } from '@gatekeeper/shared/domain';
import {
  checkpointId, deviceId, eventId, inspectorId, newId, orderId, scanId, ticketId,
} from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { DeviceRecord, StaffRecord } from '@gatekeeper/sync-server/storage/types';

/** Frozen time: a Saturday evening, doors at 18:00 UTC. */
export const T0 = Date.UTC(2025, 5, 14, 18, 0, 0);

export const EVENT = eventId('ev-1');
export const MAIN_GATE = checkpointId('main-gate');
export const DEVICE_A = deviceId('dev-a');
export const DEVICE_B = deviceId('dev-b');
export const INSPECTOR_A = inspectorId('insp-a');
export const INSPECTOR_B = inspectorId('insp-b');

/** A hybrid logical clock stamp: 15-digit milliseconds, then a 4-hex-digit counter. */
export const hlcAt = (ms: number, counter = 0): string =>
  `${String(ms).padStart(15, '0')}:${counter.toString(16).padStart(4, '0')}`;

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

export function makeStaff(overrides: Partial<StaffRecord> = {}): StaffRecord {
  return {
    id: INSPECTOR_A, username: 'anna', name: 'Anna Jansen', role: 'inspector', passwordHash: 'scrypt$test', disabled: false,
    ...overrides,
  };
}

export function makeDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return { id: DEVICE_A, inspectorId: INSPECTOR_A, name: 'Pixel at gate 1', createdAt: T0, revokedAt: null, lastSeenAt: null, ...overrides };
}
