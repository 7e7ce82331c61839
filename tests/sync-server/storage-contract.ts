// The contract every Storage adapter passes: SQLite today, PostgreSQL (and an in-memory
// double) later run exactly these cases. Each case starts from a fresh, empty storage, so
// no case depends on another or on the order they run in.
//
// Cases about scans live in storage-contract-scans.ts; this file holds set-up, tickets
// and people, and the entry point.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointId, eventId, inspectorId, orderId, ticketId } from '@gatekeeper/shared/ids';
import type { Storage } from '@gatekeeper/sync-server/storage/types';
import {
  DEVICE_A, DEVICE_B, EVENT, INSPECTOR_A, INSPECTOR_B, MAIN_GATE, T0,
  makeCheckpoint, makeDevice, makeEvent, makeOrder, makeStaff, makeTicket,
} from '../support/factories.ts';
import { scanContract } from './storage-contract-scans.ts';
import { annulContract } from './storage-contract-annul.ts';
import { historyContract } from './storage-contract-history.ts';
import { inboxContract } from './storage-contract-inbox.ts';
import { settingsContract } from './storage-contract-settings.ts';
import { certificateContract } from './storage-contract-certificates.ts';
import { walletContract } from './storage-contract-wallet.ts';
import { verificationContract } from './storage-contract-verification.ts';

export type MakeStorage = () => Promise<Storage>;

/** Give each case a fresh storage and close it afterwards; returns a getter for it. */
export function freshStorage(makeStorage: MakeStorage): () => Storage {
  let storage: Storage | null = null;
  beforeEach(async () => { storage = await makeStorage(); });
  afterEach(async () => { await storage?.close(); storage = null; });
  return () => {
    if (!storage) throw new Error('storage used outside a test');
    return storage;
  };
}

export function runStorageContract(name: string, makeStorage: MakeStorage): void {
  describe(`Storage contract: ${name}`, () => {
    setupContract(makeStorage);
    ticketContract(makeStorage);
    peopleContract(makeStorage);
    describe('scans', () => { scanContract(freshStorage(makeStorage)); });
    describe('annulments', () => { annulContract(freshStorage(makeStorage)); });
    describe('history', () => { historyContract(freshStorage(makeStorage)); });
    describe('conflict inbox', () => { inboxContract(freshStorage(makeStorage)); });
    describe('settings', () => { settingsContract(freshStorage(makeStorage)); });
    describe('device certificates', () => { certificateContract(freshStorage(makeStorage)); });
    describe('wallets', () => { walletContract(freshStorage(makeStorage)); });
    describe('verification', () => { verificationContract(freshStorage(makeStorage)); });
  });
}

