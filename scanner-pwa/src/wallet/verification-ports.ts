// The verification steps' ports in a browser: fetch, with the wallet's token and this
// device's secret on every request.
import {
  WALLET_DEVICE_HEADER, zChallengeSentReply, zConfirmReply, zVerifyRefusalDetails, zWalletStepsReply,
} from '@gatekeeper/shared/api/verification';
import { zErrorBody } from '@gatekeeper/shared/protocol/index';
import type { z } from 'zod';
import { deviceSecret } from './device-secret.ts';
import { VerifyRefused, type VerifyPorts } from './verification.svelte.ts';

async function call<T>(schema: z.ZodType<T>, method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/wallet${path}`, {
    method, cache: 'no-store',
    headers: { authorization: `Bearer ${token}`, [WALLET_DEVICE_HEADER]: await deviceSecret(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json().catch(() => null);
  if (res.ok) return schema.parse(json);
  const error = zErrorBody.safeParse(json);
  const details = zVerifyRefusalDetails.safeParse(error.success ? error.data.error.details : null);
  throw new VerifyRefused(details.success ? details.data.reason : 'other', error.success ? error.data.error.message : `the server answered ${res.status}`,
    details.success ? details.data.triesLeft : undefined);
}

export function browserVerifyPorts(): VerifyPorts {
  return {
    steps: (token) => call(zWalletStepsReply, 'GET', '/steps', token),
    sendSms: (token) => call(zChallengeSentReply, 'POST', '/sms', token, {}),
    confirmSms: (token, code) => call(zConfirmReply, 'POST', '/sms/confirm', token, { code }),
    sendMail: (token) => call(zChallengeSentReply, 'POST', '/email', token, {}),
    confirmMail: (token, secret) => call(zConfirmReply, 'POST', '/email/confirm', token, { secret }),
  };
}

/**
 * The secret of a mailed verification link (`/wallet#verify=<secret>`), taken off the
 * address at once as the wallet token is.
 */
export function takeVerifyFromAddress(): string | null {
  const m = /^#verify=([A-Za-z0-9_-]{43})$/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, '', location.pathname);
  return m[1]!;
}
