// The one decision "may this wallet open bind a device now": code material (a device
// certificate, a code) leaves the server for this order on this device only once the event's
// code window is open (measure 1) and the device has done every step the performance
// requires (measures 3 and 4). Every route that hands a wallet code material asks here.
// The shape is main's (h/device): a request, and ok or why in the holder's words; the device
// is named by the hash of the secret its wallet keeps (x-wallet-device, challenges.ts).
import type { StepState, WalletSteps } from '@gatekeeper/shared/api/verification';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import type { Storage } from '../storage/types.ts';
import { codeWindow } from './code-window.ts';

export interface BindRequest {
  storage: Storage;
  eventId: EventId;
  orderId: OrderId;
  /** The device asking (deviceHashOf its x-wallet-device header); null: a device that has done no step. */
  deviceHash: string | null;
  /** Server time, epoch ms. */
  now: number;
}

/** ok, or why not, in words the holder's wallet can show; `steps` says where this device stands. */
export type BindDecision = { ok: true; steps: WalletSteps } | { ok: false; why: string; steps: WalletSteps };

/** Where this device stands on each step the performance asks for; with no device, every asked step is still to do. */
export async function walletSteps(storage: Storage, link: { eventId: EventId; orderId: OrderId }, deviceHash: string | null): Promise<WalletSteps> {
  const [measures, done] = await Promise.all([
    storage.getMeasures(link.eventId),
    deviceHash === null ? Promise.resolve([]) : storage.listVerifications(link.eventId, link.orderId, deviceHash),
  ]);
  const state = (asked: boolean, step: 'sms' | 'email'): StepState => (!asked ? 'off' : done.includes(step) ? 'done' : 'needed');
  return { sms: state(measures.sms, 'sms'), email: state(measures.email, 'email') };
}

export const stepsDone = (steps: WalletSteps): boolean => steps.sms !== 'needed' && steps.email !== 'needed';

export async function mayBind(req: BindRequest): Promise<BindDecision> {
  const [window, steps] = await Promise.all([codeWindow(req.storage, req.eventId, req.now), walletSteps(req.storage, req, req.deviceHash)]);
  if (!stepsDone(steps)) return { ok: false, why: 'confirm this phone first (the steps this performance asks for)', steps };
  if (!window.open) {
    return { ok: false, why: window.opensAt === null ? 'the codes of this event are not out yet' : `the codes come out at ${new Date(window.opensAt).toISOString()}`, steps };
  }
  return { ok: true, steps };
}
