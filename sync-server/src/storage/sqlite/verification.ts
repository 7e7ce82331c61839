// What the holders' verification keeps (migration 15): each event's measures, the codes and
// links sent to wallets (hashed), the steps each device has done, what the SMS limits count
// and the development SMS outbox; and the box office's change of an order's holder, which
// re-issues the order's code material in the same transaction.
import { NO_MEASURES, type Measures, type VerificationStep } from '@gatekeeper/shared/api/verification';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { ChallengeRecord, HolderChange, SmsSend, SmsSendLimits, SmsSendVerdict, Storage } from '../types.ts';
import { audited } from './audit.ts';
import type { Db } from './db.ts';
import { orderFromRow, type OrderRow } from '../rows.ts';

export type VerificationMethods = Pick<Storage,
  'getOrder' | 'getMeasures' | 'setMeasures' | 'addChallenge' | 'latestChallenge' | 'findChallengeBySecret' | 'failChallenge'
  | 'passChallenge' | 'listVerifications' | 'reserveSmsSend' | 'addOutboxSms' | 'listOutboxSms' | 'changeHolder'>;

export interface ChallengeRow {
  id: number; event_id: string; order_id: string; device_hash: string; kind: string; secret_hash: string;
  created_at: number; expires_at: number; tries: number; used_at: number | null;
}
export const challengeFromRow = (r: ChallengeRow): ChallengeRecord => ({
  id: Number(r.id), eventId: r.event_id as EventId, orderId: r.order_id as OrderId, deviceHash: r.device_hash, kind: r.kind as VerificationStep,
  secretHash: r.secret_hash, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at), tries: Number(r.tries),
  usedAt: r.used_at === null ? null : Number(r.used_at),
});
export interface MeasuresRow { sms: number | boolean; email: number | boolean; verified_device: number | boolean; change_block: number | boolean }
export const measuresFromRow = (r: MeasuresRow | undefined | null): Measures => (r
  ? { sms: Boolean(r.sms), email: Boolean(r.email), verifiedDevice: Boolean(r.verified_device), changeBlock: Boolean(r.change_block) }
  : { ...NO_MEASURES });
export interface OutboxSmsRow { id: number; to_number: string; body: string; at: number }
export const smsFromRow = (r: OutboxSmsRow) => ({ id: Number(r.id), to: r.to_number, body: r.body, at: Number(r.at) });

/** Which limit a send would pass, given what was counted; null: none. */
export function smsLimitPassed(counts: { number: number; address: number; day: number }, limits: SmsSendLimits): SmsSendVerdict {
  if (counts.day >= limits.perDay) return 'cap';
  if (counts.number >= limits.perNumber) return 'number';
  if (counts.address >= limits.perAddress) return 'address';
  return 'ok';
}

