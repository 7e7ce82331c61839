// What the holders' wallets need stored: each event's code window, each mailed order's link
// (the hash of its token) and the development mailer's outbox (sqlite/wallet.ts).
import type { OrderId } from '@gatekeeper/shared/ids';
import type { Storage } from '../types.ts';
import type { Sql } from './db.ts';
import { linkFromRow, type LinkRow, mailFromRow, type MailRow } from '../rows.ts';

export type PgWalletMethods = Pick<Storage,
  'getCodeLead' | 'setCodeLead' | 'saveOrderLink' | 'findOrderLink' | 'linkedOrders' | 'addOutboxMail' | 'listOutboxMail'>;

export function pgWalletMethods(sql: Sql): PgWalletMethods {
  return {
    async getCodeLead(eventId) {
      return (await sql.one<{ lead_minutes: number }>('SELECT lead_minutes FROM code_windows WHERE event_id = $1', [eventId]))?.lead_minutes ?? null;
    },
    async setCodeLead(eventId, minutes) {
      if (minutes === null) await sql.run('DELETE FROM code_windows WHERE event_id = $1', [eventId]);
      else {
        await sql.run(`INSERT INTO code_windows (event_id, lead_minutes) VALUES ($1, $2)
          ON CONFLICT (event_id) DO UPDATE SET lead_minutes = excluded.lead_minutes`, [eventId, minutes]);
      }
    },
    async saveOrderLink(link) {
      // One statement replaces the order's earlier link: two instances mailing one order at
      // once meet at the (event, order) key, and the later link stands.
      await sql.run(`INSERT INTO order_links (token_hash, event_id, order_id, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (event_id, order_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
      [link.tokenHash, link.eventId, link.orderId, link.createdAt]);
    },
    async findOrderLink(tokenHash) {
      const r = await sql.one<LinkRow>('SELECT * FROM order_links WHERE token_hash = $1', [tokenHash]);
      return r ? linkFromRow(r) : null;
    },
    async linkedOrders(eventId) {
      return new Set((await sql.all<{ order_id: OrderId }>('SELECT order_id FROM order_links WHERE event_id = $1', [eventId])).map((r) => r.order_id));
    },
    async addOutboxMail(mail) {
      await sql.run('INSERT INTO mail_outbox (to_addr, subject, text, at) VALUES ($1, $2, $3, $4)', [mail.to, mail.subject, mail.text, mail.at]);
    },
    async listOutboxMail(limit) {
      return (await sql.all<MailRow>('SELECT * FROM mail_outbox ORDER BY id DESC LIMIT $1', [limit]))
        .map(mailFromRow);
    },
  };
}
