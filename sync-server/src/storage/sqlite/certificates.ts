// Device certificates (rotating codes, shared/src/codec/certificate.ts): which phone each
// ticket is bound to. A ticket is shown by one phone at a time, so a new certificate
// revokes the ticket's earlier ones in the same transaction. A revocation takes a change
// number from the counter tickets use, so the manifest's delta after a change number
// carries every revocation after it (tickets.ts changesSince).
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { DeviceCertificateRecord, Storage } from '../types.ts';
import type { Db } from './db.ts';
import { certificateFromRow, type CertificateRow } from '../rows.ts';

export type CertificateMethods = Pick<Storage, 'addDeviceCertificate' | 'revokeDeviceCertificates' | 'getDeviceCertificate' | 'listDeviceCertificatesInForce'>;

export function certificateMethods(db: Db): CertificateMethods {
  const q = {
    ticketExists: db.prepare<[string, string], { one: 1 }>('SELECT 1 AS one FROM tickets WHERE event_id = ? AND id = ?'),
    changeCounter: db.prepare<[], { value: number }>(`SELECT value FROM counters WHERE name = 'change'`),
    setChangeCounter: db.prepare<[number]>(`UPDATE counters SET value = ? WHERE name = 'change'`),
    inForce: db.prepare<[string, string], string>(
      'SELECT id FROM device_certificates WHERE event_id = ? AND ticket_id = ? AND revoked_seq IS NULL ORDER BY id').pluck(),
    revoke: db.prepare<[number, number, string, string]>(
      'UPDATE device_certificates SET revoked_at = ?, revoked_seq = ? WHERE event_id = ? AND ticket_id = ? AND revoked_seq IS NULL'),
    eventInForce: db.prepare<[string], string>('SELECT id FROM device_certificates WHERE event_id = ? AND revoked_seq IS NULL ORDER BY id').pluck(),
    revokeEvent: db.prepare<[number, number, string]>(
      'UPDATE device_certificates SET revoked_at = ?, revoked_seq = ? WHERE event_id = ? AND revoked_seq IS NULL'),
    ticketInForce: db.prepare<[string, string], { ticket_id: string; id: string }>(
      'SELECT ticket_id, id FROM device_certificates WHERE event_id = ? AND ticket_id = ? AND revoked_seq IS NULL'),
    insert: db.prepare<Omit<CertificateRow, 'revoked_at' | 'revoked_seq'>>(
      `INSERT INTO device_certificates (event_id, id, ticket_id, device_public_key, step_seconds, issued_at)
       VALUES (@event_id, @id, @ticket_id, @device_public_key, @step_seconds, @issued_at)`),
    get: db.prepare<[string, string], CertificateRow>('SELECT * FROM device_certificates WHERE event_id = ? AND id = ?'),
  };

  const revokeAll = (eventId: EventId, ticketId: TicketId | null, at: number): string[] => {
    const ids = ticketId === null ? q.eventInForce.all(eventId) : q.inForce.all(eventId, ticketId);
    if (ids.length === 0) return ids;
    const seq = (q.changeCounter.get()?.value ?? 0) + 1;
    if (ticketId === null) q.revokeEvent.run(at, seq, eventId);
    else q.revoke.run(at, seq, eventId, ticketId);
    q.setChangeCounter.run(seq);
    return ids;
  };

  const addTx = db.transaction((c: Omit<DeviceCertificateRecord, 'revokedAt'>): string[] => {
    if (!q.ticketExists.get(c.eventId, c.ticketId)) throw new GkError('not_found', `ticket ${c.ticketId} of event ${c.eventId} does not exist`);
    const revoked = revokeAll(c.eventId, c.ticketId, c.issuedAt);
    q.insert.run({
      event_id: c.eventId, id: c.id, ticket_id: c.ticketId, device_public_key: c.devicePublicKey, step_seconds: c.stepSeconds, issued_at: c.issuedAt,
    });
    return revoked;
  });
  const revokeTx = db.transaction(revokeAll);

  return {
    // Immediate: the change counter is read and written under the write lock (tickets.ts).
    async addDeviceCertificate(cert) { return addTx.immediate(cert); },
    async revokeDeviceCertificates(eventId, ticketId, at) { return revokeTx.immediate(eventId, ticketId, at); },
    async getDeviceCertificate(eventId, id) {
      const r = q.get.get(eventId, id);
      return r ? certificateFromRow(r) : null;
    },
    // One index lookup a ticket (device_certificates_ticket): an order holds a few.
    async listDeviceCertificatesInForce(eventId, ticketIds) {
      return ticketIds.flatMap((t) => q.ticketInForce.all(eventId, t).map((r) => ({ ticketId: r.ticket_id as TicketId, id: r.id })));
    },
  };
}
