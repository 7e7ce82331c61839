// SMS verification (issue 11, measure 3): a 6-digit code to the order's mobile number, kept
// hashed, valid 10 minutes, single use, dead after 5 wrong tries. A wrong guess is counted
// before the answer, so parallel guesses cannot all pass the check before the first is
// counted (the login door learnt that: auth/rate-limit.ts). Five tries of a million codes
// give a guesser 1 in 200,000 per code sent.
//
// Sends cost money and can be turned on a victim's phone, so they are limited three ways,
// checked and counted in one transaction: per number (GK_SMS_PER_NUMBER_PER_HOUR: a holder
// asks again once or twice), per asking address (GK_SMS_PER_ADDRESS_PER_HOUR: one script
// walking many stolen links), and a daily spend cap over everything
// (GK_SMS_DAILY_SPEND_CENTS / GK_SMS_PRICE_CENTS: the bill has a ceiling whatever happens).
import { randomInt } from 'node:crypto';
import { normaliseMobile, type ChallengeSentReply } from '@gatekeeper/shared/api/verification';
import type { Logger } from '../log.ts';
import type { OrderLinkRecord, Storage } from '../storage/types.ts';
import { ChallengeKey, refusal, sameHash } from '../wallet/challenges.ts';
import type { SmsProvider } from './provider.ts';

export const SMS_CODE_TTL_MS = 10 * 60_000;
export const SMS_MAX_TRIES = 5;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SmsLimits { perNumberPerHour: number; perAddressPerHour: number; priceCents: number; dailySpendCents: number }

export interface SmsCodesDeps { storage: Storage; sms: SmsProvider; key: ChallengeKey; limits: SmsLimits; now: () => number; log: Logger }

/** The last digits of a number, for the wallet to say where the code went without showing the number. */
export const mobileHint = (mobile: string): string => `…${mobile.slice(-2)}`;

const smsText = (code: string): string =>
  `${code} is your ticket code / is je ticketcode. Valid 10 min / 10 min geldig. Never share it / Deel hem met niemand.`;

export class SmsCodes {
  constructor(private readonly deps: SmsCodesDeps) {}

  /** Send a new code for the order to its number, for this device; the device's earlier code stops working. */
  async send(link: OrderLinkRecord, deviceHash: string, address: string): Promise<ChallengeSentReply> {
    const { storage, sms, key, limits, now, log } = this.deps;
    const order = await storage.getOrder(link.eventId, link.orderId);
    if (!order?.mobile) throw refusal('forbidden', 'no_mobile', 'this order has no mobile number: ask the box office');
    // Kept from before numbers were checked: without its country code a provider would text
    // another phone. Refused before a send is counted; the box office corrects it.
    const mobile = normaliseMobile(order.mobile);
    if (!mobile) throw refusal('forbidden', 'no_mobile', 'this order\u2019s mobile number has no country code: ask the box office');
    const at = now();
    const verdict = await storage.reserveSmsSend({ to: mobile, address, at }, {
      windowStart: at - HOUR_MS, perNumber: limits.perNumberPerHour, perAddress: limits.perAddressPerHour,
      dayStart: Math.floor(at / DAY_MS) * DAY_MS, perDay: Math.floor(limits.dailySpendCents / limits.priceCents),
    });
    if (verdict !== 'ok') {
      log.warn('sms send refused', { event: link.eventId, order: link.orderId, limit: verdict });
      const retryAfterMs = verdict === 'cap' ? DAY_MS - (at % DAY_MS) : HOUR_MS;
      throw refusal('rate_limited', verdict, verdict === 'cap'
        ? 'no more codes can be sent today: try again tomorrow or ask the box office'
        : 'too many codes were asked for: wait an hour and try again', { retryAfterMs });
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = at + SMS_CODE_TTL_MS;
    await storage.addChallenge({
      eventId: link.eventId, orderId: link.orderId, deviceHash, kind: 'sms',
      secretHash: await key.hash('sms', link.eventId, link.orderId, deviceHash, code), createdAt: at, expiresAt,
    });
    await sms.send({ to: mobile, body: smsText(code) });
    log.info('sms code sent', { event: link.eventId, order: link.orderId, via: sms.kind });
    return { expiresAt };
  }

  /** Check a code this device was sent; its device is verified for the order when it is right. */
  async confirm(link: OrderLinkRecord, deviceHash: string, code: string): Promise<void> {
    const { storage, key, now } = this.deps;
    const c = await storage.latestChallenge(link.eventId, link.orderId, deviceHash, 'sms');
    if (!c || c.usedAt !== null) throw refusal('forbidden', 'no_challenge', 'no code is open for this phone: ask for a new one');
    if (now() > c.expiresAt) throw refusal('forbidden', 'expired', 'this code has expired: ask for a new one');
    if (c.tries >= SMS_MAX_TRIES) throw refusal('forbidden', 'too_many_tries', 'too many wrong codes: ask for a new one');
    // Counted first: a right code passes below without its try mattering.
    const tries = await storage.failChallenge(c.id);
    if (tries > SMS_MAX_TRIES) throw refusal('forbidden', 'too_many_tries', 'too many wrong codes: ask for a new one');
    const right = sameHash(await key.hash('sms', link.eventId, link.orderId, deviceHash, code), c.secretHash);
    if (!right) {
      const triesLeft = SMS_MAX_TRIES - tries;
      throw triesLeft > 0
        ? refusal('forbidden', 'wrong_code', `that is not the code: ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left`, { triesLeft })
        : refusal('forbidden', 'too_many_tries', 'too many wrong codes: ask for a new one');
    }
    if (!(await storage.passChallenge(c.id, now()))) throw refusal('forbidden', 'no_challenge', 'this code was used already');
  }
}
