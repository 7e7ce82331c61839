// Two phones at one gate, and the scene the double-admission tests all start from: both cut
// off from the server admit the same code, each deciding alone, then both come back. Each
// phone has its own browser context, so its own IndexedDB and its own network switch.
import type { ScannerPage, VerdictSeen } from '../support/pages/scanner-page.ts';
import { signedInGate, type FileWorld } from './fixtures.ts';

/** Two inspectors (inspector, inspector2) on two phones, both at the Main gate and online. */
export async function twoGates(env: FileWorld): Promise<[ScannerPage, ScannerPage]> {
  return Promise.all([signedInGate(env, 'inspector'), signedInGate(env, 'inspector2')]);
}

/**
 * Both phones go offline, `a` then `b` admits `code` (each shows an offline VALID and holds
 * its scan), then both come back and upload. `whileOffline` runs with both verdicts still on
 * screen. Returns the two verdicts as the phones showed them. Every wait is the page model's
 * generous one: on a loaded machine a reconnect has taken over 10 s.
 */
export async function bothAdmitOffline(
  a: ScannerPage, b: ScannerPage, code: string,
  opts: { whileOffline?: () => Promise<unknown> } = {},
): Promise<[VerdictSeen, VerdictSeen]> {
  await Promise.all([a.setOffline(true), b.setOffline(true)]);
  await Promise.all([a.waitLink('offline'), b.waitLink('offline')]);
  // One after the other, so that a's scan is the earlier one.
  await a.wedge(code);
  const seenA = await a.expectVerdict('valid', { offline: true });
  await b.wedge(code);
  const seenB = await b.expectVerdict('valid', { offline: true });
  await Promise.all([a.waitPending(1), b.waitPending(1)]);
  await opts.whileOffline?.();
  await Promise.all([a.dismissVerdict(), b.dismissVerdict()]);
  await Promise.all([a.setOffline(false), b.setOffline(false)]);
  await Promise.all([a.waitPending(0), b.waitPending(0)]);
  return [seenA, seenB];
}
