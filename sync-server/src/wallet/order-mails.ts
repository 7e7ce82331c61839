// Sends each order of an event its mail with the holder's link, and opens an order from
// such a link. The link carries a random token (256 bits) in its fragment, so it never
// reaches a server log or a Referer header; only the token's SHA-256 is stored, so a copy
// of the database opens no wallet.
import { createHash, randomBytes } from 'node:crypto';
import type { OrderMailsReply } from '@gatekeeper/shared/api/wallet';
import type { Order } from '@gatekeeper/shared/domain';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { orderMail } from '../mail/order-mail.ts';
import type { OrderLinkRecord, Storage } from '../storage/types.ts';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The wallet's address for one token: the token after `#`, read by the wallet only. */
export const walletLink = (base: string, token: string): string => `${base.replace(/\/+$/, '')}/wallet#${token}`;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface OrderMailsDeps { storage: Storage; mailer: Mailer; linkBase: () => string; now: () => number; log: Logger }

export class OrderMails {
  constructor(private readonly deps: OrderMailsDeps) {}

  /** Mail every order of the event with an address (`again`: those mailed before too, with a new link). */
  async send(eventId: EventId, again = false): Promise<OrderMailsReply> {
    const { storage, mailer, log } = this.deps;
    const event = await storage.getEvent(eventId);
    if (!event) throw new GkError('not_found', `no event ${eventId}`);
    const { orders } = await storage.changesSince(eventId, 0);
    const mailed = await storage.linkedOrders(eventId);
    const reply: OrderMailsReply = { sent: 0, alreadySent: 0, noAddress: 0, failed: [] };
    for (const order of orders) {
      if (!order.email) { reply.noAddress++; continue; }
      if (mailed.has(order.id) && !again) { reply.alreadySent++; continue; }
      try {
        await this.#mail(event, order as Order & { email: string });
        reply.sent++;
      } catch (e) {
        // One bad address must not stop the other orders' mails; the organiser sees which failed.
        reply.failed.push({ orderId: order.id, error: e instanceof Error ? e.message : String(e) });
      }
    }
    log.info('order mails sent', { event: eventId, via: mailer.kind, ...reply, failed: reply.failed.length });
    return reply;
  }

  /** Mail one order its link anew (the old one stops opening); false when it has no address. */
  async sendOrder(eventId: EventId, orderId: OrderId): Promise<boolean> {
    const [event, order] = await Promise.all([this.deps.storage.getEvent(eventId), this.deps.storage.getOrder(eventId, orderId)]);
    if (!event || !order) throw new GkError('not_found', `no order ${orderId} in event ${eventId}`);
    if (!order.email) return false;
    await this.#mail(event, order as Order & { email: string });
    return true;
  }

  async #mail(event: GkEvent, order: Order & { email: string }): Promise<void> {
    const { storage, mailer, linkBase, now } = this.deps;
    const token = randomBytes(32).toString('base64url');
    const tickets = await storage.listOrderTickets(event.id, order.id);
    // The link is stored before the mail goes: a mail whose link does not open would be worse than none.
    await storage.saveOrderLink({ tokenHash: hashToken(token), eventId: event.id, orderId: order.id, createdAt: now() });
    await mailer.send(orderMail({ event, order, tickets, link: walletLink(linkBase(), token) }));
  }

  /** The order a wallet token opens, or null (a malformed token is not looked up). */
  async open(token: string): Promise<OrderLinkRecord | null> {
    if (!TOKEN.test(token)) return null;
    return this.deps.storage.findOrderLink(hashToken(token));
  }
}

