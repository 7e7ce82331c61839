// Message templates: parameters and the one/other word choice by number, and every key of
// the Dutch dictionary present in the English one and the other way round.
import { describe, expect, it } from 'vitest';
import { format, I18n } from '../../scanner-pwa/src/lib/i18n/i18n.svelte.ts';
import { en } from '../../scanner-pwa/src/lib/i18n/en.ts';
import { nl } from '../../scanner-pwa/src/lib/i18n/nl.ts';

describe('format', () => {
  it('fills parameters and leaves unknown ones visible', () => {
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(format('no params')).toBe('no params');
  });

  it('picks the word for one and for any other number', () => {
    const t = '{count} {count:scan is|scans are} waiting';
    expect(format(t, { count: 1 })).toBe('1 scan is waiting');
    expect(format(t, { count: 0 })).toBe('0 scans are waiting');
    expect(format(t, { count: 2 })).toBe('2 scans are waiting');
  });

  it('no template says "(s)": every count is worded for one and for many', () => {
    for (const dict of [en, nl]) for (const text of Object.values(dict)) expect(text).not.toMatch(/\(s\)|\(en\)/);
  });

  it('English and Dutch have the same keys and the same parameters', () => {
    expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
    const params = (s: string) => [...new Set([...s.matchAll(/\{(\w+)/g)].map((m) => m[1]))].sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(params(nl[k]), k).toEqual(params(en[k]));
  });
});

describe('Dutch wording by number', () => {
  it('one ticket "wordt" imported, more "worden"', () => {
    expect(format(nl.importCountsNoOrders, { tickets: 1 })).toBe('1 ticket wordt geïmporteerd.');
    expect(format(nl.importCountsNoOrders, { tickets: 2 })).toBe('2 tickets worden geïmporteerd.');
    expect(format(nl.importCounts, { tickets: 1, orders: 1 })).toBe('1 ticket in 1 bestelling wordt geïmporteerd.');
    expect(format(nl.importCounts, { tickets: 3, orders: 2 })).toBe('3 tickets in 2 bestellingen worden geïmporteerd.');
  });
});

describe('a clock offset, as the fleet and the status bar show it', () => {
  const en = new I18n('en');
  const nl = new I18n('nl');

  it('signed, a tenth of a second below 10 s and whole seconds from there, with the language\u2019s decimal mark', () => {
    expect(en.clockOffset(1_500)).toBe('+1.5\u00a0s');
    expect(nl.clockOffset(1_500)).toBe('+1,5\u00a0s');
    expect(en.clockOffset(-25_300)).toBe('\u221225\u00a0s');
    expect(nl.clockOffset(90_012)).toBe('+90\u00a0s');
  });

  it('no sign on an offset that shows as zero (not "\u22120.0 s" for a phone 20 ms behind)', () => {
    expect(en.clockOffset(-20)).toBe('0.0\u00a0s');
    expect(nl.clockOffset(0)).toBe('0,0\u00a0s');
    expect(en.clockOffset(49)).toBe('0.0\u00a0s');
    expect(en.clockOffset(-50)).toBe('\u22120.1\u00a0s');
  });
});
