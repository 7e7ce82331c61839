// E-mail verification bound to the device (issue 11, measure 4). The wallet asks for a mail
// with its device named (the hash of the secret it keeps); the mail's link carries a fresh
// secret in its fragment, and confirming it needs that secret AND the same device's secret.
// So the link verifies the device that asked for it and no other: someone the mail is
// forwarded to (or who reads the mailbox) holds a link that opens nothing on their phone,
// and the link does not carry the wallet's token either. A stranger holding a forwarded
// wallet link can ask for a mail for their own phone, but it goes to the holder's address,
// and the holder's click on their own phone verifies nothing (other_device).
import { randomBytes } from 'node:crypto';
import type { ChallengeSentReply } from '@gatekeeper/shared/api/verification';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { Logger } from '../log.ts';
import type { Mail, Mailer } from '../mail/mailer.ts';
import { Throttle } from '../auth/rate-limit.ts';
import type { OrderLinkRecord, Storage } from '../storage/types.ts';
import { ChallengeKey, refusal } from './challenges.ts';

export const EMAIL_LINK_TTL_MS = 60 * 60_000;

/** The wallet's address that confirms one mailed secret: in the fragment, so no server log or Referer sees it. */
export const verifyLink = (base: string, secret: string): string => `${base.replace(/\/+$/, '')}/wallet#verify=${secret}`;

export interface EmailVerificationDeps { storage: Storage; mailer: Mailer; key: ChallengeKey; linkBase: () => string; now: () => number; log: Logger }

function verifyMail(to: string, event: GkEvent | null, link: string): Mail {
  const name = event?.name ?? 'your tickets';
  const en = [
    `Confirm the phone you will bring to ${name} by opening this link on that phone, in the wallet that asked for it:`,
    link,
    'The link works on that phone only and for one hour. If you did not ask for it, ignore this mail: someone else may have your wallet link, and this mail gives them nothing.',
  ];
  const nl = [
    `Bevestig de telefoon die je meeneemt naar ${name}: open deze link op die telefoon, in de wallet die erom vroeg:`,
    link,
    'De link werkt alleen op die telefoon en een uur lang. Heb je er niet om gevraagd, negeer deze mail dan: iemand anders heeft misschien je wallet-link, en deze mail geeft hem niets.',
  ];
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = (ps: string[], lang: string) => `<div lang="${lang}">${ps.map((p) => (p === link ? `<p><a href="${esc(p)}">${esc(p)}</a></p>` : `<p>${esc(p)}</p>`)).join('')}</div>`;
  return {
    to, subject: `${name}: confirm your phone / bevestig je telefoon`,
    text: `${en.join('\n\n')}\n\n---\n\n${nl.join('\n\n')}\n`, html: `${html(en, 'en')}<hr>${html(nl, 'nl')}`,
  };
}

export class EmailVerification {
  /** Mails per order: a few free, then a wait that doubles (a flood of mails to one holder). */
  readonly #perOrder: Throttle;

  constructor(private readonly deps: EmailVerificationDeps) {
    this.#perOrder = new Throttle({ free: 3, delayMs: 60_000, maxDelayMs: 3600_000, forgetAfterMs: 3600_000 }, deps.now);
  }

  async send(link: OrderLinkRecord, deviceHash: string): Promise<ChallengeSentReply> {
    const { storage, mailer, key, linkBase, now, log } = this.deps;
    const order = await storage.getOrder(link.eventId, link.orderId);
    if (!order?.email) throw refusal('forbidden', 'no_email', 'this order has no e-mail address: ask the box office');
    const throttleKey = `${link.eventId}\u0000${link.orderId}`;
    if (!this.#perOrder.reserve(throttleKey)) {
      const retryAfterMs = this.#perOrder.retryAfter(throttleKey);
      throw refusal('rate_limited', 'mails', `too many mails for this order: try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
    }
    const secret = randomBytes(32).toString('base64url');
    const at = now();
    const expiresAt = at + EMAIL_LINK_TTL_MS;
    await storage.addChallenge({
      eventId: link.eventId, orderId: link.orderId, deviceHash, kind: 'email', secretHash: await key.hash('email', secret), createdAt: at, expiresAt,
    });
    await mailer.send(verifyMail(order.email, await storage.getEvent(link.eventId), verifyLink(linkBase(), secret)));
    log.info('verification mail sent', { event: link.eventId, order: link.orderId, via: mailer.kind });
    return { expiresAt };
  }

  async confirm(link: OrderLinkRecord, deviceHash: string, secret: string): Promise<void> {
    const { storage, key, now } = this.deps;
    const c = await storage.findChallengeBySecret(await key.hash('email', secret));
    if (!c || c.kind !== 'email' || c.eventId !== link.eventId || c.orderId !== link.orderId || c.usedAt !== null) {
      throw refusal('forbidden', 'no_challenge', 'this link is not (or no longer) open: ask for a new mail');
    }
    if (c.deviceHash !== deviceHash) throw refusal('forbidden', 'other_device', 'this link confirms the phone that asked for it: open it there');
    if (now() > c.expiresAt) throw refusal('forbidden', 'expired', 'this link has expired: ask for a new mail');
    if (!(await storage.passChallenge(c.id, now()))) throw refusal('forbidden', 'no_challenge', 'this link was used already');
  }
}
