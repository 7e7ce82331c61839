// The settings half of the Storage contract (see storage-contract.ts): the code word's
// daily rule, the audit (append-only, newest first, a page at a time, staff rows for
// admins only), import column mappings, staff roles and events, and the console's ticket search;
// and every settings change stored with its audit row, or neither.
import { beforeEach, describe, expect, it } from 'vitest';
import { eventId, inspectorId, orderId, ticketId } from '@gatekeeper/shared/ids';
import type { AuditRecord, Storage } from '@gatekeeper/sync-server/storage/types';
import { EVENT, T0, makeCheckpoint, makeEvent, makeOrder, makeStaff, makeTicket } from '../support/factories.ts';

const EVENT_2 = eventId('ev-2');
const SAM = inspectorId('sup-1');

export function settingsContract(s: () => Storage): void {
  beforeEach(async () => {
    await s().createEvent(makeEvent());
    await s().createEvent(makeEvent({ id: EVENT_2 }));
    await s().createStaff(makeStaff({ id: SAM, username: 'sam', name: 'Sam Supervisor', role: 'supervisor' }));
  });

  describe('code word rule', () => {
    it('is kept per event, replaced, listed and cleared', async () => {
      expect(await s().getCodeWordRule(EVENT)).toBeNull();
      await s().setCodeWordRule(EVENT, { words: ['Blue Heron', 'Red Fox'], changeAt: '06:00' });
      await s().setCodeWordRule(EVENT, { words: ['Green Kite'], changeAt: '07:30' });
      expect(await s().getCodeWordRule(EVENT)).toEqual({ words: ['Green Kite'], changeAt: '07:30' });
      expect(await s().listCodeWordRules()).toEqual([{ eventId: EVENT, rule: { words: ['Green Kite'], changeAt: '07:30' } }]);
      await s().setCodeWordRule(EVENT, null);
      expect(await s().getCodeWordRule(EVENT)).toBeNull();
      expect(await s().listCodeWordRules()).toEqual([]);
    });
  });

  describe('audit', () => {
    it('answers each row as stored, with the actor\u2019s name; newest first, by page; staff rows only when asked', async () => {
      const a = await s().recordAudit({ eventId: EVENT, actor: SAM, action: 'code_word.set', target: EVENT, before: { codeWord: null, rule: null }, after: { codeWord: 'Red Fox', rule: null }, reason: null, at: T0 });
      expect(a).toEqual({ id: expect.any(Number), eventId: EVENT, actor: SAM, actorName: 'Sam Supervisor', action: 'code_word.set', target: EVENT, before: { codeWord: null, rule: null }, after: { codeWord: 'Red Fox', rule: null }, reason: null, at: T0 });
      const b = await s().recordAudit({ eventId: EVENT, actor: SAM, action: 'ticket.status', target: 't1', before: { status: 'paid' }, after: { status: 'blocked' }, reason: 'stolen', at: T0 + 1 });
      const c = await s().recordAudit({ eventId: null, actor: SAM, action: 'staff.password', target: 'i-x', before: null, after: null, reason: null, at: T0 + 2 });
      await s().recordAudit({ eventId: EVENT_2, actor: SAM, action: 'code_word.set', target: EVENT_2, before: null, after: null, reason: null, at: T0 + 3 });
      expect((await s().listAudit(EVENT, { limit: 10, withStaff: false })).entries.map((e) => e.id)).toEqual([b.id, a.id]);
      expect((await s().listAudit(EVENT, { limit: 10, withStaff: true })).entries.map((e) => e.id)).toEqual([c.id, b.id, a.id]);
      const first = await s().listAudit(EVENT, { limit: 1, withStaff: true });
      expect(first).toEqual({ entries: [c], next: c.id });
      expect((await s().listAudit(EVENT, { limit: 5, withStaff: true, before: first.next! })).entries.map((e) => e.id)).toEqual([b.id, a.id]);
      expect((await s().listAudit(EVENT, { limit: 5, withStaff: false, action: 'ticket.status', target: 't1' })).entries).toEqual([b]);
    });

    it('keeps the checkpoint and import sections\u2019 changes in the same audit', async () => {
      const cp = await s().recordAudit({ eventId: EVENT, actor: SAM, action: 'checkpoint.create', target: 'north-gate', before: null, after: { id: 'north-gate', mode: 'entry' }, reason: null, at: T0 });
      const imp = await s().recordAudit({ eventId: EVENT, actor: SAM, action: 'tickets.import', target: EVENT, before: null, after: { orders: 1, tickets: 2 }, reason: null, at: T0 + 1 });
      expect(imp).toMatchObject({ eventId: EVENT, actorName: 'Sam Supervisor', action: 'tickets.import', after: { orders: 1, tickets: 2 } });
      expect((await s().listAudit(EVENT, { limit: 10, withStaff: false })).entries).toEqual([imp, cp]);
      expect((await s().listAudit(EVENT, { limit: 10, withStaff: false, action: 'checkpoint.create' })).entries).toEqual([cp]);
    });
  });

  describe('import mappings', () => {
    it('are kept per event, replaced by id, newest change first', async () => {
      const m = (id: string, name: string, at: number) => ({ id, name, columns: [{ from: 'Naam', to: 'holder_name' as const }], updatedAt: at, updatedBy: SAM });
      expect(await s().listImportMappings(EVENT)).toEqual([]);
      await s().saveImportMapping(EVENT, m('shop', 'Shop export', T0));
      await s().saveImportMapping(EVENT, m('box', 'Box office', T0 + 1));
      await s().saveImportMapping(EVENT, m('shop', 'Shop export v2', T0 + 2));
      expect((await s().listImportMappings(EVENT)).map((x) => [x.id, x.name])).toEqual([['shop', 'Shop export v2'], ['box', 'Box office']]);
      expect(await s().getImportMapping(EVENT, 'box')).toEqual(m('box', 'Box office', T0 + 1));
      expect(await s().getImportMapping(EVENT_2, 'box')).toBeNull();
      expect(await s().listImportMappings(EVENT_2)).toEqual([]);
    });
  });

  describe('staff', () => {
    it('sets a role, and replaces the events someone works at as a whole', async () => {
      await s().setStaffRole(SAM, 'admin');
      expect((await s().getStaff(SAM))!.role).toBe('admin');
      await s().setStaffEvents(SAM, [EVENT, EVENT_2, EVENT]);
      expect((await s().listStaffEvents()).get(SAM)).toEqual([EVENT, EVENT_2].sort());
      await s().setStaffEvents(SAM, []);
      expect((await s().listStaffEvents()).has(SAM)).toBe(false);
      expect(await s().isStaffOf(EVENT, SAM)).toBe(false);
      await expect(s().setStaffRole(inspectorId('nobody'), 'admin')).rejects.toThrow();
      await expect(s().setStaffEvents(SAM, [eventId('no-such-event')])).rejects.toThrow();
      await expect(s().setStaffEvents(inspectorId('nobody'), [EVENT])).rejects.toThrow();
    });
  });

  describe('ticket search', () => {
    beforeEach(async () => {
      await s().importTickets(EVENT, [makeOrder({ id: orderId('o1'), buyerName: 'Joost Jansen' })], [
        makeTicket({ id: ticketId('t1'), orderId: orderId('o1'), holderName: null }),
        makeTicket({ id: ticketId('t2'), orderId: orderId('o1'), holderName: 'Anna Müller' }),
        makeTicket({ id: ticketId('t3'), orderId: null, holderName: 't1', importedCode: 'DOOR-1' }),
      ]);
    });

    it('finds by id (that ticket first), order, barcode, and then by holder or buyer name, with the buyer', async () => {
      expect((await s().searchTickets(EVENT, 't1', 10)).map((t) => t.id)).toEqual(['t1', 't3']);
      expect((await s().searchTickets(EVENT, 't1', 1)).map((t) => t.id)).toEqual(['t1']);
      expect((await s().searchTickets(EVENT, 'o1', 10)).map((t) => t.id)).toEqual(['t1', 't2']);
      expect((await s().searchTickets(EVENT, 'DOOR-1', 10)).map((t) => t.id)).toEqual(['t3']);
      expect(await s().searchTickets(EVENT, 'muller', 10)).toEqual([expect.objectContaining({ id: 't2', holderName: 'Anna Müller', buyerName: 'Joost Jansen' })]);
      expect((await s().searchTickets(EVENT, 'jansen', 10)).map((t) => t.id).sort()).toEqual(['t1', 't2']);
      expect(await s().searchTickets(EVENT_2, 't1', 10)).toEqual([]);
      expect(await s().searchTickets(EVENT, '%', 10)).toEqual([]);
    });

    it('finds by one or two letters that begin a word of a name, in any case and without accents', async () => {
      expect((await s().searchTickets(EVENT, 'an', 10)).map((t) => t.id)).toEqual(['t2']);
      expect((await s().searchTickets(EVENT, 'MU', 10)).map((t) => t.id)).toEqual(['t2']);
      expect((await s().searchTickets(EVENT, 'j', 10)).map((t) => t.id).sort()).toEqual(['t1', 't2']);
      expect(await s().searchTickets(EVENT, 'll', 10)).toEqual([]);
    });
  });

  describe('a change and its audit row', () => {
    // The audit_log's actor must be a member of staff: an actor who is nobody is a row
    // that cannot be stored, as a crash between the two writes would have left it.
    const NOBODY = inspectorId('nobody');
    const row = (actor: typeof SAM, over: Partial<AuditRecord> = {}): AuditRecord =>
      ({ eventId: EVENT, actor, action: 'ticket.status', target: 'x', before: null, after: null, reason: null, at: T0, ...over });
    const rows = async () => (await s().listAudit(EVENT, { limit: 100, withStaff: true })).entries;
    const t1 = ticketId('t1');

    beforeEach(async () => {
      await s().importTickets(EVENT, [], [makeTicket({ id: t1, orderId: null, status: 'paid' })]);
      await s().upsertCheckpoint(makeCheckpoint({ mode: 'once_per_event' }));
      await s().setCodeWordSetting(EVENT, { word: 'Blue Heron', rule: null });
    });

    it('are stored together', async () => {
      await s().setTicketStatus(EVENT, t1, 'blocked', row(SAM, { target: t1, reason: 'stolen' }));
      expect((await s().getTicket(EVENT, t1))!.status).toBe('blocked');
      expect(await rows()).toEqual([expect.objectContaining({ actor: SAM, target: t1, reason: 'stolen' })]);
    });

    it('leave nothing changed when the row cannot be stored, for every section\u2019s change', async () => {
      const refused = async (change: Promise<unknown>) => expect(change).rejects.toThrow();
      const bad = row(NOBODY);
      const version = (await s().changesSince(EVENT, Number.MAX_SAFE_INTEGER)).version;

      await refused(s().setTicketStatus(EVENT, t1, 'blocked', bad));
      expect((await s().getTicket(EVENT, t1))!.status).toBe('paid');
      await refused(s().importTickets(EVENT, [], [makeTicket({ id: ticketId('t9'), orderId: null })], bad));
      expect(await s().getTicket(EVENT, ticketId('t9'))).toBeNull();
      expect((await s().changesSince(EVENT, Number.MAX_SAFE_INTEGER)).version).toBe(version);

      const gate = makeCheckpoint({ mode: 'once_per_event' });
      await refused(s().upsertCheckpoint({ ...gate, mode: 'unlimited' }, bad));
      expect((await s().getCheckpoint(EVENT, gate.id))!.mode).toBe('once_per_event');

      await refused(s().setCodeWordSetting(EVENT, { word: 'Red Fox', rule: { words: ['Red Fox'], changeAt: '06:00' } }, bad));
      expect(await s().getCodeWord(EVENT)).toBe('Blue Heron');
      expect(await s().getCodeWordRule(EVENT)).toBeNull();

      const m = { id: 'shop', name: 'Shop export', columns: [{ from: 'Naam', to: 'holder_name' as const }], updatedAt: T0, updatedBy: SAM };
      await refused(s().saveImportMapping(EVENT, m, bad));
      expect(await s().getImportMapping(EVENT, 'shop')).toBeNull();

      const newcomer = makeStaff({ id: inspectorId('i-new'), username: 'newcomer' });
      await refused(s().createStaff(newcomer, [EVENT], bad));
      expect(await s().getStaff(newcomer.id)).toBeNull();
      expect(await s().getStaffByUsername('newcomer')).toBeNull();
      await refused(s().assignStaff(EVENT, SAM, bad));
      await refused(s().setStaffEvents(SAM, [EVENT, EVENT_2], bad));
      expect((await s().listStaffEvents()).has(SAM)).toBe(false);
      await refused(s().setStaffRole(SAM, 'admin', bad));
      await refused(s().setStaffDisabled(SAM, true, bad));
      await refused(s().setStaffPassword(SAM, 'scrypt$other', bad));
      expect(await s().getStaff(SAM)).toMatchObject({ role: 'supervisor', disabled: false, passwordHash: makeStaff().passwordHash });

      expect(await rows()).toEqual([]);
    });
  });
}
