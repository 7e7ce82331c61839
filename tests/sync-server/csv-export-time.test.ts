// The export's times are formatted once a minute and the seconds added (csv-export.ts): the
// same text as formatting each time through Intl (local) or toISOString (UTC), across a
// daylight-saving change and in a zone whose offset is not whole hours.
import { describe, expect, it } from 'vitest';
import { isoTime, localTime } from '../../sync-server/src/history/csv-export.ts';
import { prng } from '../support/prng.ts';

describe('the export\u2019s local time', () => {
  it('equals Intl\u2019s for every second it is asked, newest first or in any order', () => {
    const random = prng(42);
    for (const timeZone of ['Europe/Amsterdam', 'Asia/Kathmandu', 'UTC']) {
      const intl = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
      const local = localTime(timeZone);
      // The night Amsterdam's clocks went back (27 October 2024, 03:00 → 02:00).
      const start = Date.UTC(2024, 9, 26, 23, 30);
      const times = Array.from({ length: 3000 }, (_, i) => start + 7200_000 - i * 2_417);
      times.push(...Array.from({ length: 500 }, () => start + Math.floor(random() * 7200_000)));
      for (const ms of times) expect([ms, local(ms)]).toEqual([ms, intl.format(ms)]);
    }
  });
});

describe('the export\u2019s UTC time', () => {
  it('equals toISOString\u2019s for every millisecond it is asked, before 1970 and after 9999 too', () => {
    const random = prng(7);
    const iso = isoTime();
    const start = Date.UTC(2026, 11, 2, 23, 59, 58, 990);
    const times = Array.from({ length: 3000 }, (_, i) => start - i * 997);
    times.push(...Array.from({ length: 3000 }, () => Math.floor((random() - 0.5) * 2 * 8.64e15)));
    times.push(0, -1, 59_999, 60_000, -60_000, -60_001, Date.UTC(10_000, 0, 1) - 1, Date.UTC(10_000, 0, 1));
    for (const ms of times) expect([ms, iso(ms)]).toEqual([ms, new Date(ms).toISOString()]);
  });
});
