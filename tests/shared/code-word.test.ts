// The code word of the day drawn from a list (shared/src/code-word.ts): which day's word is
// shown at an instant, when the next one starts, across both of a year's clock changes and
// at times of day that a clock change skips or repeats.
import { describe, expect, it } from 'vitest';
import { codeWordAt, codeWordDay, drawCodeWord, nextCodeWordChange, zCodeWordRule } from '@gatekeeper/shared/code-word';

const AMS = 'Europe/Amsterdam';
const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const rule = { words: ['Blue Heron', 'Red Fox', 'Green Kite', 'Grey Seal', 'Gold Finch'], changeAt: '06:00' };

describe('the day whose word is shown', () => {
  it('changes at the configured local time of the event\u2019s zone, not at midnight or in UTC', () => {
    // 06:00 in Amsterdam in June is 04:00 UTC.
    expect(codeWordDay(at('2026-06-12T03:59:59Z'), '06:00', AMS)).toBe('2026-06-11');
    expect(codeWordDay(at('2026-06-12T04:00:00Z'), '06:00', AMS)).toBe('2026-06-12');
    expect(codeWordDay(at('2026-06-12T22:30:00Z'), '06:00', AMS)).toBe('2026-06-12'); // 00:30 local on the 13th
    expect(codeWordDay(at('2026-06-12T04:00:00Z'), '06:00', 'UTC')).toBe('2026-06-11');
  });

  it('keeps the local time across the spring change: a day of 23 hours', () => {
    // Clocks go from 02:00 to 03:00 on 29 March 2026: 06:00 is 05:00Z the day before, 04:00Z that day.
    expect(nextCodeWordChange(at('2026-03-28T12:00:00Z'), '06:00', AMS)).toBe(at('2026-03-29T04:00:00Z'));
    expect(nextCodeWordChange(at('2026-03-27T12:00:00Z'), '06:00', AMS)).toBe(at('2026-03-28T05:00:00Z'));
    expect(at('2026-03-29T04:00:00Z') - at('2026-03-28T05:00:00Z')).toBe(23 * HOUR);
    expect(codeWordDay(at('2026-03-29T03:59:00Z'), '06:00', AMS)).toBe('2026-03-28');
    expect(codeWordDay(at('2026-03-29T04:00:00Z'), '06:00', AMS)).toBe('2026-03-29');
  });

  it('keeps the local time across the autumn change: a day of 25 hours', () => {
    // Clocks go from 03:00 back to 02:00 on 25 October 2026: 06:00 is 04:00Z the day before, 05:00Z that day.
    expect(nextCodeWordChange(at('2026-10-24T12:00:00Z'), '06:00', AMS)).toBe(at('2026-10-25T05:00:00Z'));
    expect(codeWordDay(at('2026-10-25T04:59:00Z'), '06:00', AMS)).toBe('2026-10-24');
    expect(codeWordDay(at('2026-10-25T05:00:00Z'), '06:00', AMS)).toBe('2026-10-25');
  });

  it('at a time the spring change skips, changes once, at the hour after', () => {
    // 02:30 does not exist on 29 March: it is read as 03:30 CEST (01:30Z).
    expect(nextCodeWordChange(at('2026-03-28T12:00:00Z'), '02:30', AMS)).toBe(at('2026-03-29T01:30:00Z'));
    expect(codeWordDay(at('2026-03-29T01:29:59Z'), '02:30', AMS)).toBe('2026-03-28');
    expect(codeWordDay(at('2026-03-29T01:30:00Z'), '02:30', AMS)).toBe('2026-03-29');
  });

  it('at a time the autumn change repeats, changes at its first occurrence only', () => {
    // 02:30 happens twice on 25 October: 00:30Z (CEST) and 01:30Z (CET).
    expect(nextCodeWordChange(at('2026-10-24T12:00:00Z'), '02:30', AMS)).toBe(at('2026-10-25T00:30:00Z'));
    expect(codeWordDay(at('2026-10-25T01:30:00Z'), '02:30', AMS)).toBe('2026-10-25');
    expect(nextCodeWordChange(at('2026-10-25T00:30:00Z'), '02:30', AMS)).toBe(at('2026-10-26T01:30:00Z'));
  });

  it('advances by exactly one day at every change through a whole year, whatever the time of day', () => {
    for (const changeAt of ['00:00', '02:30', '06:00', '23:59']) {
      let now = at('2026-01-01T12:00:00Z');
      let day = codeWordDay(now, changeAt, AMS);
      for (let i = 0; i < 366; i++) {
        const next = nextCodeWordChange(now, changeAt, AMS);
        expect(next).toBeGreaterThan(now);
        expect(codeWordDay(next - 1, changeAt, AMS), `${changeAt} before ${new Date(next).toISOString()}`).toBe(day);
        const after = codeWordDay(next, changeAt, AMS);
        expect(Date.parse(after) - Date.parse(day), `${changeAt} at ${new Date(next).toISOString()}`).toBe(24 * HOUR);
        now = next;
        day = after;
      }
    }
  });
});

describe('the draw', () => {
  it('is the same for every instant of one day, on every call, and changes only with the day', () => {
    const morning = codeWordAt(rule, 'ev-1', at('2026-03-29T04:00:00Z'), AMS);
    expect(codeWordAt(rule, 'ev-1', at('2026-03-29T21:59:00Z'), AMS)).toBe(morning);
    expect(codeWordAt(rule, 'ev-1', at('2026-03-30T03:59:00Z'), AMS)).toBe(morning);
    expect(codeWordAt(rule, 'ev-1', at('2026-03-29T04:00:00Z'), AMS)).toBe(drawCodeWord(rule, 'ev-1', '2026-03-29'));
    expect(codeWordAt(rule, 'ev-1', at('2026-03-29T03:59:00Z'), AMS)).toBe(drawCodeWord(rule, 'ev-1', '2026-03-28'));
  });

  it('comes from the list, uses all of it over a few weeks, and differs between events', () => {
    const days = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 5, 1 + i)).toISOString().slice(0, 10));
    const drawn = days.map((d) => drawCodeWord(rule, 'ev-1', d));
    expect(new Set(drawn)).toEqual(new Set(rule.words));
    expect(days.map((d) => drawCodeWord(rule, 'ev-2', d))).not.toEqual(drawn);
    expect(drawCodeWord({ words: ['Only'] }, 'ev-1', '2026-06-01')).toBe('Only');
  });

  it('takes a list of trimmed words and a time of day as HH:MM', () => {
    expect(zCodeWordRule.parse({ words: [' Blue Heron '], changeAt: '07:30' })).toEqual({ words: ['Blue Heron'], changeAt: '07:30' });
    for (const changeAt of ['7:30', '24:00', '07:60', '']) expect(zCodeWordRule.safeParse({ words: ['a'], changeAt }).success, changeAt).toBe(false);
    expect(zCodeWordRule.safeParse({ words: [], changeAt: '07:30' }).success).toBe(false);
    expect(zCodeWordRule.safeParse({ words: ['  '], changeAt: '07:30' }).success).toBe(false);
  });
});
