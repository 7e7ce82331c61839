// The code word of the day: a word every verdict screen shows, so that a fake "ticket
// valid" page (a visitor's own copy of a verdict) gives itself away. A supervisor sets it
// by hand, or the organiser gives a list and each day's word is drawn from it, changing at
// a local time of the event's zone (a festival changes it before the gates open, not at
// midnight in the middle of the night shift).
//
// The draw is a function of the list, the event and the day alone, so every server process
// and every restart agrees on today's word without storing it, and a test can say which
// word a day gets.
import { z } from 'zod';
import { epochToWallTime, wallTimeToEpoch } from './zoned-time.ts';

export const CODE_WORD_MAX = 40;
export const zCodeWord = z.string().trim().min(1).max(CODE_WORD_MAX);

/** The organiser's list and the local time ("HH:MM", 24 h) each day's word starts at. */
export const zCodeWordRule = z.object({
  words: z.array(zCodeWord).min(1).max(500),
  changeAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM'),
});
export type CodeWordRule = z.infer<typeof zCodeWordRule>;

/** The calendar date after (or before) "YYYY-MM-DD". */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

/**
 * When the word of `date` starts: `changeAt` on that date in `timeZone`. A time a clock
 * change skips (02:30 on a spring night) is read as wallTimeToEpoch reads it (03:30), one it
 * repeats as its first occurrence: either way one instant, so the day changes once.
 */
export function codeWordDayStart(date: string, changeAt: string, timeZone: string): number {
  return wallTimeToEpoch(`${date}T${changeAt}`, timeZone)!;
}

/** Whose word is shown at `now`: the local date, or the one before while `changeAt` has not come. */
export function codeWordDay(now: number, changeAt: string, timeZone: string): string {
  const today = epochToWallTime(now, timeZone).slice(0, 10);
  return now < codeWordDayStart(today, changeAt, timeZone) ? addDays(today, -1) : today;
}

/** The next instant after `now` at which the word changes. */
export function nextCodeWordChange(now: number, changeAt: string, timeZone: string): number {
  let date = addDays(codeWordDay(now, changeAt, timeZone), 1);
  let at = codeWordDayStart(date, changeAt, timeZone);
  // Never at or before now, even where a zone's rules jump a whole day (Samoa, 2011).
  while (at <= now) {
    date = addDays(date, 1);
    at = codeWordDayStart(date, changeAt, timeZone);
  }
  return at;
}

/** FNV-1a, 32 bits: small, stable on every engine, and enough to spread days over a list. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The word of one day (a `codeWordDay`) for one event: the same on every node, every time. */
export function drawCodeWord(rule: Pick<CodeWordRule, 'words'>, eventId: string, date: string): string {
  return rule.words[fnv1a(`${eventId}\n${date}`) % rule.words.length]!;
}

/** The word shown at `now` under a rule. */
export function codeWordAt(rule: CodeWordRule, eventId: string, now: number, timeZone: string): string {
  return drawCodeWord(rule, eventId, codeWordDay(now, rule.changeAt, timeZone));
}