function setupContract(makeStorage: MakeStorage): void {
  describe('events and their set-up', () => {
    const s = freshStorage(makeStorage);

    it('stores an event and reads it back; an unknown event is null', async () => {
      const event = makeEvent({ venue: null, startsAt: null, endsAt: null });
      await s().createEvent(event);
      expect(await s().getEvent(EVENT)).toEqual(event);
      expect(await s().getEvent(eventId('nope'))).toBeNull();
    });

    it('refuses a second event with the same id', async () => {
      await s().createEvent(makeEvent());
      await expect(s().createEvent(makeEvent({ name: 'Other' }))).rejects.toThrow();
      expect((await s().getEvent(EVENT))?.name).toBe(makeEvent().name);
    });

    it('lists every event', async () => {
      await s().createEvent(makeEvent({ id: eventId('ev-late'), startsAt: T0 + 1000 }));
      await s().createEvent(makeEvent({ id: eventId('ev-early'), startsAt: T0 }));
      expect((await s().listEvents()).map((e) => e.id).sort()).toEqual(['ev-early', 'ev-late']);
    });

    it('upserts checkpoints: allowed types as a list or null, edited in place', async () => {
      await s().createEvent(makeEvent());
      const vip = makeCheckpoint({ id: MAIN_GATE, allowedTypes: ['VIP', 'Crew'], validFrom: T0, validUntil: T0 + 1 });
      await s().upsertCheckpoint(vip);
      expect(await s().getCheckpoint(EVENT, MAIN_GATE)).toEqual(vip);
      const edited = { ...vip, name: 'Gate A', allowedTypes: null, mode: 'entry_exit' as const };
      await s().upsertCheckpoint(edited);
      expect(await s().getCheckpoint(EVENT, MAIN_GATE)).toEqual(edited);
      expect(await s().listCheckpoints(EVENT)).toEqual([edited]);
    });

    it('keeps checkpoints apart per event', async () => {
      await s().createEvent(makeEvent());
      await s().createEvent(makeEvent({ id: eventId('ev-2') }));
      await s().upsertCheckpoint(makeCheckpoint());
      await s().upsertCheckpoint(makeCheckpoint({ eventId: eventId('ev-2'), name: 'Side door' }));
      expect((await s().listCheckpoints(EVENT)).map((c) => c.name)).toEqual(['Main gate']);
      expect((await s().getCheckpoint(eventId('ev-2'), MAIN_GATE))?.name).toBe('Side door');
      expect(await s().getCheckpoint(EVENT, checkpointId('nope'))).toBeNull();
    });

    it('refuses a checkpoint of an event that does not exist', async () => {
      await expect(s().upsertCheckpoint(makeCheckpoint())).rejects.toThrow();
    });

    it('stores event keys, several per event for rotation', async () => {
      await s().createEvent(makeEvent());
      const k1 = { eventId: EVENT, keyId: 'k1', publicKey: 'pub1', privateKey: 'priv1', revoked: true, createdAt: T0 };
      const k2 = { ...k1, keyId: 'k2', publicKey: 'pub2', privateKey: 'priv2', revoked: false, createdAt: T0 + 1 };
      await s().addEventKey(k1);
      await s().addEventKey(k2);
      expect(await s().listEventKeys(EVENT)).toEqual([k1, k2]);
      expect(await s().listEventKeys(eventId('ev-2'))).toEqual([]);
    });

    it('sets, replaces and clears the code word of the day', async () => {
      await s().createEvent(makeEvent());
      expect(await s().getCodeWord(EVENT)).toBeNull();
      await s().setCodeWord(EVENT, 'Blue Heron');
      await s().setCodeWord(EVENT, 'Red Fox');
      expect(await s().getCodeWord(EVENT)).toBe('Red Fox');
      await s().setCodeWord(EVENT, null);
      expect(await s().getCodeWord(EVENT)).toBeNull();
    });
  });
}

