// Message templates: parameters and the one/other word choice by number, and every key of
// the Dutch dictionary present in the English one and the other way round.
import { describe, expect, it } from 'vitest';
import { format } from '../../scanner-pwa/src/lib/i18n/i18n.svelte.ts';
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
