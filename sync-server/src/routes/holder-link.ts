// The holder's credential on the wallet's routes: the token from the order mail, in a
// header, never in the path (paths end up in logs).
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { OrderLinkRecord } from '../storage/types.ts';
import type { Ctx } from './context.ts';

/** The order link the request's `Authorization: Bearer <token>` opens, or `unauthenticated`. */
export async function holderLink(c: Ctx): Promise<OrderLinkRecord> {
  const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
  const link = await c.var.deps.orderMails.open(token);
  if (!link) throw new GkError('unauthenticated', 'this wallet link is not (or no longer) valid: open the link in your latest order mail');
  return link;
}
