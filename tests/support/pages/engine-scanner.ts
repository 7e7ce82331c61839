// The scanner app as an inspector uses it, on a phone of any engine (tests/support/engines):
// the same steps as ScannerPage (Chromium, playwright-core), through the engine-neutral
// Phone. Selectors name what the inspector sees: a button's words, a test id.
import { join } from 'node:path';
import { PATIENT_SETTINGS } from '../browser.ts';
import type { Phone } from '../engines/engine.ts';
import { until } from '../until.ts';
import { WAIT_MS, type VerdictSeen } from './scanner-page.ts';

/** A button by its words, as the inspector reads them. */
export const button = (words: string, within?: string): string =>
  `${within ? `//*[@data-testid="${within}"]` : ''}//button[normalize-space()="${words}"]`;

const VERDICT = '[data-testid=verdict]';

export class EngineScanner {
  constructor(readonly phone: Phone, readonly base: string) {}

  /**
   * Open the app with a test phone's patient settings (see PATIENT_SETTINGS). Classic
   * WebDriver has no script that runs before the page's own, so they are written into the
   * origin's storage from a page of the origin that is not the app (the health check),
   * and the app is loaded once, after. Not the app loaded, written to and reloaded: a
   * reload while the app's first service-worker registration is still in progress leaves
   * WebKit's registration without a worker for good (register() never settles again), and
   * the app never works offline in that browser.
   */
  static async open(phone: Phone, base: string): Promise<EngineScanner> {
    await phone.goto(new URL('/healthz', base).href);
    await phone.evaluate((values: typeof PATIENT_SETTINGS) => {
      const key = 'gatekeeper.settings';
      if (localStorage.getItem(key) === null) localStorage.setItem(key, JSON.stringify(values));
    }, PATIENT_SETTINGS);
    await phone.goto(base);
    return new EngineScanner(phone, base);
  }

  async signInAndChoose(username: string, password: string, checkpoint: string): Promise<void> {
    await this.phone.type('#username', username);
    await this.phone.type('#password', password);
    await this.phone.click('//form//button[@type="submit"]');
    await this.phone.click(`//label[normalize-space()="${checkpoint}"]/input[@name="checkpoint"]`);
    await this.phone.click('input[name=direction][value=entry]');
    await this.phone.click(button('Start scanning'));
    await until(async () => (await this.phone.count('[data-testid=checkpoint-name]')) > 0 && (await this.phone.text('[data-testid=checkpoint-name]')) === checkpoint, `the scan screen at ${checkpoint}`, WAIT_MS);
    await this.waitLink('online');
  }

  async waitLink(state: 'online' | 'offline' | 'connecting'): Promise<void> {
    await this.phone.waitFor(`[data-testid=link-state][data-state=${state}]`, WAIT_MS);
  }

  async waitPending(count: number): Promise<void> {
    await this.phone.waitFor(`[data-testid=pending][data-count="${count}"]`, WAIT_MS);
  }

  /** A keyboard-wedge scanner: one burst of keydowns inside the page (see ScannerPage.wedge). */
  async wedge(text: string): Promise<void> {
    await this.phone.evaluate((keys: string[]) => {
      (document.activeElement as HTMLElement | null)?.blur();
      for (const key of [...keys, 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    }, [...text]);
  }

  /** "Type code", the code typed with real keys, "Check". */
  async typeCode(text: string): Promise<void> {
    await this.phone.click(button('Type code'));
    await this.phone.type('[data-testid=manual-entry] input', text);
    await this.phone.click('//*[@data-testid="manual-entry"]//button[@type="submit"]');
  }

  async expectVerdict(outcome: string, opts: { offline?: boolean } = {}): Promise<VerdictSeen> {
    const sel = `${VERDICT}[data-outcome=${outcome}]${opts.offline === undefined ? '' : `[data-offline=${opts.offline}]`}`;
    await this.phone.waitFor(sel, WAIT_MS);
    return {
      outcome,
      offline: (await this.phone.attribute(sel, 'data-offline')) === 'true',
      word: await this.phone.text('[data-testid=verdict-word]'),
      text: (await this.phone.text(sel)).replace(/\s+/g, ' '),
    };
  }

  /** Close the verdict with its first footer button (Continue, or Done). */
  async dismissVerdict(): Promise<void> {
    if (!(await this.phone.count(VERDICT))) return;
    await this.phone.click(`${VERDICT} footer button`);
    await until(async () => (await this.phone.count(VERDICT)) === 0, 'the verdict to close', WAIT_MS);
  }

  /** The language switch in the menu ("EN", "NL"). */
  async setLanguage(lang: 'en' | 'nl'): Promise<void> {
    await this.phone.click('//div[contains(@class,"where")]//button');
    await this.phone.click(`[data-testid=settings-panel] button[lang=${lang}]`);
    await this.phone.click('//*[@data-testid="settings-panel"]//div[contains(@class,"top")]/button');
  }

  /** The screen as a phone shows it, into docs/screenshots/<name>.png. */
  async photograph(name: string): Promise<void> {
    await this.phone.screenshot(join(process.cwd(), 'docs/screenshots', `${name}.png`));
  }
}
