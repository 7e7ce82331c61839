// One vocabulary of outcomes, shown on the scanner and stored on the server. Modelled on
// pretix's check-in reasons so supervisors coming from there read it without a legend.
import { valuesOf, type ValueOf } from './enum-values.ts';
export const Outcome = {
  valid: 'valid',
  exit: 'exit',
  already_used: 'already_used',
  unknown: 'unknown',
  invalid_signature: 'invalid_signature',
  expired_code: 'expired_code',
  revoked: 'revoked',
  blocked: 'blocked',
  canceled: 'canceled',
  unpaid: 'unpaid',
  wrong_checkpoint: 'wrong_checkpoint',
  not_yet_valid: 'not_yet_valid',
  no_longer_valid: 'no_longer_valid',
  needs_id_check: 'needs_id_check',
  conflict: 'conflict',
} as const;
export type Outcome = ValueOf<typeof Outcome>;
export const OUTCOMES = valuesOf(Outcome);

/** Outcomes after which the person went through the gate. */
export const ADMITTING: ReadonlySet<Outcome> = new Set([Outcome.valid, Outcome.exit]);
export const isAdmitting = (o: Outcome): boolean => ADMITTING.has(o);

/** English explanations; the scanner translates by outcome, the server logs these. */
export const OUTCOME_TEXT: Record<Outcome, string> = {
  valid: 'Valid ticket: admit.',
  exit: 'Exit recorded.',
  already_used: 'This ticket has already been scanned here.',
  unknown: 'This code is not a ticket of this event.',
  invalid_signature: 'The code is forged or damaged: its signature does not verify.',
  expired_code: 'This code has expired; ask the holder to refresh it.',
  revoked: 'This ticket has been revoked.',
  blocked: 'This ticket is blocked.',
  canceled: 'This ticket has been canceled.',
  unpaid: 'This ticket has not been paid.',
  wrong_checkpoint: 'This ticket is not valid at this checkpoint.',
  not_yet_valid: 'This ticket is not valid yet.',
  no_longer_valid: 'This ticket is no longer valid.',
  needs_id_check: 'Check the holder\u2019s ID before admitting.',
  conflict: 'Admitted offline by two scanners: the other scan came first.',
};
