// The holder's side of the API (sync-server/src/routes/wallet.ts): the wallet's view of one
// order, opened with the token from the order mail, and the organiser's settings around it:
// when an event's codes may leave the server, and sending the order mails.
import { z } from 'zod';
import { zId, type EventId, type OrderId, type TicketId } from '../ids.ts';

/**
 * Minutes before the event's start from which code material (a ticket's signed code, an
 * imported barcode) may leave the server, on any route. null: whenever asked (the event
 * has no just-in-time access). A week at most: beyond that the measure means nothing.
 */
export const MAX_CODE_LEAD_MINUTES = 7 * 24 * 60;
export const zCodeLead = z.number().int().min(0).max(MAX_CODE_LEAD_MINUTES).nullable();

/** PUT /api/events/:eventId/code-window. */
export const zCodeWindowBody = z.object({ leadMinutes: zCodeLead });
export type CodeWindowBody = z.infer<typeof zCodeWindowBody>;

/**
 * GET and PUT /api/events/:eventId/code-window. opensAt: when codes may leave (null: no
 * limit, or, with a lead, never, because the event has no start time to count back from).
 */
export const zCodeWindowReply = z.object({ leadMinutes: zCodeLead, opensAt: z.number().int().nullable(), open: z.boolean() });
export type CodeWindowReply = z.infer<typeof zCodeWindowReply>;

/**
 * One ticket as its holder sees it. No code: the wallet shows rotating codes it signs
 * itself under a device certificate (api/certificates.ts), once it may bind.
 */
export const zWalletTicket = z.object({
  id: zId<TicketId>(),
  type: z.string(),
  seat: z.string().nullable(),
  holderName: z.string().nullable(),
  /**
   * The id of the ticket's device certificate in force (api/certificates.ts), null: bound
   * to no phone. A wallet whose own certificate is not this one was moved off (another
   * phone bound the ticket) or had it withdrawn (the box office, a step switched on), and
   * says so instead of showing a code. Absent from copies kept before it was sent.
   */
  certificateId: z.string().max(16).nullable().optional(),
});
export type WalletTicket = z.infer<typeof zWalletTicket>;

/** GET /api/wallet with `Authorization: Bearer <token from the order mail>`. */
export const zWalletReply = z.object({
  event: z.object({
    id: zId<EventId>(), name: z.string(), venue: z.string().nullable(),
    startsAt: z.number().int().nullable(), endsAt: z.number().int().nullable(), timeZone: z.string(),
  }),
  order: z.object({ id: zId<OrderId>(), buyerName: z.string().nullable() }),
  /** When the codes appear (null: they are here now, or never without a start time; see `codesOpen`). */
  opensAt: z.number().int().nullable(),
  codesOpen: z.boolean(),
  /** The server's clock when it answered: the wallet counts down against it, not the phone's. */
  serverTime: z.number().int(),
  tickets: z.array(zWalletTicket),
});
export type WalletReply = z.infer<typeof zWalletReply>;

/** POST /api/events/:eventId/order-mails. again: mail orders that were mailed before too (with a new link; the old one stops working). */
export const zOrderMailsBody = z.object({ again: z.boolean().default(false) });
export type OrderMailsBody = z.input<typeof zOrderMailsBody>;
export const zOrderMailsReply = z.object({
  sent: z.number().int(),
  /** Orders mailed before (without `again`). */
  alreadySent: z.number().int(),
  /** Orders without an e-mail address. */
  noAddress: z.number().int(),
  failed: z.array(z.object({ orderId: zId<OrderId>(), error: z.string() })),
});
export type OrderMailsReply = z.infer<typeof zOrderMailsReply>;

/** GET /api/mail/outbox: the development mailer's mails, newest first (admins only: they hold holders' links). */
export const zOutboxMail = z.object({ id: z.number().int(), to: z.string(), subject: z.string(), text: z.string(), at: z.number().int() });
export type OutboxMail = z.infer<typeof zOutboxMail>;
export const zOutboxReply = z.object({ mails: z.array(zOutboxMail) });
export type OutboxReply = z.infer<typeof zOutboxReply>;
