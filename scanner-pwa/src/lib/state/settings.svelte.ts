// Per-phone preferences the inspector can change: how long a verdict stays up, how long to
// wait for the server before deciding offline. Kept in localStorage: read synchronously at
// start, so the first verdict already uses them.
export interface SettingsValues {
  /** A verdict returns to the camera after this long, unless a decision is needed. */
  autoReturnMs: number;
  /** Wait this long for the online verdict, then decide offline with the same scan id. */
  onlineBudgetMs: number;
}

export const DEFAULT_SETTINGS: SettingsValues = { autoReturnMs: 3000, onlineBudgetMs: 1500 };
const KEY = 'gatekeeper.settings';

const clamp = (v: unknown, lo: number, hi: number, dflt: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : dflt;

export class Settings {
  #autoReturnMs = $state(DEFAULT_SETTINGS.autoReturnMs);
  #onlineBudgetMs = $state(DEFAULT_SETTINGS.onlineBudgetMs);
  readonly #storage: Pick<Storage, 'getItem' | 'setItem'> | null;

  constructor(storage: Pick<Storage, 'getItem' | 'setItem'> | null = typeof localStorage === 'undefined' ? null : localStorage) {
    this.#storage = storage;
    let saved: Partial<SettingsValues> = {};
    try { saved = JSON.parse(storage?.getItem(KEY) ?? '{}') as Partial<SettingsValues>; } catch { /* defaults */ }
    this.#autoReturnMs = clamp(saved.autoReturnMs, 500, 30_000, DEFAULT_SETTINGS.autoReturnMs);
    this.#onlineBudgetMs = clamp(saved.onlineBudgetMs, 200, 10_000, DEFAULT_SETTINGS.onlineBudgetMs);
  }

  get autoReturnMs(): number {
    return this.#autoReturnMs;
  }
  get onlineBudgetMs(): number {
    return this.#onlineBudgetMs;
  }

  update(values: Partial<SettingsValues>): void {
    if (values.autoReturnMs !== undefined) this.#autoReturnMs = clamp(values.autoReturnMs, 500, 30_000, this.#autoReturnMs);
    if (values.onlineBudgetMs !== undefined) this.#onlineBudgetMs = clamp(values.onlineBudgetMs, 200, 10_000, this.#onlineBudgetMs);
    this.#storage?.setItem(KEY, JSON.stringify({ autoReturnMs: this.#autoReturnMs, onlineBudgetMs: this.#onlineBudgetMs }));
  }
}
