// The screen stays on while the scan screen is open. A gate phone that dims and locks
// between visitors costs the inspector an unlock and the camera a restart for the next
// ticket. The Screen Wake Lock API (Chromium 84+, Safari 16.4+, Firefox 126+) does it
// where the page is served over HTTPS; the browser drops the lock whenever the page is
// hidden, so it is asked for again each time the page comes back.

export type AwakeState = 'off' | 'on' | 'unsupported' | 'refused';

/** The part of the browser this needs; tests hand in their own. */
export interface WakeLockHost {
  wakeLock?: { request(type: 'screen'): Promise<WakeLockSentinel> };
}

export class ScreenAwake {
  #wanted = false;
  #sentinel: WakeLockSentinel | null = null;
  #asking: Promise<void> | null = null;
  #state = $state<AwakeState>('off');
  readonly #host: WakeLockHost;

  constructor(host: WakeLockHost = typeof navigator === 'undefined' ? {} : navigator) {
    this.#host = host;
  }

  get state() { return this.#state; }

  /** Keep the screen on until release(); asked for again whenever the page is shown. */
  hold(): Promise<void> {
    this.#wanted = true;
    return this.#acquire();
  }

  release(): void {
    this.#wanted = false;
    const s = this.#sentinel;
    this.#sentinel = null;
    if (this.#state === 'on') this.#state = 'off';
    void s?.release().catch(() => {});
  }

  /** The page is visible again (the browser released the lock while it was hidden). */
  shown(): Promise<void> {
    return this.#wanted ? this.#acquire() : Promise.resolve();
  }

  #acquire(): Promise<void> {
    if (this.#sentinel && !this.#sentinel.released) return Promise.resolve();
    this.#asking ??= this.#ask().finally(() => { this.#asking = null; });
    return this.#asking;
  }

  async #ask(): Promise<void> {
    const api = this.#host.wakeLock;
    if (!api) { this.#state = 'unsupported'; return; }
    let sentinel: WakeLockSentinel;
    try {
      sentinel = await api.request('screen');
    } catch {
      // Battery saver, a hidden page, or a policy: the app works on, the screen may dim.
      this.#state = 'refused';
      return;
    }
    // Released while the request was under way: let go at once.
    if (!this.#wanted) { void sentinel.release().catch(() => {}); return; }
    this.#sentinel = sentinel;
    this.#state = 'on';
    sentinel.addEventListener('release', () => { if (this.#sentinel === sentinel) this.#state = 'off'; });
  }
}
