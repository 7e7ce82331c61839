// The wallet's language: the browser's, or the one the holder picked (remembered with the
// scanner app's choice, same key); dates in the event's own time zone.
import { format, type Lang, type Params } from '../lib/i18n/i18n.svelte.ts';
import { walletEn, walletNl, type WalletMessageKey } from './messages.ts';

const DICTS = { en: walletEn, nl: walletNl } as const;
const LOCALES: Record<Lang, string> = { en: 'en-GB', nl: 'nl-NL' };
const LANG_KEY = 'gatekeeper.lang';

export class WalletI18n {
  #lang = $state<Lang>('en');

  constructor(lang: Lang) { this.#lang = lang; }

  get lang(): Lang { return this.#lang; }

  set(lang: Lang): void {
    this.#lang = lang;
    document.documentElement.lang = lang;
    try { localStorage.setItem(LANG_KEY, lang); } catch { /* private mode: this visit only */ }
  }

  t = (key: WalletMessageKey, params?: Params): string => format(DICTS[this.#lang][key], params);

  /** "Saturday 4 July 2026, 20:00", in the event's time zone. */
  dateTime = (ms: number, timeZone: string): string =>
    new Intl.DateTimeFormat(LOCALES[this.#lang], { dateStyle: 'full', timeStyle: 'short', timeZone }).format(ms);

  time = (ms: number, timeZone: string): string =>
    new Intl.DateTimeFormat(LOCALES[this.#lang], { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone }).format(ms);
}
