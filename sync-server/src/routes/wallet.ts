// The holder's wallet and what the organiser sets around it: the event's code window (just-
// in-time access), sending the order mails, and the development mailer's outbox.
import { Hono } from 'hono';
import {
  zCodeWindowBody, zOrderMailsBody,
  type CodeWindowReply, type OrderMailsReply, type OutboxReply, type WalletReply,
} from '@gatekeeper/shared/api/wallet';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { requireRole } from '../auth/roles.ts';
import { codeWindow } from '../wallet/code-window.ts';
import { access } from './events.ts';
import { holderLink } from './holder-link.ts';
import { jsonBody, staffOf, type Env } from './context.ts';

const OUTBOX_LIMIT = 200;

export const walletRoutes = new Hono<Env>()
  // The order without code material: the codes are the wallet's own, signed on the phone
  // under the certificates it gets from POST /wallet/device (device-certificates.ts).
  .get('/wallet', async (c) => {
    const { storage, now } = c.var.deps;
    const link = await holderLink(c);
    const [event, order, tickets] = await Promise.all([
      storage.getEvent(link.eventId),
      storage.getOrder(link.eventId, link.orderId),
      storage.listOrderTickets(link.eventId, link.orderId),
    ]);
    if (!event || !order) throw new GkError('not_found', 'this order no longer exists');
    const window = await codeWindow(storage, event.id, now());
    const shown = tickets.filter((t) => t.status === 'paid');
    const inForce = new Map((await storage.listDeviceCertificatesInForce(event.id, shown.map((t) => t.id))).map((x) => [x.ticketId as string, x.id]));
    return c.json({
      event: { id: event.id, name: event.name, venue: event.venue, startsAt: event.startsAt, endsAt: event.endsAt, timeZone: event.timeZone },
      order: { id: order.id, buyerName: order.buyerName },
      opensAt: window.open ? null : window.opensAt,
      codesOpen: window.open,
      serverTime: now(),
      tickets: shown.map((t) => ({
        id: t.id, type: t.type, seat: t.seat, holderName: t.holderName ?? order.buyerName, certificateId: inForce.get(t.id) ?? null,
      })),
    } satisfies WalletReply);
  })
  .get('/events/:eventId/code-window', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    return c.json(await codeWindow(c.var.deps.storage, eventId, c.var.deps.now()) satisfies CodeWindowReply);
  })
  .put('/events/:eventId/code-window', async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const { leadMinutes } = await jsonBody(c, zCodeWindowBody);
    const { storage, now, log } = c.var.deps;
    const before = await storage.getCodeLead(eventId);
    await storage.setCodeLead(eventId, leadMinutes);
    await storage.recordAudit({ eventId, actor: staff.id, action: 'code_window.set', target: eventId, before: { leadMinutes: before }, after: { leadMinutes }, reason: null, at: now() });
    log.info('code window set', { event: eventId, by: staff.id, leadMinutes });
    return c.json(await codeWindow(storage, eventId, now()) satisfies CodeWindowReply);
  })
  .post('/events/:eventId/order-mails', async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const { again } = await jsonBody(c, zOrderMailsBody);
    const { storage, orderMails, now } = c.var.deps;
    const reply = await orderMails.send(eventId, again);
    await storage.recordAudit({ eventId, actor: staff.id, action: 'order_mails.send', target: eventId, before: null, after: { again, sent: reply.sent, failed: reply.failed.length }, reason: null, at: now() });
    return c.json(reply satisfies OrderMailsReply);
  })
  // Admins only: the mails hold the holders' links.
  .get('/mail/outbox', async (c) => {
    requireRole(await staffOf(c), 'admin');
    return c.json({ mails: await c.var.deps.storage.listOutboxMail(OUTBOX_LIMIT) } satisfies OutboxReply);
  });
