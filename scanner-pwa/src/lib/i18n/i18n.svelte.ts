// The language of the app: chosen from the browser, switchable, remembered. Strings are
// looked up by key (UI) or by outcome (verdicts); dates and times through Intl.
import type { CheckpointId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import type { CodeDamage, CodeProblem } from '@gatekeeper/shared/codec/problems';
import type { Reason } from '@gatekeeper/shared/reasons';
import { en, outcomeText_en, outcomeWords_en, type MessageKey, type Messages } from './en.ts';
import { nl, outcomeText_nl, outcomeWords_nl } from './nl.ts';

export const LANGS = ['en', 'nl'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Record<Lang, string> = { en: 'English', nl: 'Nederlands' };

const DICTS: Record<Lang, { ui: Messages; words: Record<Outcome, string>; text: Record<Outcome, string>; locale: string }> = {
  en: { ui: en, words: outcomeWords_en, text: outcomeText_en, locale: 'en-GB' },
  nl: { ui: nl, words: outcomeWords_nl, text: outcomeText_nl, locale: 'nl-NL' },
};

/** The first of the browser's languages that we speak, else English. */
export function pickLanguage(preferred: readonly string[]): Lang {
  for (const p of preferred) {
    const base = p.toLowerCase().split('-')[0];
    if ((LANGS as readonly string[]).includes(base)) return base as Lang;
  }
  return 'en';
}

const LANG_KEY = 'gatekeeper.lang';

/** The language the inspector chose on this phone before, if any. */
export function savedLanguage(): Lang | null {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return v === 'en' || v === 'nl' ? v : null;
  } catch {
    return null;
  }
}

export type Params = Record<string, string | number>;

/**
 * `{name}` is replaced by the parameter; `{name:one|other}` by the word that fits the number
 * (English and Dutch both say "one" for exactly 1 and "other" for everything else).
 */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)(?::([^|}]*)\|([^}]*))?\}/g, (m, k: string, one?: string, other?: string) => {
    if (!(k in params)) return m;
    if (one === undefined) return String(params[k]);
    return Number(params[k]) === 1 ? one : other!;
  });
}

export class I18n {
  #lang = $state<Lang>('en');

  constructor(lang: Lang) {
    this.#lang = lang;
  }

