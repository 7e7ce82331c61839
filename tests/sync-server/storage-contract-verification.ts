// Storage contract: the holders' verification (migration 15). Measures per event, challenges
// that are single use and retire their predecessors, verifications per device, SMS send
// limits checked and counted at once, and a holder change that re-issues the order's code
// material in its own transaction.
import { expect, it } from 'vitest';
import { NO_MEASURES } from '@gatekeeper/shared/api/verification';
import { orderId, ticketId } from '@gatekeeper/shared/ids';
import type { ChallengeRecord, SmsSendLimits, Storage } from '@gatekeeper/sync-server/storage/types';
import { EVENT, INSPECTOR_A, T0, makeEvent, makeOrder, makeStaff, makeTicket } from '../support/factories.ts';

const O1 = orderId('o-1');
const challenge = (over: Partial<ChallengeRecord> = {}): Omit<ChallengeRecord, 'id' | 'tries' | 'usedAt'> => ({
  eventId: EVENT, orderId: O1, deviceHash: 'dev-a', kind: 'sms', secretHash: 'h1', createdAt: T0, expiresAt: T0 + 600_000, ...over,
});

export function verificationContract(s: () => Storage): void {
  const setUp = async () => {
    await s().createEvent(makeEvent());
    await s().importTickets(EVENT, [makeOrder({ id: O1, mobile: '+31612345678' })], [
      makeTicket({ id: ticketId('t1'), orderId: O1 }), makeTicket({ id: ticketId('t2'), orderId: O1 }),
      makeTicket({ id: ticketId('t3'), orderId: null }),
    ]);
  };

  it('keeps an order\'s mobile number; an import without one keeps it, an import with another replaces it', async () => {
    await setUp();
    expect(await s().getOrder(EVENT, O1)).toEqual(makeOrder({ id: O1, mobile: '+31612345678' }));
    await s().importTickets(EVENT, [makeOrder({ id: O1 })], []);
    expect((await s().getOrder(EVENT, O1))?.mobile).toBe('+31612345678');
    await s().importTickets(EVENT, [makeOrder({ id: O1, mobile: '+31687654321' })], []);
    expect((await s().getOrder(EVENT, O1))?.mobile).toBe('+31687654321');
    expect(await s().getOrder(EVENT, orderId('nope'))).toBeNull();
  });

  it('measures are all off until set, and set with their audit row', async () => {
    await setUp();
    await s().createStaff(makeStaff({ role: 'admin' }));
    expect(await s().getMeasures(EVENT)).toEqual(NO_MEASURES);
    const on = { sms: true, email: false, verifiedDevice: true, changeBlock: true };
    await s().setMeasures(EVENT, on, { eventId: EVENT, actor: INSPECTOR_A, action: 'measures.set', target: EVENT, before: NO_MEASURES, after: on, reason: null, at: T0 });
    expect(await s().getMeasures(EVENT)).toEqual(on);
    expect((await s().listAudit(EVENT, { limit: 10, withStaff: false })).entries.map((e) => [e.action, e.after])).toEqual([['measures.set', on]]);
  });

  it('a challenge counts wrong tries, passes once, and a newer one retires the older', async () => {
    await setUp();
    const first = await s().addChallenge(challenge());
    expect(await s().failChallenge(first)).toBe(1);
    expect(await s().failChallenge(first)).toBe(2);
    const second = await s().addChallenge(challenge({ secretHash: 'h2', createdAt: T0 + 1 }));
    expect(await s().latestChallenge(EVENT, O1, 'dev-a', 'sms')).toMatchObject({ id: second, tries: 0, usedAt: null });
    expect(await s().passChallenge(first, T0 + 2)).toBe(false);
    expect(await s().listVerifications(EVENT, O1, 'dev-a')).toEqual([]);
    expect(await s().passChallenge(second, T0 + 2)).toBe(true);
    expect(await s().passChallenge(second, T0 + 3)).toBe(false);
    expect(await s().listVerifications(EVENT, O1, 'dev-a')).toEqual(['sms']);
    expect(await s().listVerifications(EVENT, O1, 'dev-b')).toEqual([]);
    expect(await s().findChallengeBySecret('h2')).toMatchObject({ id: second, usedAt: T0 + 2, kind: 'sms', deviceHash: 'dev-a' });
    expect(await s().findChallengeBySecret('nope')).toBeNull();
  });

  it('an SMS send is counted unless a limit is reached: per number, per address, per day', async () => {
    const limits: SmsSendLimits = { windowStart: T0, perNumber: 2, perAddress: 3, dayStart: T0 - 1000, perDay: 4 };
    const send = (to: string, address: string) => s().reserveSmsSend({ to, address, at: T0 + 10 }, limits);
    expect(await send('+311', 'a')).toBe('ok');
    expect(await send('+311', 'a')).toBe('ok');
    expect(await send('+311', 'b')).toBe('number');
    expect(await send('+312', 'a')).toBe('ok');
    expect(await send('+313', 'a')).toBe('address');
    expect(await send('+313', 'b')).toBe('ok');
    expect(await send('+314', 'c')).toBe('cap');
    // A window that starts later forgets the earlier sends, the day's cap still counts them.
    expect(await s().reserveSmsSend({ to: '+311', address: 'a', at: T0 + 20 }, { ...limits, windowStart: T0 + 15 })).toBe('cap');
    expect(await s().reserveSmsSend({ to: '+311', address: 'a', at: T0 + 20 }, { ...limits, windowStart: T0 + 15, perDay: 5 })).toBe('ok');
  });

  it('keeps the SMS outbox newest first', async () => {
    for (const n of [1, 2, 3]) await s().addOutboxSms({ to: `+3160000000${n}`, body: `code ${n}`, at: T0 + n });
    expect((await s().listOutboxSms(2)).map(({ id: _id, ...m }) => m)).toEqual([
      { to: '+31600000003', body: 'code 3', at: T0 + 3 }, { to: '+31600000002', body: 'code 2', at: T0 + 2 },
    ]);
  });

  it('a holder change re-issues the order\'s code material in one change: link, verifications, challenges and certificates go', async () => {
    await setUp();
    await s().createStaff(makeStaff({ role: 'admin' }));
    await s().saveOrderLink({ tokenHash: 'link', eventId: EVENT, orderId: O1, createdAt: T0 });
    const c = await s().addChallenge(challenge());
    await s().passChallenge(c, T0);
    const open = await s().addChallenge(challenge({ kind: 'email', secretHash: 'mail' }));
    const cert = { eventId: EVENT, ticketId: ticketId('t1'), devicePublicKey: 'k', stepSeconds: 20, issuedAt: T0 };
    await s().addDeviceCertificate({ ...cert, id: 'c1' });
    await s().addDeviceCertificate({ ...cert, id: 'c3', ticketId: ticketId('t3') });
    const v0 = (await s().changesSince(EVENT, 0)).version;
    const change = { buyerName: 'Piet Bakker', email: 'piet@example.org', mobile: '+31611112222', holderNames: { t2: 'Kees Bakker' } };
    const reply = await s().changeHolder(EVENT, O1, change, T0 + 5, {
      eventId: EVENT, actor: INSPECTOR_A, action: 'order.holder', target: O1, before: null, after: change, reason: 'sold at the box office', at: T0 + 5,
    });
    expect(reply).toEqual({ tickets: ['t1', 't2'], revokedCertificates: ['c1'] });
    const delta = await s().changesSince(EVENT, v0);
    expect(delta.version).toBe(v0 + 1);
    expect(delta.orders).toEqual([makeOrder({ id: O1, buyerName: 'Piet Bakker', email: 'piet@example.org', mobile: '+31611112222' })]);
    expect(delta.tickets.map((t) => [t.id, t.holderName])).toEqual([['t1', makeTicket().holderName], ['t2', 'Kees Bakker']]);
    expect(delta.revokedCertificates).toEqual(['c1']);
    expect(await s().getDeviceCertificate(EVENT, 'c3')).toMatchObject({ revokedAt: null });
    expect(await s().findOrderLink('link')).toBeNull();
    expect(await s().listVerifications(EVENT, O1, 'dev-a')).toEqual([]);
    expect(await s().passChallenge(open, T0 + 6)).toBe(false);
    const [row] = (await s().listAudit(EVENT, { limit: 1, withStaff: false })).entries;
    expect(row).toMatchObject({ action: 'order.holder', target: O1, reason: 'sold at the box office' });
  });

  it('a holder change of an unknown order or a ticket of another order changes nothing', async () => {
    await setUp();
    const change = { buyerName: 'X', email: null, mobile: null };
    await expect(s().changeHolder(EVENT, orderId('nope'), change, T0)).rejects.toMatchObject({ code: 'not_found' });
    await expect(s().changeHolder(EVENT, O1, { ...change, holderNames: { t3: 'Y' } }, T0)).rejects.toMatchObject({ code: 'bad_request' });
    expect(await s().getOrder(EVENT, O1)).toMatchObject({ buyerName: makeOrder().buyerName });
  });
}
