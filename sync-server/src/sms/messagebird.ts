// MessageBird's SMS API, as it documents sending one message: POST <endpoint> (by default
// https://rest.messagebird.com/messages) with `Authorization: AccessKey <key>` and a JSON
// body of originator, recipients (MSISDNs: the number with its country code, no + or
// leading zeros) and body; 201 Created when it is accepted. Plain fetch: one request with
// three fields does not need the provider's SDK.
import type { SmsProvider } from './provider.ts';

export interface MessageBirdSettings {
  accessKey: string;
  originator: string;
  endpoint?: string;
  /** A provider that does not answer must not hold a holder's request for ever. */
  timeoutMs?: number;
}

export const MESSAGEBIRD_ENDPOINT = 'https://rest.messagebird.com/messages';

/**
 * The MSISDN of a number as an order keeps it (+ and country code): digits only, without
 * the +. A number without its country code is refused, never guessed: as an MSISDN,
 * "0612345678" names another phone.
 */
export function msisdn(to: string): number {
  if (!/^\+[1-9][0-9]{6,14}$/.test(to)) throw new Error('the mobile number has no country code (+31 6 …): no SMS sent');
  return Number(to.slice(1));
}

export function messageBirdSms(settings: MessageBirdSettings): SmsProvider {
  if (!settings.accessKey) throw new Error('set GK_SMS_ACCESS_KEY: MessageBird needs an access key');
  const endpoint = settings.endpoint ?? MESSAGEBIRD_ENDPOINT;
  return {
    kind: 'messagebird',
    async send(sms) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `AccessKey ${settings.accessKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ originator: settings.originator, recipients: [msisdn(sms.to)], body: sms.body }),
        signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
      });
      if (res.status === 201 || res.ok) return;
      // MessageBird answers {"errors":[{"code","description","parameter"}]}: say what it said, never the key.
      const said = await res.json().then(
        (b: { errors?: Array<{ description?: string }> }) => b.errors?.map((e) => e.description).filter(Boolean).join('; '),
        () => '',
      );
      throw new Error(`MessageBird refused the SMS (${res.status})${said ? `: ${said}` : ''}`);
    },
  };
}