export function verificationMethods(db: Db): VerificationMethods {
  const q = {
    order: db.prepare<[string, string], OrderRow>('SELECT * FROM orders WHERE event_id = ? AND id = ?'),
    measures: db.prepare<[string], MeasuresRow>('SELECT * FROM event_measures WHERE event_id = ?'),
    setMeasures: db.prepare<{ event_id: string; sms: number; email: number; verified_device: number; change_block: number }>(
      `INSERT INTO event_measures (event_id, sms, email, verified_device, change_block) VALUES (@event_id, @sms, @email, @verified_device, @change_block)
       ON CONFLICT (event_id) DO UPDATE SET sms = excluded.sms, email = excluded.email, verified_device = excluded.verified_device, change_block = excluded.change_block`),
    retire: db.prepare<[number, string, string, string, string]>(
      'UPDATE wallet_challenges SET used_at = ? WHERE event_id = ? AND order_id = ? AND device_hash = ? AND kind = ? AND used_at IS NULL'),
    addChallenge: db.prepare<Omit<ChallengeRow, 'id' | 'tries' | 'used_at'>>(
      `INSERT INTO wallet_challenges (event_id, order_id, device_hash, kind, secret_hash, created_at, expires_at)
       VALUES (@event_id, @order_id, @device_hash, @kind, @secret_hash, @created_at, @expires_at)`),
    latest: db.prepare<[string, string, string, string], ChallengeRow>(
      'SELECT * FROM wallet_challenges WHERE event_id = ? AND order_id = ? AND device_hash = ? AND kind = ? ORDER BY id DESC LIMIT 1'),
    bySecret: db.prepare<[string], ChallengeRow>('SELECT * FROM wallet_challenges WHERE secret_hash = ? ORDER BY id DESC LIMIT 1'),
    fail: db.prepare<[number], number>('UPDATE wallet_challenges SET tries = tries + 1 WHERE id = ? RETURNING tries').pluck(),
    use: db.prepare<[number, number]>('UPDATE wallet_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL'),
    challenge: db.prepare<[number], ChallengeRow>('SELECT * FROM wallet_challenges WHERE id = ?'),
    verify: db.prepare<[string, string, string, string, number]>(
      `INSERT INTO wallet_verifications (event_id, order_id, device_hash, kind, verified_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`),
    verifications: db.prepare<[string, string, string], string>(
      'SELECT kind FROM wallet_verifications WHERE event_id = ? AND order_id = ? AND device_hash = ? ORDER BY kind').pluck(),
    sendsToNumber: db.prepare<[string, number], number>('SELECT count(*) FROM sms_sends WHERE to_number = ? AND at >= ?').pluck(),
    sendsFromAddress: db.prepare<[string, number], number>('SELECT count(*) FROM sms_sends WHERE address = ? AND at >= ?').pluck(),
    sendsSince: db.prepare<[number], number>('SELECT count(*) FROM sms_sends WHERE at >= ?').pluck(),
    addSend: db.prepare<[string, string, number]>('INSERT INTO sms_sends (to_number, address, at) VALUES (?, ?, ?)'),
    addSms: db.prepare<[string, string, number]>('INSERT INTO sms_outbox (to_number, body, at) VALUES (?, ?, ?)'),
    listSms: db.prepare<[number], OutboxSmsRow>('SELECT * FROM sms_outbox ORDER BY id DESC LIMIT ?'),
    changeCounter: db.prepare<[], number>(`SELECT value FROM counters WHERE name = 'change'`).pluck(),
    setChangeCounter: db.prepare<[number]>(`UPDATE counters SET value = ? WHERE name = 'change'`),
    setOrder: db.prepare<[string | null, string | null, string | null, number, string, string]>(
      'UPDATE orders SET buyer_name = ?, email = ?, mobile = ?, change_seq = ? WHERE event_id = ? AND id = ?'),
    orderTickets: db.prepare<[string, string], string>('SELECT id FROM tickets WHERE event_id = ? AND order_id = ? ORDER BY id').pluck(),
    touchTickets: db.prepare<[number, string, string]>('UPDATE tickets SET change_seq = ? WHERE event_id = ? AND order_id = ?'),
    setHolder: db.prepare<[string | null, string, string]>('UPDATE tickets SET holder_name = ? WHERE event_id = ? AND id = ?'),
    inForce: db.prepare<[string, string], string>(
      `SELECT c.id FROM device_certificates c JOIN tickets t ON t.event_id = c.event_id AND t.id = c.ticket_id
       WHERE c.event_id = ? AND t.order_id = ? AND c.revoked_seq IS NULL ORDER BY c.id`).pluck(),
    revoke: db.prepare<[number, number, string, string]>(
      `UPDATE device_certificates SET revoked_at = ?, revoked_seq = ? WHERE event_id = ? AND revoked_seq IS NULL
       AND ticket_id IN (SELECT id FROM tickets WHERE event_id = device_certificates.event_id AND order_id = ?)`),
    dropLink: db.prepare<[string, string]>('DELETE FROM order_links WHERE event_id = ? AND order_id = ?'),
    dropVerifications: db.prepare<[string, string]>('DELETE FROM wallet_verifications WHERE event_id = ? AND order_id = ?'),
    retireAll: db.prepare<[number, string, string]>('UPDATE wallet_challenges SET used_at = ? WHERE event_id = ? AND order_id = ? AND used_at IS NULL'),
  };
  const withAudit = audited(db);

  const addTx = db.transaction((c: Omit<ChallengeRecord, 'id' | 'tries' | 'usedAt'>): number => {
    q.retire.run(c.createdAt, c.eventId, c.orderId, c.deviceHash, c.kind);
    return Number(q.addChallenge.run({
      event_id: c.eventId, order_id: c.orderId, device_hash: c.deviceHash, kind: c.kind, secret_hash: c.secretHash,
      created_at: c.createdAt, expires_at: c.expiresAt,
    }).lastInsertRowid);
  });
  const passTx = db.transaction((id: number, at: number): boolean => {
    if (q.use.run(at, id).changes === 0) return false;
    const c = q.challenge.get(id)!;
    q.verify.run(c.event_id, c.order_id, c.device_hash, c.kind, at);
    return true;
  });
  const reserveTx = db.transaction((send: SmsSend, limits: SmsSendLimits): SmsSendVerdict => {
    const verdict = smsLimitPassed({
      number: q.sendsToNumber.get(send.to, limits.windowStart) ?? 0,
      address: q.sendsFromAddress.get(send.address, limits.windowStart) ?? 0,
      day: q.sendsSince.get(limits.dayStart) ?? 0,
    }, limits);
    if (verdict === 'ok') q.addSend.run(send.to, send.address, send.at);
    return verdict;
  });
  const changeTx = (eventId: EventId, orderId: OrderId, change: HolderChange, at: number) => {
    if (!q.order.get(eventId, orderId)) throw new GkError('not_found', `no order ${orderId} in event ${eventId}`);
    const tickets = q.orderTickets.all(eventId, orderId) as TicketId[];
    for (const id of Object.keys(change.holderNames ?? {})) {
      if (!tickets.includes(id as TicketId)) throw new GkError('bad_request', `ticket ${id} is not of order ${orderId}`);
    }
    const seq = (q.changeCounter.get() ?? 0) + 1;
    q.setChangeCounter.run(seq);
    q.setOrder.run(change.buyerName, change.email, change.mobile, seq, eventId, orderId);
    for (const [id, name] of Object.entries(change.holderNames ?? {})) q.setHolder.run(name, eventId, id);
    q.touchTickets.run(seq, eventId, orderId);
    const revokedCertificates = q.inForce.all(eventId, orderId);
    if (revokedCertificates.length > 0) q.revoke.run(at, seq, eventId, orderId);
    q.dropLink.run(eventId, orderId);
    q.dropVerifications.run(eventId, orderId);
    q.retireAll.run(at, eventId, orderId);
    return { tickets, revokedCertificates };
  };

  return {
    async getOrder(eventId, orderId) {
      const r = q.order.get(eventId, orderId);
      return r ? orderFromRow(r) : null;
    },
    async getMeasures(eventId) { return measuresFromRow(q.measures.get(eventId)); },
    async setMeasures(eventId, m, audit) {
      withAudit(() => q.setMeasures.run({
        event_id: eventId, sms: Number(m.sms), email: Number(m.email), verified_device: Number(m.verifiedDevice), change_block: Number(m.changeBlock),
      }), audit);
    },
    async addChallenge(c) { return addTx.immediate(c); },
    async latestChallenge(eventId, orderId, deviceHash, kind) {
      const r = q.latest.get(eventId, orderId, deviceHash, kind);
      return r ? challengeFromRow(r) : null;
    },
    async findChallengeBySecret(secretHash) {
      const r = q.bySecret.get(secretHash);
      return r ? challengeFromRow(r) : null;
    },
    async failChallenge(id) { return q.fail.get(id) ?? 0; },
    async passChallenge(id, at) { return passTx.immediate(id, at); },
    async listVerifications(eventId, orderId, deviceHash) { return q.verifications.all(eventId, orderId, deviceHash) as VerificationStep[]; },
    async reserveSmsSend(send, limits) { return reserveTx.immediate(send, limits); },
    async addOutboxSms(sms) { q.addSms.run(sms.to, sms.body, sms.at); },
    async listOutboxSms(limit) { return q.listSms.all(limit).map(smsFromRow); },
    async changeHolder(eventId, orderId, change, at, audit) { return withAudit(() => changeTx(eventId, orderId, change, at), audit); },
  };
}