function ticketContract(makeStorage: MakeStorage): void {
  describe('tickets', () => {
    const s = freshStorage(makeStorage);
    const order = makeOrder();
    const t1 = makeTicket({ id: ticketId('t1'), orderId: order.id, holderName: 'Sanne de Vries', seat: 'R1-4', idCheck: true, validFrom: T0, validUntil: T0 + 10 });
    const t2 = makeTicket({ id: ticketId('t2'), orderId: order.id, kind: 'travel', eTicket: false, status: 'unpaid' });
    const t3 = makeTicket({ id: ticketId('t3'), importedCode: '4006381333931' });
    beforeEach(async () => { await s().createEvent(makeEvent()); });

    it('imports orders and tickets and reads every field back', async () => {
      expect(await s().importTickets(EVENT, [order], [t1, t2, t3])).toEqual({ orders: 1, tickets: 3 });
      expect(await s().getTicket(EVENT, t1.id)).toEqual(t1);
      expect(await s().getTicket(EVENT, t2.id)).toEqual(t2);
      expect(await s().getTicket(EVENT, ticketId('t9'))).toBeNull();
      // Many at once (an upload batch): those that exist, by id; repeats and unknown ids are fine.
      expect(await s().getTickets(EVENT, [t1.id, ticketId('t9'), t3.id, t1.id])).toEqual(new Map([[t1.id, t1], [t3.id, t3]]));
      expect(await s().getTickets(EVENT, [])).toEqual(new Map());
      expect(await s().findTicketByImportedCode(EVENT, '4006381333931')).toEqual(t3);
      expect(await s().findTicketByImportedCode(EVENT, '0000')).toBeNull();
      expect((await s().listOrderTickets(EVENT, order.id)).map((t) => t.id).sort()).toEqual(['t1', 't2']);
      expect(await s().listOrderTickets(EVENT, orderId('o-9'))).toEqual([]);
    });

    it('upserts by id: a re-import replaces the ticket', async () => {
      await s().importTickets(EVENT, [], [t3]);
      const renamed = { ...t3, holderName: 'Piet Bakker' };
      await s().importTickets(EVENT, [], [renamed]);
      expect(await s().getTicket(EVENT, t3.id)).toEqual(renamed);
    });

    it('leaves nothing half-imported when a row fails mid-way', async () => {
      await s().importTickets(EVENT, [], [t1]);
      const before = await s().changesSince(EVENT, 0);
      const broken = makeTicket({ id: ticketId('t-bad'), type: null as unknown as string });
      await expect(s().importTickets(EVENT, [order], [{ ...t1, holderName: 'Changed' }, t2, broken, t3])).rejects.toThrow();
      expect(await s().getTicket(EVENT, t1.id)).toEqual(t1);
      expect(await s().getTicket(EVENT, t2.id)).toBeNull();
      expect(await s().getTicket(EVENT, t3.id)).toBeNull();
      expect(await s().changesSince(EVENT, 0)).toEqual(before);
    });

    it('refuses an import into an event that does not exist, storing nothing', async () => {
      const ghost = eventId('ev-ghost');
      await expect(s().importTickets(ghost, [], [makeTicket({ eventId: ghost })])).rejects.toThrow();
      expect(await s().getTicket(ghost, ticketId('t1'))).toBeNull();
    });

    it('refuses a ticket of another event, storing nothing of the import', async () => {
      const stray = makeTicket({ id: ticketId('t-stray'), eventId: eventId('ev-2') });
      await expect(s().importTickets(EVENT, [], [t1, stray])).rejects.toThrow();
      expect(await s().getTicket(EVENT, t1.id)).toBeNull();
    });

    it('refuses two tickets with the same imported code', async () => {
      await expect(s().importTickets(EVENT, [], [t3, { ...t3, id: ticketId('t4') }])).rejects.toThrow();
      expect(await s().findTicketByImportedCode(EVENT, '4006381333931')).toBeNull();
    });

    it('reports deltas: all since 0, only changed rows since a version', async () => {
      const empty = await s().changesSince(EVENT, 0);
      expect(empty.tickets).toEqual([]);
      await s().importTickets(EVENT, [order], [t1, t2]);
      const all = await s().changesSince(EVENT, 0);
      expect(all.version).toBeGreaterThan(empty.version);
      expect(all.tickets.map((t) => t.id).sort()).toEqual(['t1', 't2']);
      expect(all.orders).toEqual([order]);
      expect(await s().changesSince(EVENT, all.version)).toEqual({ version: all.version, tickets: [], orders: [], revokedCertificates: [] });

      await s().importTickets(EVENT, [order], [t1, { ...t2, status: 'paid' }, t3]);
      const delta = await s().changesSince(EVENT, all.version);
      expect(delta.version).toBeGreaterThan(all.version);
      expect(delta.tickets.map((t) => t.id).sort()).toEqual(['t2', 't3']);
      expect(delta.orders).toEqual([]);
    });

    it('gives a re-import of identical rows no new change number', async () => {
      await s().importTickets(EVENT, [order], [t1, t2]);
      const v = (await s().changesSince(EVENT, 0)).version;
      await s().importTickets(EVENT, [order], [t1, t2]);
      expect(await s().changesSince(EVENT, v)).toEqual({ version: v, tickets: [], orders: [], revokedCertificates: [] });
    });

    it('numbers a status change, so phones learn of a revocation', async () => {
      await s().importTickets(EVENT, [], [t1, t3]);
      const v = (await s().changesSince(EVENT, 0)).version;
      await s().setTicketStatus(EVENT, t1.id, 'revoked');
      const delta = await s().changesSince(EVENT, v);
      expect(delta.tickets).toEqual([{ ...t1, status: 'revoked' }]);
      expect(delta.version).toBeGreaterThan(v);
      expect((await s().getTicket(EVENT, t1.id))?.status).toBe('revoked');
    });

    it('refuses a status change of a ticket that does not exist', async () => {
      await expect(s().setTicketStatus(EVENT, ticketId('t9'), 'blocked')).rejects.toThrow();
    });

    it('keeps each event\u2019s deltas to itself', async () => {
      const ev2 = eventId('ev-2');
      await s().createEvent(makeEvent({ id: ev2 }));
      await s().importTickets(EVENT, [], [t1]);
      await s().importTickets(ev2, [], [makeTicket({ eventId: ev2, id: ticketId('t1') })]);
      expect((await s().changesSince(EVENT, 0)).tickets).toEqual([t1]);
      expect((await s().changesSince(ev2, 0)).tickets.map((t) => t.eventId)).toEqual([ev2]);
    });
  });
}

