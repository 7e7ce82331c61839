// What a new password must be. Length over composition rules (NIST SP 800-63B), and never
// one of the demo's passwords: they are printed in the README and at every demo start.
import { GkError } from '@gatekeeper/shared/protocol/index';
import { DEMO_LOGINS } from '../seed/seed.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** Throws bad_request saying what is wrong with `password` as a new password. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new GkError('bad_request', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new GkError('bad_request', `a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  if (DEMO_LOGINS.some((l) => l.password === password)) throw new GkError('bad_request', 'that is one of the published demo passwords; choose another');
}
