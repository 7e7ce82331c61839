// Storage contract: what the holders' wallets keep. The code window of each event, one link
// per mailed order (mailing again replaces it), and the development mailer's outbox.
import { expect, it } from 'vitest';
import { eventId, orderId } from '@gatekeeper/shared/ids';
import type { Storage } from '@gatekeeper/sync-server/storage/types';
import { EVENT, T0, makeEvent } from '../support/factories.ts';

export function walletContract(s: () => Storage): void {
  it('keeps an event\'s code window, replaces it, and clears it to no limit', async () => {
    await s().createEvent(makeEvent());
    expect(await s().getCodeLead(EVENT)).toBeNull();
    await s().setCodeLead(EVENT, 90);
    await s().setCodeLead(EVENT, 0);
    expect(await s().getCodeLead(EVENT)).toBe(0);
    await s().setCodeLead(EVENT, null);
    expect(await s().getCodeLead(EVENT)).toBeNull();
  });

  it('keeps one link per order: mailing again replaces the order\'s link, and the old token finds nothing', async () => {
    await s().createEvent(makeEvent());
    await s().createEvent(makeEvent({ id: eventId('ev-2') }));
    const first = { tokenHash: 'hash-1', eventId: EVENT, orderId: orderId('o-1'), createdAt: T0 };
    await s().saveOrderLink(first);
    await s().saveOrderLink({ tokenHash: 'hash-other', eventId: EVENT, orderId: orderId('o-2'), createdAt: T0 });
    await s().saveOrderLink({ tokenHash: 'hash-ev2', eventId: eventId('ev-2'), orderId: orderId('o-1'), createdAt: T0 });
    expect(await s().findOrderLink('hash-1')).toEqual(first);
    await s().saveOrderLink({ ...first, tokenHash: 'hash-2', createdAt: T0 + 1000 });
    expect(await s().findOrderLink('hash-1')).toBeNull();
    expect(await s().findOrderLink('hash-2')).toEqual({ ...first, tokenHash: 'hash-2', createdAt: T0 + 1000 });
    expect(await s().linkedOrders(EVENT)).toEqual(new Set([orderId('o-1'), orderId('o-2')]));
    expect(await s().linkedOrders(eventId('ev-2'))).toEqual(new Set([orderId('o-1')]));
  });

  it('lists the outbox newest first, up to the limit', async () => {
    for (const n of [1, 2, 3]) await s().addOutboxMail({ to: `h${n}@example.org`, subject: `Tickets ${n}`, text: `link ${n}`, at: T0 + n });
    const mails = await s().listOutboxMail(2);
    expect(mails.map(({ id: _id, ...m }) => m)).toEqual([
      { to: 'h3@example.org', subject: 'Tickets 3', text: 'link 3', at: T0 + 3 },
      { to: 'h2@example.org', subject: 'Tickets 2', text: 'link 2', at: T0 + 2 },
    ]);
    expect(mails[0].id).toBeGreaterThan(mails[1].id);
  });
}
