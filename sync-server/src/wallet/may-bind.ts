// The one decision "may this wallet open bind a device now": code material (a device
// certificate, a code) leaves the server for this order on this device only once the event's
// code window is open (measure 1) and the device has done every step the performance
// requires (measures 3 and 4). Every route that hands a wallet code material asks here.
import type { WalletSteps, StepState } from '@gatekeeper/shared/api/verification';
import type { OrderLinkRecord, Storage } from '../storage/types.ts';
import { codeWindow } from './code-window.ts';

export type BindDecision =
  | { may: true; steps: WalletSteps }
  | { may: false; why: 'code_window'; opensAt: number | null; steps: WalletSteps }
  | { may: false; why: 'steps'; steps: WalletSteps };

/** Where this device stands on each step the performance asks for; with no device, every asked step is still to do. */
export async function walletSteps(storage: Storage, link: OrderLinkRecord, deviceHash: string | null): Promise<WalletSteps> {
  const [measures, done] = await Promise.all([
    storage.getMeasures(link.eventId),
    deviceHash === null ? Promise.resolve([]) : storage.listVerifications(link.eventId, link.orderId, deviceHash),
  ]);
  const state = (asked: boolean, step: 'sms' | 'email'): StepState => (!asked ? 'off' : done.includes(step) ? 'done' : 'needed');
  return { sms: state(measures.sms, 'sms'), email: state(measures.email, 'email') };
}

export const stepsDone = (steps: WalletSteps): boolean => steps.sms !== 'needed' && steps.email !== 'needed';

export async function mayBind(storage: Storage, link: OrderLinkRecord, deviceHash: string | null, now: number): Promise<BindDecision> {
  const [window, steps] = await Promise.all([codeWindow(storage, link.eventId, now), walletSteps(storage, link, deviceHash)]);
  if (!stepsDone(steps)) return { may: false, why: 'steps', steps };
  if (!window.open) return { may: false, why: 'code_window', opensAt: window.opensAt, steps };
  return { may: true, steps };
}
