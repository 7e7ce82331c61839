// Device certificates (rotating codes): which phone each ticket is bound to (sqlite/
// certificates.ts tells why each rule). A new certificate revokes the ticket's earlier ones
// in its transaction, and a revocation takes a change number from the counter tickets use.
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type pg from 'pg';
import type { Storage } from '../types.ts';
import { inTransaction, type Sql } from './db.ts';
import { nextChange, setChange } from './tickets.ts';
import { certificateFromRow, type CertificateRow } from '../rows.ts';

export type PgCertificateMethods = Pick<Storage, 'addDeviceCertificate' | 'revokeDeviceCertificates' | 'getDeviceCertificate' | 'listDeviceCertificatesInForce'>;

/**
 * Revokes the ticket's certificates in force under one new change number. The caller holds
 * the change counter's lock (nextChange), taken first as imports take it: two writers on
 * one ticket run one after the other, and read the other's certificate once it commits.
 */
async function revokeAll(tx: Sql, seq: number, eventId: EventId, ticketId: TicketId | null, at: number): Promise<string[]> {
  // ticketId null: the whole event's ($2 IS NULL matches every ticket).
  const ids = (await tx.all<{ id: string }>(
    'SELECT id FROM device_certificates WHERE event_id = $1 AND ($2::text IS NULL OR ticket_id = $2) AND revoked_seq IS NULL ORDER BY id', [eventId, ticketId])).map((r) => r.id);
  if (ids.length === 0) return ids;
  await tx.run('UPDATE device_certificates SET revoked_at = $1, revoked_seq = $2 WHERE event_id = $3 AND ($4::text IS NULL OR ticket_id = $4) AND revoked_seq IS NULL',
    [at, seq, eventId, ticketId]);
  await setChange(tx, seq);
  return ids;
}

export function pgCertificateMethods(pool: pg.Pool, sql: Sql): PgCertificateMethods {
  return {
    async addDeviceCertificate(c) {
      return inTransaction(pool, async (tx) => {
        const seq = await nextChange(tx);
        if (!(await tx.one('SELECT 1 FROM tickets WHERE event_id = $1 AND id = $2', [c.eventId, c.ticketId]))) {
          throw new GkError('not_found', `ticket ${c.ticketId} of event ${c.eventId} does not exist`);
        }
        const revoked = await revokeAll(tx, seq, c.eventId, c.ticketId, c.issuedAt);
        await tx.run(
          `INSERT INTO device_certificates (event_id, id, ticket_id, device_public_key, step_seconds, issued_at)
           VALUES ($1, $2, $3, $4, $5, $6)`, [c.eventId, c.id, c.ticketId, c.devicePublicKey, c.stepSeconds, c.issuedAt]);
        return revoked;
      });
    },
    async revokeDeviceCertificates(eventId, ticketId, at) {
      return inTransaction(pool, async (tx) => revokeAll(tx, await nextChange(tx), eventId, ticketId, at));
    },
    async getDeviceCertificate(eventId, id) {
      const r = await sql.one<CertificateRow>('SELECT * FROM device_certificates WHERE event_id = $1 AND id = $2', [eventId, id]);
      return r ? certificateFromRow(r) : null;
    },
    async listDeviceCertificatesInForce(eventId, ticketIds) {
      if (ticketIds.length === 0) return [];
      const rows = await sql.all<{ ticket_id: string; id: string }>(
        'SELECT ticket_id, id FROM device_certificates WHERE event_id = $1 AND ticket_id = ANY($2::text[]) AND revoked_seq IS NULL', [eventId, [...ticketIds]]);
      const byTicket = new Map(rows.map((r) => [r.ticket_id, r.id]));
      return ticketIds.flatMap((t) => (byTicket.has(t) ? [{ ticketId: t, id: byTicket.get(t)! }] : []));
    },
  };
}
