// Cell readers for ticket imports: each returns the value or throws with a message the
// organiser can act on (the row and column are added by the caller).
import { MOBILE_HINT, normaliseMobile } from '@gatekeeper/shared/api/verification';
export function oneOf<T extends string>(cell: string, values: readonly T[], aliases: Record<string, T> = {}): T {
  const v = cell.toLowerCase();
  const hit = values.find((x) => x === v) ?? aliases[v];
  if (hit === undefined) throw new Error(`${JSON.stringify(cell)} is not one of ${values.join(', ')}`);
  return hit;
}

const YES = new Set(['yes', 'true', '1', 'y', 'ja', 'j']);
const NO = new Set(['no', 'false', '0', 'n', 'nee']);
export function yesNo(cell: string): boolean {
  const v = cell.toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  throw new Error(`${JSON.stringify(cell)} is not yes or no (yes/no, true/false, 1/0)`);
}

// Deliberately loose: the check that matters is the one the holder does when the
// verification mail arrives; this one catches a name pasted into the email column.
// The length is checked first: the pattern backtracks, and on a 40,000-character cell it
// held the event loop for 1.4 s (no address is longer than 254 characters, RFC 5321).
export const MAX_EMAIL_LENGTH = 254;
export function email(cell: string): string {
  if (cell.length > MAX_EMAIL_LENGTH) throw new Error(`${JSON.stringify(cell.slice(0, 40))}… is longer than ${MAX_EMAIL_LENGTH} characters: not an email address`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(cell)) throw new Error(`${JSON.stringify(cell)} is not an email address`);
  return cell;
}

/**
 * A mobile number as the order's SMS verification uses it (zOrder.mobile): digits with an
 * optional + and country code. Spaces, hyphens, dots and brackets are how people write
 * numbers in a spreadsheet ("+31 6-1234 5678"); they are dropped, nothing else is.
 */
export function mobile(cell: string): string {
  const n = normaliseMobile(cell);
  if (n === null) throw new Error(`${JSON.stringify(cell.slice(0, 40))} is not a mobile number: ${MOBILE_HINT}`);
  return n;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO 8601 date-time with Z or an offset, as epoch milliseconds. */
export function dateTime(cell: string): number {
  const m = ISO_DATE_TIME.exec(cell);
  const example = '2025-06-01T19:30:00+02:00';
  if (!m) throw new Error(`${JSON.stringify(cell)} is not an ISO 8601 date-time such as ${example}`);
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone] = m;
  if (!zone) throw new Error(`${JSON.stringify(cell)} has no time zone: add Z or an offset, e.g. ${example}`);
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(local);
  if (hour > 23 || minute > 59 || second > 59 || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new Error(`${JSON.stringify(cell)} is not a real date and time`);
  }
  let offset = 0;
  if (zone.toUpperCase() !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(3).replace(':', '') || '0');
    if (oh > 14 || om > 59) throw new Error(`${JSON.stringify(cell)} has an impossible offset ${zone}`);
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return local - offset;
}
