// What the holders' wallets need stored: each event's code window, each mailed order's link
// (the hash of its token) and the development mailer's outbox.
import type { OrderId } from '@gatekeeper/shared/ids';
import type { OrderLinkRecord, Storage } from '../types.ts';
import type { Db } from './db.ts';
import { linkFromRow, type LinkRow, mailFromRow, type MailRow } from '../rows.ts';

export type WalletMethods = Pick<Storage,
  'getCodeLead' | 'setCodeLead' | 'saveOrderLink' | 'findOrderLink' | 'linkedOrders' | 'addOutboxMail' | 'listOutboxMail'>;

export function walletMethods(db: Db): WalletMethods {
  const q = {
    getLead: db.prepare<[string], number>('SELECT lead_minutes FROM code_windows WHERE event_id = ?').pluck(),
    setLead: db.prepare<[string, number]>(
      'INSERT INTO code_windows (event_id, lead_minutes) VALUES (?, ?) ON CONFLICT (event_id) DO UPDATE SET lead_minutes = excluded.lead_minutes'),
    clearLead: db.prepare<[string]>('DELETE FROM code_windows WHERE event_id = ?'),
    dropLink: db.prepare<[string, string]>('DELETE FROM order_links WHERE event_id = ? AND order_id = ?'),
    addLink: db.prepare<LinkRow>('INSERT INTO order_links (token_hash, event_id, order_id, created_at) VALUES (@token_hash, @event_id, @order_id, @created_at)'),
    findLink: db.prepare<[string], LinkRow>('SELECT * FROM order_links WHERE token_hash = ?'),
    linked: db.prepare<[string], string>('SELECT order_id FROM order_links WHERE event_id = ?').pluck(),
    addMail: db.prepare<Omit<MailRow, 'id'>>('INSERT INTO mail_outbox (to_addr, subject, text, at) VALUES (@to_addr, @subject, @text, @at)'),
    listMail: db.prepare<[number], MailRow>('SELECT * FROM mail_outbox ORDER BY id DESC LIMIT ?'),
  };
  const replaceLink = db.transaction((link: OrderLinkRecord) => {
    q.dropLink.run(link.eventId, link.orderId);
    q.addLink.run({ token_hash: link.tokenHash, event_id: link.eventId, order_id: link.orderId, created_at: link.createdAt });
  });
  return {
    async getCodeLead(eventId) { return q.getLead.get(eventId) ?? null; },
    async setCodeLead(eventId, minutes) {
      if (minutes === null) q.clearLead.run(eventId);
      else q.setLead.run(eventId, minutes);
    },
    async saveOrderLink(link) { replaceLink.immediate(link); },
    async findOrderLink(tokenHash) {
      const r = q.findLink.get(tokenHash);
      return r ? linkFromRow(r) : null;
    },
    async linkedOrders(eventId) { return new Set(q.linked.all(eventId) as OrderId[]); },
    async addOutboxMail(mail) { q.addMail.run({ to_addr: mail.to, subject: mail.subject, text: mail.text, at: mail.at }); },
    async listOutboxMail(limit) {
      return q.listMail.all(limit).map(mailFromRow);
    },
  };
}
