// The holder's credential on the wallet's routes: the token from the order mail, in a
// header, never in the path (paths end up in logs).
import { WALLET_DEVICE_HEADER } from '@gatekeeper/shared/api/verification';
import { deviceHashOf } from '../wallet/challenges.ts';
import type { OrderLinkRecord } from '../storage/types.ts';
import { clientAddress, type Ctx } from './context.ts';

/**
 * The order link the request's `Authorization: Bearer <token>` opens, or `unauthenticated`;
 * counted at the wallet door while it opens nothing (wallet/verification.ts).
 */
export async function holderLink(c: Ctx): Promise<OrderLinkRecord> {
  return c.var.deps.verification.open(c.req.header('authorization'), clientAddress(c));
}

/** The device the request speaks for (x-wallet-device), or null when it names none. */
export function holderDevice(c: Ctx): string | null {
  const header = c.req.header(WALLET_DEVICE_HEADER);
  return header === undefined ? null : deviceHashOf(header);
}
