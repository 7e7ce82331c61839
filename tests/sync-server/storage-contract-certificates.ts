// Storage contract: device certificates (rotating codes). A ticket is bound to one phone at
// a time, and revocations are numbered like ticket changes so manifest deltas carry them.
import { expect, it } from 'vitest';
import { ticketId } from '@gatekeeper/shared/ids';
import type { DeviceCertificateRecord, Storage } from '@gatekeeper/sync-server/storage/types';
import { EVENT, T0, makeEvent, makeTicket } from '../support/factories.ts';

const cert = (id: string, over: Partial<DeviceCertificateRecord> = {}): Omit<DeviceCertificateRecord, 'revokedAt'> => ({
  eventId: EVENT, id, ticketId: ticketId('t1'), devicePublicKey: `key-${id}`, stepSeconds: 20, issuedAt: T0, ...over,
});

export function certificateContract(s: () => Storage): void {
  const setUp = async () => {
    await s().createEvent(makeEvent());
    await s().importTickets(EVENT, [], [makeTicket({ id: ticketId('t1'), orderId: null }), makeTicket({ id: ticketId('t2'), orderId: null })]);
    return (await s().changesSince(EVENT, 0)).version;
  };

  it('stores a certificate and reads it back in force; an unknown id is null', async () => {
    await setUp();
    expect(await s().addDeviceCertificate(cert('c1'))).toEqual([]);
    expect(await s().getDeviceCertificate(EVENT, 'c1')).toEqual({ ...cert('c1'), revokedAt: null });
    expect(await s().getDeviceCertificate(EVENT, 'nope')).toBeNull();
  });

  it('a new certificate of a ticket revokes the earlier one under a new change number, which a delta after it carries', async () => {
    const v0 = await setUp();
    await s().addDeviceCertificate(cert('c1'));
    await s().addDeviceCertificate(cert('other', { ticketId: ticketId('t2') }));
    expect((await s().changesSince(EVENT, v0)).version).toBe(v0);
    expect(await s().addDeviceCertificate(cert('c2', { issuedAt: T0 + 1000 }))).toEqual(['c1']);
    expect(await s().getDeviceCertificate(EVENT, 'c1')).toMatchObject({ revokedAt: T0 + 1000 });
    expect(await s().getDeviceCertificate(EVENT, 'other')).toMatchObject({ revokedAt: null });
    const delta = await s().changesSince(EVENT, v0);
    expect(delta).toMatchObject({ version: v0 + 1, tickets: [], revokedCertificates: ['c1'] });
    expect((await s().changesSince(EVENT, delta.version)).revokedCertificates).toEqual([]);
  });

  it('revoking a ticket\'s certificates revokes those in force only, and nothing twice', async () => {
    await setUp();
    await s().addDeviceCertificate(cert('c1'));
    expect(await s().revokeDeviceCertificates(EVENT, ticketId('t1'), T0 + 5)).toEqual(['c1']);
    const v = (await s().changesSince(EVENT, 0)).version;
    expect(await s().revokeDeviceCertificates(EVENT, ticketId('t1'), T0 + 6)).toEqual([]);
    expect((await s().changesSince(EVENT, 0)).version).toBe(v);
  });

  it('revoking with no ticket revokes every certificate of the event in force, under one change number (a verification step switched on)', async () => {
    const v0 = await setUp();
    await s().addDeviceCertificate(cert('c1'));
    await s().addDeviceCertificate(cert('c2', { ticketId: ticketId('t2') }));
    expect((await s().revokeDeviceCertificates(EVENT, null, T0 + 5)).sort()).toEqual(['c1', 'c2']);
    const delta = await s().changesSince(EVENT, v0);
    expect(delta.version).toBe(v0 + 1);
    expect([...delta.revokedCertificates].sort()).toEqual(['c1', 'c2']);
    expect(await s().revokeDeviceCertificates(EVENT, null, T0 + 6)).toEqual([]);
    expect((await s().changesSince(EVENT, 0)).version).toBe(v0 + 1);
  });

  it('lists the certificates in force of the tickets asked for (what a wallet compares its own with)', async () => {
    await setUp();
    expect(await s().listDeviceCertificatesInForce(EVENT, [ticketId('t1'), ticketId('t2')])).toEqual([]);
    await s().addDeviceCertificate(cert('c1'));
    await s().addDeviceCertificate(cert('c2'));
    await s().addDeviceCertificate(cert('c3', { ticketId: ticketId('t2') }));
    expect(await s().listDeviceCertificatesInForce(EVENT, [ticketId('t1')])).toEqual([{ ticketId: 't1', id: 'c2' }]);
    await s().revokeDeviceCertificates(EVENT, ticketId('t2'), T0 + 5);
    expect(await s().listDeviceCertificatesInForce(EVENT, [ticketId('t1'), ticketId('t2')])).toEqual([{ ticketId: 't1', id: 'c2' }]);
    expect(await s().listDeviceCertificatesInForce(EVENT, [])).toEqual([]);
  });

  it('refuses a certificate of a ticket that does not exist', async () => {
    await setUp();
    await expect(s().addDeviceCertificate(cert('c9', { ticketId: ticketId('t-none') }))).rejects.toMatchObject({ code: 'not_found' });
  });
}