  get lang(): Lang {
    return this.#lang;
  }
  get locale(): string {
    return DICTS[this.#lang].locale;
  }

  /** An explicit choice: remembered, and wins over the browser's languages from now on. */
  set(lang: Lang): void {
    this.#lang = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
    try { localStorage.setItem(LANG_KEY, lang); } catch { /* private mode: this session only */ }
  }

  t = (key: MessageKey, params?: Params): string => format(DICTS[this.#lang].ui[key], params);

  /** The big word on the verdict screen. */
  word = (outcome: Outcome, offline = false): string => {
    const w = DICTS[this.#lang].words[outcome];
    return offline && outcome === 'valid' ? `${w} OFFLINE` : w;
  };

  explain = (outcome: Outcome): string => DICTS[this.#lang].text[outcome];

  /**
   * Why a verdict is what it is, in this language, times in the event's zone; null when
   * the outcome's own text (explain) says it all.
   */
  reason = (reason: Reason, where: ReasonPlaces): string | null => {
    const { timeZone, checkpointName: name } = where;
    const when = (ms: number) => ({ time: this.time(ms, timeZone), date: this.dateLong(ms, timeZone) });
    switch (reason.kind) {
      case 'outcome': return null;
      case 'already_used': {
        const key = reason.mode === 'entry_exit' ? 'reason_already_inside' : reason.here ? 'reason_already_used_here' : 'reason_already_used_at';
        return this.t(key, { ...when(reason.at), checkpoint: name(reason.checkpointId), zone: reason.zone });
      }
      case 'wrong_type': return this.t('reason_wrong_type', { type: reason.ticketType, checkpoint: name(reason.checkpointId) });
      case 'valid_from': return this.t('reason_valid_from', when(reason.from));
      case 'valid_until': return this.t('reason_valid_until', when(reason.until));
      case 'code': return this.#codeProblem(reason.problem, when);
      case 'unresolved': return this.t(`reason_unresolved_${reason.cause}`);
      case 'order_not_on_phone': return this.t('reason_order_not_on_phone');
      case 'verified_device': return this.t('reason_verified_device');
    }
  };

  /** A refused code, by what the codec found (shared/src/codec/problems.ts). */
  #codeProblem(p: CodeProblem, when: (ms: number) => Params): string {
    const q = (text: string) => JSON.stringify(text);
    switch (p.kind) {
      case 'empty': case 'bad_signature': case 'other_device': return this.t(`code_${p.kind}`);
      case 'expired_step': case 'future_step': return this.t(`code_${p.kind}`, when(p.madeAt));
      case 'revoked_certificate': return this.t('code_revoked_certificate', { certificate: q(p.certificateId) });
      case 'too_long': return this.t('code_too_long', { length: p.length, max: p.max });
      case 'other_event': return this.t('code_other_event', { event: q(p.eventId) });
      case 'future_version': return this.t('code_future_version', { version: p.version, reads: p.reads });
      case 'no_such_version': return this.t('code_no_such_version', { version: p.version });
      case 'not_supported': return p.letter === 'R' ? this.t('code_not_supported_rotating') : this.t('code_not_supported', { letter: q(p.letter) });
      case 'damaged': return this.t('code_damaged', { damage: this.#damage(p.damage) });
      case 'unknown_key': case 'revoked_key': case 'damaged_key': return this.t(`code_${p.kind}`, { key: q(p.keyId) });
      case 'unchecked': return this.t('code_unchecked', { error: p.error });
    }
  }

  #damage(d: CodeDamage): string {
    const q = (text: string) => JSON.stringify(text);
    switch (d.kind) {
      case 'too_long': case 'length': return this.t(`damage_${d.kind}`, { length: d.length });
      case 'not_a_kind': return this.t('damage_not_a_kind', { letter: q(d.letter) });
      case 'character': return this.t('damage_character', { character: q(d.character), position: d.position });
      case 'ends_before': case 'ends_inside': case 'not_minimal': case 'too_large': case 'not_text': case 'invalid_field':
        return this.t(`damage_${d.kind}`, { field: this.t(`field_${d.field}`) });
      case 'field_too_long': return this.t('damage_field_too_long', { field: this.t(`field_${d.field}`), bytes: d.bytes, max: d.max });
      case 'malformed_key_id': return this.t('damage_malformed_key_id', { key: q(d.keyId) });
      case 'version_mismatch': return this.t('damage_version_mismatch', { prefix: d.prefix, contents: d.contents });
      case 'no_kind': case 'last_character': case 'cut_short': case 'unknown_flags': case 'extra_bytes': return this.t(`damage_${d.kind}`);
    }
  }

  /** "12:30" in the event's time zone. */
  time = (ms: number, timeZone?: string): string => this.#format('time', timeZone).format(ms);

  /** "12:30:05", for the verdict clock and scan history. */
  timeSeconds = (ms: number, timeZone?: string): string => this.#format('seconds', timeZone).format(ms);

  /** "Thu 1 Jan 2026". */
  dateLong = (ms: number, timeZone?: string): string => this.#format('date', timeZone).format(ms).replace(/,/g, '');

  /**
   * A phone's clock offset: "+1.5 s", "−25 s", "0.0 s". Tenths below 10 s, whole seconds
   * from there, in this language's digits; the sign says which way the clock is off, and an
   * offset that shows as zero has none (a phone 20 ms behind read "−0.0 s").
   */
  clockOffset = (ms: number): string => {
    const s = Math.abs(ms) / 1000;
    const digits = s < 10 ? 1 : 0;
    const text = new Intl.NumberFormat(this.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(s);
    const sign = /[1-9]/.test(text) ? (ms < 0 ? '\u2212' : '+') : '';
    return `${sign}${text}\u00a0s`;
  };

  // Building an Intl.DateTimeFormat costs about as much as deciding a scan: keep them.
  #formats = new Map<string, Intl.DateTimeFormat>();
  #format(kind: keyof typeof FORMATS, timeZone?: string): Intl.DateTimeFormat {
    const key = `${this.locale}|${kind}|${timeZone ?? ''}`;
    let f = this.#formats.get(key);
    if (!f) {
      f = new Intl.DateTimeFormat(this.locale, { ...FORMATS[kind], timeZone });
      this.#formats.set(key, f);
    }
    return f;
  }
}

/** What wording a reason needs besides the language: the event's zone, checkpoints' names. */
export interface ReasonPlaces {
  timeZone?: string;
  checkpointName: (id: CheckpointId) => string;
}

const FORMATS = {
  time: { hour: '2-digit', minute: '2-digit' },
  seconds: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
  date: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
