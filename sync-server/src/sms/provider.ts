// SMS leaves the server through one small interface, as mail does (mail/mailer.ts): a
// provider's REST API in production (messagebird.ts), the outbox table in development (no
// GK_SMS_PROVIDER), where an admin reads what would have gone out. Whoever composes a
// message never knows which.
import type { Storage } from '../storage/types.ts';
import { messageBirdSms } from './messagebird.ts';

export interface Sms {
  /** The mobile number, digits with an optional leading + and country code. */
  to: string;
  body: string;
}

export interface SmsProvider {
  /** Resolves once the provider accepted the message (or the outbox stored it); throws otherwise. */
  send(sms: Sms): Promise<void>;
  readonly kind: 'messagebird' | 'outbox';
}

export function outboxSms(storage: Storage, now: () => number): SmsProvider {
  return {
    kind: 'outbox',
    async send(sms) { await storage.addOutboxSms({ to: sms.to, body: sms.body, at: now() }); },
  };
}

/** The provider the config asks for. */
export function smsProviderFor(
  config: { smsProvider: '' | 'messagebird'; smsAccessKey: string; smsOriginator: string; smsEndpoint: string },
  storage: Storage, now: () => number,
): SmsProvider {
  if (config.smsProvider === 'messagebird') {
    return messageBirdSms({ accessKey: config.smsAccessKey, originator: config.smsOriginator, endpoint: config.smsEndpoint });
  }
  return outboxSms(storage, now);
}
