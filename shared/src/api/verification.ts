// The holder's verification steps (issue 11, measures 3, 4 and 6) and the per-performance
// measures an admin sets (sync-server/src/routes/verification.ts). A wallet names its
// device with a random secret it keeps (header `x-wallet-device`); a step done on one
// device counts for that device only.
import { z } from 'zod';
import { zId, type TicketId } from '../ids.ts';

/** The header a wallet names its device with: 32 random bytes, base64url. */
export const WALLET_DEVICE_HEADER = 'x-wallet-device';
export const zWalletDeviceSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a device secret is 32 random bytes in base64url');

/** What an admin switches on per performance; every one off by default. */
export const zMeasures = z.object({
  /** The order's mobile number gets a 6-digit code before the ticket shows. */
  sms: z.boolean(),
  /** A link mailed to the order's address verifies the device that opens it. */
  email: z.boolean(),
  /** Scanners demand a code from a verified device (a device-bound rotating code). */
  verifiedDevice: z.boolean(),
  /** The holder cannot change name or e-mail; an admin can, with a reason. */
  changeBlock: z.boolean(),
});
export type Measures = z.infer<typeof zMeasures>;
export const NO_MEASURES: Measures = { sms: false, email: false, verifiedDevice: false, changeBlock: false };

/** GET and PUT /api/events/:eventId/measures (PUT: admins, audited as `measures.set`). */
export const zMeasuresBody = zMeasures;
export const zMeasuresReply = zMeasures;

export const VERIFICATION_STEPS = ['sms', 'email'] as const;
export type VerificationStep = (typeof VERIFICATION_STEPS)[number];

/** Where one device stands on one step: not asked for, still to do, or done. */
export const zStepState = z.enum(['off', 'needed', 'done']);
export type StepState = z.infer<typeof zStepState>;
export const zWalletSteps = z.object({ sms: zStepState, email: zStepState });
export type WalletSteps = z.infer<typeof zWalletSteps>;

/** GET /api/wallet/steps (bearer token and device header). mobileHint: the last digits of the number a code goes to. */
export const zWalletStepsReply = z.object({ steps: zWalletSteps, mobileHint: z.string().nullable(), emailHint: z.string().nullable() });
export type WalletStepsReply = z.infer<typeof zWalletStepsReply>;

/** POST /api/wallet/sms and /api/wallet/email: a code or link is on its way, valid until `expiresAt`. */
export const zChallengeSentReply = z.object({ expiresAt: z.number().int() });
export type ChallengeSentReply = z.infer<typeof zChallengeSentReply>;

/**
 * Why a step was refused, in the error's details.reason (forbidden or rate_limited): the
 * wallet says each in the holder's words.
 */
export const VERIFY_REFUSALS = [
  /** A wrong SMS code; details.triesLeft says how many remain. */
  'wrong_code',
  /** The code or link is older than its 10 minutes (a mailed link: one hour, EMAIL_LINK_TTL_MS): ask for a new one. */
  'expired',
  /** Five wrong codes: this code is dead, ask for a new one. */
  'too_many_tries',
  /** No code or link is open for this device (never sent, used, or replaced by a newer one). */
  'no_challenge',
  /** The mailed link verifies the device that asked for it, and this is another. */
  'other_device',
  /** The order has no mobile number, or no address. */
  'no_mobile', 'no_email',
  /** The performance does not ask for this step. */
  'not_required',
  /** rate_limited: too many codes to this number, from this address, or the day's spend cap. */
  'number', 'address', 'cap',
  /** rate_limited: too many mails for this order. */
  'mails',
  /** forbidden: the change block is on; the box office changes name and address. */
  'change_block',
] as const;
export type VerifyRefusal = (typeof VERIFY_REFUSALS)[number];
export const zVerifyRefusalDetails = z.object({ reason: z.enum(VERIFY_REFUSALS), triesLeft: z.number().int().optional(), retryAfterMs: z.number().int().optional() });

export const SMS_CODE_DIGITS = 6;
/** POST /api/wallet/sms/confirm. */
export const zSmsConfirmBody = z.object({ code: z.string().regex(/^\d{6}$/, 'the code is 6 digits') });
/** POST /api/wallet/email/confirm: the secret from the mailed link's fragment. */
export const zEmailConfirmBody = z.object({ secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a verification link') });
export const zConfirmReply = z.object({ steps: zWalletSteps });
export type ConfirmReply = z.infer<typeof zConfirmReply>;

/**
 * A mobile number as the SMS step keeps it: `+`, the country code and the number, digits
 * only (E.164, 7 to 15 digits). Spaces, hyphens, dots and brackets are how people write
 * numbers and go; a leading 00 is the +. Without a country code it is refused (null): an
 * SMS provider would read "0612345678" as another number, and one number written two ways
 * would pass the per-number send limit twice.
 */
export function normaliseMobile(text: string): string | null {
  const bare = text.replace(/[\s().-]/g, '').replace(/^00/, '+');
  return /^\+[1-9][0-9]{6,14}$/.test(bare) ? bare : null;
}
export const MOBILE_HINT = 'a mobile number with its country code, e.g. +31 6 1234 5678';
const zMobile = z.string().max(32).transform((s, ctx) => {
  const n = normaliseMobile(s);
  if (n === null) ctx.addIssue({ code: 'custom', message: MOBILE_HINT });
  return n ?? s;
});

const zName = z.string().trim().min(1).max(128).nullable();
/**
 * PUT /api/events/:eventId/orders/:orderId/holder: the box office changes who an order is
 * for (admins; the reason is kept in the audit as `order.holder`). Re-issues the code
 * material: the order's link, its devices' verifications and certificates go.
 */
export const zHolderChangeBody = z.object({
  buyerName: zName,
  email: z.string().trim().email().max(254).nullable(),
  mobile: zMobile.nullable(),
  /** Ticket holders' names to set, by ticket id (others stay). */
  holderNames: z.record(z.string(), zName).optional(),
  reason: z.string().trim().min(1).max(500),
});
export type HolderChangeBody = z.infer<typeof zHolderChangeBody>;
/**
 * GET /api/events/:eventId/orders/:orderId/holder (admins: it holds the address and number):
 * who the order is for now, what the box office's form starts from.
 */
export const zHolderReply = z.object({ buyerName: z.string().nullable(), email: z.string().nullable(), mobile: z.string().nullable() });
export type HolderReply = z.infer<typeof zHolderReply>;
/** PUT /api/wallet/holder: the holder's own change (refused under the change block). */
export const zWalletHolderBody = zHolderChangeBody.omit({ reason: true });
export const zHolderChangeReply = z.object({
  revokedCertificates: z.array(z.string()),
  /** Tickets whose code material was re-issued. */
  tickets: z.array(zId<TicketId>()),
  /** Whether a new link was mailed to the (new) address. */
  mailed: z.boolean(),
});
export type HolderChangeReply = z.infer<typeof zHolderChangeReply>;

/** GET /api/sms/outbox: the development SMS adapter's messages, newest first (admins only: they hold codes). */
export const zOutboxSms = z.object({ id: z.number().int(), to: z.string(), body: z.string(), at: z.number().int() });
export type OutboxSms = z.infer<typeof zOutboxSms>;
export const zSmsOutboxReply = z.object({ messages: z.array(zOutboxSms) });
export type SmsOutboxReply = z.infer<typeof zSmsOutboxReply>;
