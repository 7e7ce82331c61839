// The one decision "may this wallet open bind a device now" (issue 11): binding hands the
// phone a certificate, and from then on that phone alone shows the tickets' codes, so it is
// the moment every measure guarding the holder's tickets is checked. Today that is just-in-
// time access (no code material before the event's code window); the verification steps a
// performance asks for (SMS, e-mail bound to the device) belong here as well, and only here.
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import type { Storage } from '../storage/types.ts';
import { codeWindow } from './code-window.ts';

export interface BindRequest {
  storage: Storage;
  eventId: EventId;
  orderId: OrderId;
  /** The wallet's public key (raw Ed25519, base64url): the device a verification would be bound to. */
  devicePublicKey: string;
  /** Server time, epoch ms. */
  now: number;
}

/** ok, or why not, in words the holder's wallet can show. */
export type BindDecision = { ok: true } | { ok: false; why: string };

export async function mayBind(req: BindRequest): Promise<BindDecision> {
  const window = await codeWindow(req.storage, req.eventId, req.now);
  if (!window.open) {
    return { ok: false, why: window.opensAt === null ? 'the codes of this event are not out yet' : `the codes come out at ${new Date(window.opensAt).toISOString()}` };
  }
  return { ok: true };
}
