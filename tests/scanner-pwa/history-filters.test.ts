// The console's History filters: what the form holds, the filters it stands for, and the
// query string the server reads. The page, "Load more", the CSV export and the console's
// address all use that one string, so a filter the server would read differently shows
// the supervisor one set and exports another.
import { describe, expect, it } from 'vitest';
import { zHistoryFilters, zHistoryPageQuery } from '@gatekeeper/shared/api/history';
import { EMPTY_FORM, filtersOfForm, filtersOfQuery, formOfFilters, historyQuery, type FilterForm } from '../../scanner-pwa/src/lib/console/history-filters.ts';
import { consolePath, consoleRoute } from '../../scanner-pwa/src/lib/console/route.ts';
import { epochToWallTime, wallTimeToEpoch } from '@gatekeeper/shared/zoned-time';

const AMS = 'Europe/Amsterdam';
const ctx = { timeZone: AMS, isOrder: (id: string) => id.startsWith('O-') };
const form = (f: Partial<FilterForm>): FilterForm => ({ ...EMPTY_FORM, ...f });

describe('filters of the form', () => {
  it('an empty form filters nothing: no query string at all', () => {
    expect(filtersOfForm(EMPTY_FORM, ctx)).toEqual({});
    expect(historyQuery(filtersOfForm(EMPTY_FORM, ctx))).toBe('');
  });

  it('a typed number is a ticket, or an order when the event has an order of that id', () => {
    expect(filtersOfForm(form({ code: ' T-0007 ' }), ctx)).toEqual({ ticket: 'T-0007' });
    expect(filtersOfForm(form({ code: 'O-0003' }), ctx)).toEqual({ order: 'O-0003' });
  });

  it('every filter, and the server reads the query string back as the same filters', () => {
    const f = filtersOfForm(form({
      code: 'T-1', holder: '  Jansen ', checkpoint: 'cp-main', inspector: 'i-ingrid', device: 'd-1', outcome: 'already_used', link: 'offline',
      from: '2026-06-12T19:30', to: '2026-06-12T21:00',
    }), ctx);
    expect(f).toEqual({
      ticket: 'T-1', holder: 'Jansen', checkpoint: 'cp-main', inspector: 'i-ingrid', device: 'd-1', outcome: 'already_used', offline: true,
      from: Date.UTC(2026, 5, 12, 17, 30), to: Date.UTC(2026, 5, 12, 19, 1) - 1,
    });
    const q = historyQuery(f);
    expect(zHistoryFilters.parse(Object.fromEntries(new URLSearchParams(q)))).toEqual(f);
    // With paging added, as "Load more" asks.
    expect(zHistoryPageQuery.parse(Object.fromEntries(new URLSearchParams(`${q}&before=123_4&limit=50`)))).toEqual({ ...f, before: { at: 123, seq: 4 }, limit: 50 });
  });

  it('online only is offline=false, not a missing filter', () => {
    expect(historyQuery(filtersOfForm(form({ link: 'online' }), ctx))).toBe('offline=false');
    expect(historyQuery(filtersOfForm(form({ link: 'offline' }), ctx))).toBe('offline=true');
  });

  it('a name with characters that mean something in a query string arrives as typed', () => {
    const f = filtersOfForm(form({ holder: 'Ötzi & Co = 100%' }), ctx);
    expect(filtersOfQuery(historyQuery(f))).toEqual({ holder: 'Ötzi & Co = 100%' });
  });

  it('an outcome that is not one of ours is no filter', () => {
    expect(filtersOfForm(form({ outcome: 'maybe' }), ctx)).toEqual({});
  });

  it('the form shows the filters it made, to the minute', () => {
    const f = form({ code: 'O-9', holder: 'Jansen', outcome: 'valid', link: 'online', from: '2026-10-25T01:15', to: '2026-10-25T23:59' });
    expect(formOfFilters(filtersOfForm(f, ctx), AMS)).toEqual(f);
  });
});

describe('filters of the console address', () => {
  it('reads what historyQuery wrote', () => {
    const f = { outcome: 'valid' as const, holder: 'de Vries', offline: false, from: 1_000 };
    expect(filtersOfQuery(historyQuery(f))).toEqual(f);
  });

  it('drops a mangled parameter alone and keeps the rest; ignores parameters it does not know', () => {
    expect(filtersOfQuery('outcome=sort-of&holder=Jansen&from=yesterday&offline=true&utm=x')).toEqual({ holder: 'Jansen', offline: true });
  });

  it('paging is no filter: a shared link starts at the newest scan', () => {
    expect(filtersOfQuery('before=123_4&limit=5&outcome=exit')).toEqual({ outcome: 'exit' });
  });
});

describe('the console route', () => {
  const at = (path: string) => consoleRoute(new URL(path, 'https://gate.example'));

  it('/console opens Live, /console/history History with the filters of the query string', () => {
    expect(at('/console')).toEqual({ section: 'live', search: '' });
    expect(at('/console/history/?outcome=valid')).toEqual({ section: 'history', search: 'outcome=valid' });
    expect(consolePath({ section: 'history', search: 'outcome=valid' })).toBe('/console/history?outcome=valid');
  });

  it('a section the console does not have opens the first one; other pages are not the console', () => {
    expect(at('/console/nowhere')).toEqual({ section: 'live', search: '' });
    expect(at('/')).toBeNull();
    expect(at('/v/GK1T123')).toBeNull();
    expect(at('/consoles')).toBeNull();
  });
});

describe('wall times in the event\u2019s zone', () => {
  it('summer and winter offsets', () => {
    expect(wallTimeToEpoch('2026-06-12T19:30', AMS)).toBe(Date.UTC(2026, 5, 12, 17, 30));
    expect(wallTimeToEpoch('2026-01-12T19:30', AMS)).toBe(Date.UTC(2026, 0, 12, 18, 30));
    expect(wallTimeToEpoch('2026-01-12T19:30', 'America/New_York')).toBe(Date.UTC(2026, 0, 13, 0, 30));
    expect(epochToWallTime(Date.UTC(2026, 0, 13, 0, 30), 'America/New_York')).toBe('2026-01-12T19:30');
  });

  it('a time the spring change skips reads as the hour after; one the autumn change repeats, as its first', () => {
    // 29 March 2026: 02:00 → 03:00 in Amsterdam. 25 October 2026: 03:00 → 02:00.
    expect(epochToWallTime(wallTimeToEpoch('2026-03-29T02:30', AMS)!, AMS)).toBe('2026-03-29T03:30');
    expect(wallTimeToEpoch('2026-10-25T02:30', AMS)).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('every minute of a year round-trips, outside the skipped hour', () => {
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 37 * 60_000) {
      const wall = epochToWallTime(ms, AMS);
      const back = wallTimeToEpoch(wall, AMS)!;
      expect(epochToWallTime(back, AMS)).toBe(wall);
    }
  });

  it('no wall time, no instant', () => {
    expect(wallTimeToEpoch('', AMS)).toBeNull();
    expect(wallTimeToEpoch('19:30', AMS)).toBeNull();
    expect(wallTimeToEpoch('2026-13-45T99:00', AMS)).toBeNull();
    expect(wallTimeToEpoch('2026-02-30T10:00', AMS)).toBeNull();
  });
});
