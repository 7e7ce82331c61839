// The conflict inbox half of the Storage contract (see storage-contract.ts): conflicts
// newest first with the holder and the latest review, reviews kept, the tickets that count
// as sold, and device alerts answered with their id.
import { beforeEach, describe, expect, it } from 'vitest';
import { eventId, inspectorId, ticketId, type ScanId } from '@gatekeeper/shared/ids';
import type { Storage } from '@gatekeeper/sync-server/storage/types';
import { DEVICE_A, DEVICE_B, EVENT, INSPECTOR_B, T0, makeEvent, makeScan, makeStaff, makeTicket } from '../support/factories.ts';

const EVENT_2 = eventId('ev-2');
const SUPERVISOR = inspectorId('sup-1');

export function inboxContract(s: () => Storage): void {
  beforeEach(async () => {
    await s().createEvent(makeEvent());
    await s().createEvent(makeEvent({ id: EVENT_2 }));
    await s().createStaff(makeStaff({ id: SUPERVISOR, username: 'sam', name: 'Sam Supervisor', role: 'supervisor' }));
    await s().importTickets(EVENT, [], [
      makeTicket({ id: ticketId('t1'), holderName: 'Joost Jansen' }), makeTicket({ id: ticketId('t2') }),
      makeTicket({ id: ticketId('t3'), status: 'canceled' }), makeTicket({ id: ticketId('t4'), status: 'unpaid' }),
    ]);
  });

  /** Two offline admissions of one ticket, recorded at `at`: the losing scan's id. */
  async function doubleAdmission(ticket: string, at: number): Promise<ScanId> {
    const first = makeScan({ ticketId: ticketId(ticket), deviceId: DEVICE_A, at: at - 2000 });
    const second = makeScan({ ticketId: ticketId(ticket), deviceId: DEVICE_B, inspectorId: INSPECTOR_B, at: at - 1000 });
    await s().uploadOffline([first, second], at);
    return second.id;
  }

  describe('the conflict inbox', () => {
    it('lists conflicts newest first, each with its id, when it was recorded, the holder, and no review yet', async () => {
      const older = await doubleAdmission('t1', T0);
      const newer = await doubleAdmission('t2', T0 + 60_000);
      const inbox = await s().conflictInbox(EVENT);
      expect(inbox.map((c) => [c.id, c.createdAt, c.holder, c.review])).toEqual([[newer, T0 + 60_000, null, null], [older, T0, 'Joost Jansen', null]]);
      expect(inbox[1]).toMatchObject({ ticketId: 't1', loser: { scanId: older, deviceId: DEVICE_B }, winner: { deviceId: DEVICE_A } });
      expect(await s().conflictInbox(EVENT_2)).toEqual([]);
    });

    it('keeps every review and shows the latest, with the reviewer\u2019s name', async () => {
      const id = await doubleAdmission('t1', T0);
      const first = await s().reviewConflict(EVENT, id, { by: SUPERVISOR, at: T0 + 1, note: 'looking into it' });
      expect(first?.review).toEqual({ by: SUPERVISOR, byName: 'Sam Supervisor', at: T0 + 1, note: 'looking into it' });
      await s().reviewConflict(EVENT, id, { by: SUPERVISOR, at: T0 + 2, note: 'same guest twice' });
      const [listed] = await s().conflictInbox(EVENT);
      expect(listed!.review).toEqual({ by: SUPERVISOR, byName: 'Sam Supervisor', at: T0 + 2, note: 'same guest twice' });
    });

    it('reviews nothing that is not a conflict of the event', async () => {
      const id = await doubleAdmission('t1', T0);
      expect(await s().reviewConflict(EVENT_2, id, { by: SUPERVISOR, at: T0, note: 'x' })).toBeNull();
      expect(await s().reviewConflict(EVENT, 's-none' as ScanId, { by: SUPERVISOR, at: T0, note: 'x' })).toBeNull();
      expect((await s().conflictInbox(EVENT))[0]!.review).toBeNull();
    });
  });

  it('counts the tickets that would admit (paid) as sold', async () => {
    expect(await s().admissibleTicketCount(EVENT)).toBe(2);
    expect(await s().admissibleTicketCount(EVENT_2)).toBe(0);
  });

  it('answers a recorded device alert with its id', async () => {
    const alert = { eventId: EVENT, deviceId: DEVICE_A, inspectorId: INSPECTOR_B, kind: 'rate_limited' as const, message: 'over its limit', at: T0 };
    const stored = await s().recordDeviceAlert(alert);
    expect(stored).toEqual({ ...alert, id: expect.any(Number) });
    expect((await s().listDeviceAlerts(EVENT, 10))[0]).toEqual(stored);
  });
}