function peopleContract(makeStorage: MakeStorage): void {
  describe('staff, sessions and devices', () => {
    const s = freshStorage(makeStorage);
    const anna = makeStaff();
    const bram = makeStaff({ id: INSPECTOR_B, username: 'bram', name: 'Bram Visser', role: 'supervisor', disabled: true });
    beforeEach(async () => {
      await s().createEvent(makeEvent());
      await s().createStaff(anna);
      await s().createStaff(bram);
    });

    it('stores staff and finds them by id and by username', async () => {
      expect(await s().getStaff(INSPECTOR_A)).toEqual(anna);
      expect(await s().getStaffByUsername('bram')).toEqual(bram);
      expect(await s().getStaff(inspectorId('nobody'))).toBeNull();
      expect(await s().getStaffByUsername('nobody')).toBeNull();
    });

    it('refuses a second account with a username already taken', async () => {
      await expect(s().createStaff(makeStaff({ id: inspectorId('insp-c') }))).rejects.toThrow();
    });

    it('assigns staff to events, idempotently', async () => {
      expect(await s().isStaffOf(EVENT, INSPECTOR_A)).toBe(false);
      await s().assignStaff(EVENT, INSPECTOR_A);
      await s().assignStaff(EVENT, INSPECTOR_A);
      expect(await s().isStaffOf(EVENT, INSPECTOR_A)).toBe(true);
      expect(await s().isStaffOf(EVENT, INSPECTOR_B)).toBe(false);
      expect(await s().listEventStaff(EVENT)).toEqual([anna]);
    });

    it('creates, finds and deletes sessions', async () => {
      const session = { tokenHash: 'h-1', inspectorId: INSPECTOR_A, createdAt: T0, expiresAt: T0 + 3600_000, deviceId: null };
      await s().createSession(session);
      expect(await s().getSession('h-1')).toEqual(session);
      await s().deleteSession('h-1');
      expect(await s().getSession('h-1')).toBeNull();
      await s().deleteSession('h-1'); // deleting twice is harmless: logout may be retried
    });

    it('lists staff, sets a password and disables and re-enables, refusing an unknown id', async () => {
      expect((await s().listStaff()).map((x) => x.username)).toEqual(['anna', 'bram'].sort());
      await s().setStaffPassword(INSPECTOR_A, 'scrypt$new');
      await s().setStaffDisabled(INSPECTOR_A, true);
      expect(await s().getStaff(INSPECTOR_A)).toEqual({ ...anna, passwordHash: 'scrypt$new', disabled: true });
      await s().setStaffDisabled(INSPECTOR_A, false);
      expect((await s().getStaff(INSPECTOR_A))?.disabled).toBe(false);
      await expect(s().setStaffPassword(inspectorId('nobody'), 'x')).rejects.toThrow();
      await expect(s().setStaffDisabled(inspectorId('nobody'), true)).rejects.toThrow();
    });

    it('ends every session of one member of staff, or all but the one kept', async () => {
      const session = (tokenHash: string, inspectorId = INSPECTOR_A) => ({ tokenHash, inspectorId, createdAt: T0, expiresAt: T0 + 3600_000 });
      for (const x of [session('a-1'), session('a-2'), session('a-3'), session('b-1', INSPECTOR_B)]) await s().createSession(x);
      expect(await s().deleteStaffSessions(INSPECTOR_A, 'a-2')).toBe(2);
      expect(await s().getSession('a-1')).toBeNull();
      expect(await s().getSession('a-2')).not.toBeNull();
      expect(await s().deleteStaffSessions(INSPECTOR_A)).toBe(1);
      expect(await s().getSession('a-2')).toBeNull();
      expect(await s().getSession('b-1')).not.toBeNull();
    });

    it('deletes expired sessions only, saying how many', async () => {
      const live = { tokenHash: 'h-live', inspectorId: INSPECTOR_A, createdAt: T0, expiresAt: T0 + 3600_000 };
      const ended = { tokenHash: 'h-ended', inspectorId: INSPECTOR_A, createdAt: T0 - 7200_000, expiresAt: T0 };
      await s().createSession(live);
      await s().createSession(ended);
      expect(await s().deleteExpiredSessions(T0)).toBe(1);
      expect(await s().getSession('h-ended')).toBeNull();
      expect(await s().getSession('h-live')).toMatchObject(live);
      expect(await s().deleteExpiredSessions(T0)).toBe(0);
    });

    it('registers, lists and touches devices', async () => {
      const a = makeDevice();
      const b = makeDevice({ id: DEVICE_B, inspectorId: INSPECTOR_B, name: 'iPhone', createdAt: T0 + 1 });
      await s().registerDevice(a, 'secret-a');
      await s().registerDevice(b, 'secret-b');
      expect(await s().getDevice(DEVICE_A)).toEqual(a);
      expect(await s().listDevices()).toEqual([a, b]);
      await s().touchDevice(DEVICE_A, T0 + 500);
      expect((await s().getDevice(DEVICE_A))?.lastSeenAt).toBe(T0 + 500);
    });

    it('keeps one report per event and phone, the newest, and lists an event\u2019s phones most recently heard first', async () => {
      await s().registerDevice(makeDevice(), 'secret-a');
      await s().registerDevice(makeDevice({ id: DEVICE_B, createdAt: T0 + 1 }), 'secret-b');
      const a = { eventId: EVENT, deviceId: DEVICE_A, inspectorId: INSPECTOR_A, checkpointId: MAIN_GATE, protocolVersion: 10, appVersion: '1.0.0', clockOffsetMs: -120, waiting: 3, seenAt: T0 + 100 };
      const b = { eventId: EVENT, deviceId: DEVICE_B, inspectorId: INSPECTOR_B, checkpointId: null, protocolVersion: 9, appVersion: null, clockOffsetMs: null, waiting: null, seenAt: T0 + 50 };
      await s().recordDeviceReport(a);
      await s().recordDeviceReport(b);
      expect(await s().listDeviceReports(EVENT)).toEqual([a, b]);
      const later = { ...a, inspectorId: INSPECTOR_B, waiting: 0, seenAt: T0 + 200 };
      await s().recordDeviceReport(later);
      expect(await s().listDeviceReports(EVENT)).toEqual([later, b]);
      // A report that arrives late does not move when the phone was last heard back.
      await s().recordDeviceReport({ ...b, seenAt: T0 + 10 });
      expect((await s().listDeviceReports(EVENT)).find((r) => r.deviceId === DEVICE_B)?.seenAt).toBe(T0 + 50);
      expect(await s().listDeviceReports(eventId('other'))).toEqual([]);
    });

    it('revokes a device, and registering it again does not lift the revocation', async () => {
      await s().registerDevice(makeDevice(), 'secret-a');
      await s().revokeDevice(DEVICE_A, T0 + 100);
      await s().revokeDevice(DEVICE_A, T0 + 200);
      expect((await s().getDevice(DEVICE_A))?.revokedAt).toBe(T0 + 100);
      await s().registerDevice(makeDevice({ name: 'renamed' }), 'secret-other');
      expect(await s().getDevice(DEVICE_A)).toMatchObject({ name: 'renamed', revokedAt: T0 + 100 });
      // Nor does it replace the secret: the phone that holds it is the device.
      expect(await s().getDeviceSecretHash(DEVICE_A)).toBe('secret-a');
    });

    it('keeps a device\u2019s secret hash apart from its record, and none for an unknown device', async () => {
      await s().registerDevice(makeDevice(), 'secret-a');
      expect(await s().getDeviceSecretHash(DEVICE_A)).toBe('secret-a');
      expect(await s().getDevice(DEVICE_A)).not.toHaveProperty('secretHash');
      expect(JSON.stringify(await s().listDevices())).not.toContain('secret-a');
      expect(await s().getDeviceSecretHash(DEVICE_B)).toBeNull();
    });

    it('binds a session to one device, makes its staff member the holder, and ends it with the device', async () => {
      await s().registerDevice(makeDevice(), 'secret-a');
      await s().registerDevice(makeDevice({ id: DEVICE_B, createdAt: T0 + 1 }), 'secret-b');
      await s().createSession({ tokenHash: 'h-1', inspectorId: INSPECTOR_B, createdAt: T0, expiresAt: T0 + 3600_000 });
      await s().createSession({ tokenHash: 'h-2', inspectorId: INSPECTOR_A, createdAt: T0, expiresAt: T0 + 3600_000 });
      expect(await s().bindSession('h-1', DEVICE_A, INSPECTOR_B)).toBe(true);
      expect(await s().bindSession('h-1', DEVICE_A, INSPECTOR_B)).toBe(true); // the same binding again: harmless
      expect(await s().bindSession('h-1', DEVICE_B, INSPECTOR_B)).toBe(false);
      expect(await s().bindSession('h-missing', DEVICE_B, INSPECTOR_B)).toBe(false);
      expect((await s().getSession('h-1'))?.deviceId).toBe(DEVICE_A);
      expect((await s().getDevice(DEVICE_A))?.inspectorId).toBe(INSPECTOR_B);
      expect(await s().bindSession('h-2', DEVICE_B, INSPECTOR_A)).toBe(true);
      await s().revokeDevice(DEVICE_A, T0 + 100);
      expect(await s().getSession('h-1')).toBeNull();
      expect((await s().getSession('h-2'))?.deviceId).toBe(DEVICE_B);
    });

    it('refuses to revoke a device that does not exist', async () => {
      await expect(s().revokeDevice(DEVICE_B, T0)).rejects.toThrow();
      expect(await s().getDevice(DEVICE_B)).toBeNull();
    });
  });
}
