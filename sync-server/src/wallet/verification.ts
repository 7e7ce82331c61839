// The holder's verification as routes see it: SMS codes, mailed links bound to the device,
// the door in front of the public wallet routes, and opening a wallet link through that door.
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SmsProvider } from '../sms/provider.ts';
import { SmsCodes, type SmsLimits } from '../sms/sms-codes.ts';
import type { OrderLinkRecord, Storage } from '../storage/types.ts';
import { ChallengeKey } from './challenges.ts';
import { EmailVerification } from './email-verification.ts';
import type { OrderMails } from './order-mails.ts';
import { WalletDoor, type WalletDoorRules } from './wallet-door.ts';

export interface WalletVerificationDeps {
  storage: Storage; mailer: Mailer; sms: SmsProvider; orderMails: OrderMails; linkBase: () => string; now: () => number; log: Logger;
  smsLimits: SmsLimits; doorRules?: WalletDoorRules;
}

export class WalletVerification {
  readonly sms: SmsCodes;
  readonly email: EmailVerification;
  readonly door: WalletDoor;
  readonly smsProvider: SmsProvider;
  readonly #orderMails: OrderMails;

  constructor(deps: WalletVerificationDeps) {
    const key = new ChallengeKey(deps.storage);
    this.sms = new SmsCodes({ storage: deps.storage, sms: deps.sms, key, limits: deps.smsLimits, now: deps.now, log: deps.log });
    this.email = new EmailVerification({ storage: deps.storage, mailer: deps.mailer, key, linkBase: deps.linkBase, now: deps.now, log: deps.log });
    this.door = new WalletDoor(deps.doorRules, deps.now);
    this.smsProvider = deps.sms;
    this.#orderMails = deps.orderMails;
  }

  /** The order a bearer header opens, counted at the door while it opens nothing. */
  async open(authorization: string | undefined, address: string): Promise<OrderLinkRecord> {
    this.door.reserveLink(address);
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1] ?? '';
    const link = await this.#orderMails.open(token);
    if (!link) throw new GkError('unauthenticated', 'this wallet link is not (or no longer) valid: open the link in your latest order mail');
    this.door.linkOpened(address);
    return link;
  }
}
