// What the holders' verification keeps (sqlite/verification.ts tells why each rule). The
// change of an order's holder takes the change counter's lock first, as imports and
// certificates do, so its change number is never shared with another writer's.
import type { VerificationStep } from '@gatekeeper/shared/api/verification';
import type { TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type pg from 'pg';
import type { Storage } from '../types.ts';
import { challengeFromRow, type ChallengeRow, measuresFromRow, type MeasuresRow, smsFromRow, smsLimitPassed, type OutboxSmsRow } from '../sqlite/verification.ts';
import type { Audited } from './audit.ts';
import { inTransaction, type Sql } from './db.ts';
import { orderFromRow, type OrderRow } from '../rows.ts';
import { nextChange, setChange } from './tickets.ts';

export type PgVerificationMethods = Pick<Storage,
  'getOrder' | 'getMeasures' | 'setMeasures' | 'addChallenge' | 'latestChallenge' | 'findChallengeBySecret' | 'failChallenge'
  | 'passChallenge' | 'listVerifications' | 'reserveSmsSend' | 'addOutboxSms' | 'listOutboxSms' | 'changeHolder'>;

/** Any constant: the advisory lock SMS sends take, so two instances cannot both pass a limit's last place. */
const SMS_SEND_LOCK = 7_146_415;

export function pgVerificationMethods(pool: pg.Pool, sql: Sql, withAudit: Audited): PgVerificationMethods {
  return {
    async getOrder(eventId, orderId) {
      const r = await sql.one<OrderRow>('SELECT * FROM orders WHERE event_id = $1 AND id = $2', [eventId, orderId]);
      return r ? orderFromRow(r) : null;
    },
    async getMeasures(eventId) {
      return measuresFromRow(await sql.one<MeasuresRow>('SELECT * FROM event_measures WHERE event_id = $1', [eventId]));
    },
    async setMeasures(eventId, m, audit) {
      await withAudit((tx) => tx.run(
        `INSERT INTO event_measures (event_id, sms, email, verified_device, change_block) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (event_id) DO UPDATE SET sms = excluded.sms, email = excluded.email, verified_device = excluded.verified_device, change_block = excluded.change_block`,
        [eventId, m.sms, m.email, m.verifiedDevice, m.changeBlock]), audit);
    },
    async addChallenge(c) {
      return inTransaction(pool, async (tx) => {
        await tx.run('UPDATE wallet_challenges SET used_at = $1 WHERE event_id = $2 AND order_id = $3 AND device_hash = $4 AND kind = $5 AND used_at IS NULL',
          [c.createdAt, c.eventId, c.orderId, c.deviceHash, c.kind]);
        return Number((await tx.one<{ id: number }>(
          `INSERT INTO wallet_challenges (event_id, order_id, device_hash, kind, secret_hash, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [c.eventId, c.orderId, c.deviceHash, c.kind, c.secretHash, c.createdAt, c.expiresAt]))!.id);
      });
    },
    async latestChallenge(eventId, orderId, deviceHash, kind) {
      const r = await sql.one<ChallengeRow>(
        'SELECT * FROM wallet_challenges WHERE event_id = $1 AND order_id = $2 AND device_hash = $3 AND kind = $4 ORDER BY id DESC LIMIT 1',
        [eventId, orderId, deviceHash, kind]);
      return r ? challengeFromRow(r) : null;
    },
    async findChallengeBySecret(secretHash) {
      const r = await sql.one<ChallengeRow>('SELECT * FROM wallet_challenges WHERE secret_hash = $1 ORDER BY id DESC LIMIT 1', [secretHash]);
      return r ? challengeFromRow(r) : null;
    },
    async failChallenge(id) {
      return Number((await sql.one<{ tries: number }>('UPDATE wallet_challenges SET tries = tries + 1 WHERE id = $1 RETURNING tries', [id]))?.tries ?? 0);
    },
    async passChallenge(id, at) {
      return inTransaction(pool, async (tx) => {
        const c = await tx.one<ChallengeRow>('UPDATE wallet_challenges SET used_at = $1 WHERE id = $2 AND used_at IS NULL RETURNING *', [at, id]);
        if (!c) return false;
        await tx.run(`INSERT INTO wallet_verifications (event_id, order_id, device_hash, kind, verified_at) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT DO NOTHING`, [c.event_id, c.order_id, c.device_hash, c.kind, at]);
        return true;
      });
    },
    async listVerifications(eventId, orderId, deviceHash) {
      return (await sql.all<{ kind: VerificationStep }>(
        'SELECT kind FROM wallet_verifications WHERE event_id = $1 AND order_id = $2 AND device_hash = $3 ORDER BY kind', [eventId, orderId, deviceHash]))
        .map((r) => r.kind);
    },
    async reserveSmsSend(send, limits) {
      return inTransaction(pool, async (tx) => {
        await tx.run('SELECT pg_advisory_xact_lock($1)', [SMS_SEND_LOCK]);
        const count = async (where: string, args: unknown[]) => Number((await tx.one<{ n: number }>(`SELECT count(*)::int AS n FROM sms_sends WHERE ${where}`, args))!.n);
        const verdict = smsLimitPassed({
          number: await count('to_number = $1 AND at >= $2', [send.to, limits.windowStart]),
          address: await count('address = $1 AND at >= $2', [send.address, limits.windowStart]),
          day: await count('at >= $1', [limits.dayStart]),
        }, limits);
        if (verdict === 'ok') await tx.run('INSERT INTO sms_sends (to_number, address, at) VALUES ($1, $2, $3)', [send.to, send.address, send.at]);
        return verdict;
      });
    },
    async addOutboxSms(sms) {
      await sql.run('INSERT INTO sms_outbox (to_number, body, at) VALUES ($1, $2, $3)', [sms.to, sms.body, sms.at]);
    },
    async listOutboxSms(limit) {
      return (await sql.all<OutboxSmsRow>('SELECT * FROM sms_outbox ORDER BY id DESC LIMIT $1', [limit])).map(smsFromRow);
    },
    async changeHolder(eventId, orderId, change, at, audit) {
      return withAudit(async (tx) => {
        const seq = await nextChange(tx);
        if (!(await tx.one('SELECT 1 FROM orders WHERE event_id = $1 AND id = $2', [eventId, orderId]))) {
          throw new GkError('not_found', `no order ${orderId} in event ${eventId}`);
        }
        const tickets = (await tx.all<{ id: TicketId }>('SELECT id FROM tickets WHERE event_id = $1 AND order_id = $2 ORDER BY id', [eventId, orderId])).map((r) => r.id);
        for (const id of Object.keys(change.holderNames ?? {})) {
          if (!tickets.includes(id as TicketId)) throw new GkError('bad_request', `ticket ${id} is not of order ${orderId}`);
        }
        await setChange(tx, seq);
        await tx.run('UPDATE orders SET buyer_name = $1, email = $2, mobile = $3, change_seq = $4 WHERE event_id = $5 AND id = $6',
          [change.buyerName, change.email, change.mobile, seq, eventId, orderId]);
        for (const [id, name] of Object.entries(change.holderNames ?? {})) {
          await tx.run('UPDATE tickets SET holder_name = $1 WHERE event_id = $2 AND id = $3', [name, eventId, id]);
        }
        await tx.run('UPDATE tickets SET change_seq = $1 WHERE event_id = $2 AND order_id = $3', [seq, eventId, orderId]);
        const revokedCertificates = (await tx.all<{ id: string }>(
          `UPDATE device_certificates SET revoked_at = $1, revoked_seq = $2 WHERE event_id = $3 AND revoked_seq IS NULL
           AND ticket_id IN (SELECT id FROM tickets WHERE event_id = $3 AND order_id = $4) RETURNING id`, [at, seq, eventId, orderId]))
          .map((r) => r.id).sort();
        await tx.run('DELETE FROM order_links WHERE event_id = $1 AND order_id = $2', [eventId, orderId]);
        await tx.run('DELETE FROM wallet_verifications WHERE event_id = $1 AND order_id = $2', [eventId, orderId]);
        await tx.run('UPDATE wallet_challenges SET used_at = $1 WHERE event_id = $2 AND order_id = $3 AND used_at IS NULL', [at, eventId, orderId]);
        return { tickets, revokedCertificates };
      }, audit);
    },
  };
}
