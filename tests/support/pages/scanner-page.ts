// Page model of the scanner app: what an inspector does (sign in, choose a checkpoint,
// scan, type, search, go offline) and what the screen says. Tests read like the issue.
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';

/**
 * How long a page model waits for something the app does by itself (a verdict, a
 * reconnect, an upload). Generous: on a busy 2-core CI machine a reconnect after the
 * network returns took over 10 s, and a wait that only fits an idle machine is a broken
 * test. How fast these things are is measured by the benchmarks, not here.
 */
export const WAIT_MS = 45_000;

export interface VerdictSeen {
  outcome: string;
  offline: boolean;
  word: string;
  text: string;
}

export class ScannerPage {
  /** What the page reported as going wrong: said when a wait for a verdict times out. */
  readonly #errors: string[] = [];

  constructor(readonly page: Page, readonly base: string) {
    page.on('console', (m) => { if (m.type() === 'error') this.#errors.push(`console: ${m.text().slice(0, 300)}`); });
    page.on('pageerror', (e) => this.#errors.push(`page: ${e.message.slice(0, 300)}`));
  }

  static async open(context: BrowserContext, base: string, path = '/'): Promise<ScannerPage> {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(base + path);
    return new ScannerPage(page, base);
  }

  get context(): BrowserContext { return this.page.context(); }

  async login(username: string, password: string): Promise<void> {
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** On the setup screen: pick a checkpoint by name and a direction, start scanning. */
  async choose(checkpoint: string, direction: 'Entry' | 'Exit' = 'Entry'): Promise<void> {
    await this.page.getByRole('radio', { name: checkpoint }).check();
    await this.page.getByRole('radio', { name: direction }).check();
    await this.page.getByRole('button', { name: 'Start scanning' }).click();
    await this.page.getByTestId('checkpoint-name').filter({ hasText: checkpoint }).waitFor();
  }

  async signInAndChoose(username: string, password: string, checkpoint: string, direction: 'Entry' | 'Exit' = 'Entry'): Promise<void> {
    await this.login(username, password);
    await this.choose(checkpoint, direction);
    await this.waitOnline();
  }

  async waitOnline(timeout = WAIT_MS): Promise<void> {
    await this.page.locator('[data-testid=link-state][data-state=online]').waitFor({ timeout });
  }

  async waitLink(state: 'online' | 'offline' | 'connecting', timeout = WAIT_MS): Promise<void> {
    await this.page.locator(`[data-testid=link-state][data-state=${state}]`).waitFor({ timeout });
  }

  /** Network off (or on) for this phone only. */
  async setOffline(offline: boolean): Promise<void> {
    await this.context.setOffline(offline);
  }

  /**
   * A keyboard-wedge scanner: the characters, then Enter, as keydowns a few microseconds
   * apart, wherever the focus is. Dispatched inside the page, as one burst: typed through
   * the driver, each key is a round trip, and on a busy machine those came 50+ ms apart,
   * which the app rightly takes for a person typing (that rule is unit-tested in
   * tests/scanner-pwa/wedge.test.ts; real slow typing is tested in inputs.test.ts).
   */
  async wedge(text: string): Promise<void> {
    await this.page.evaluate((keys) => {
      (document.activeElement as HTMLElement | null)?.blur();
      for (const key of [...keys, 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    }, [...text]);
  }

  async typeCode(text: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Type code' }).click();
    const sheet = this.page.getByTestId('manual-entry');
    await sheet.getByRole('textbox').fill(text);
    await sheet.getByRole('button', { name: 'Check' }).click();
  }

  async search(query: string, ticketId: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Search' }).click();
    const sheet = this.page.getByTestId('search-panel');
    await sheet.getByRole('searchbox').fill(query);
    await sheet.locator(`[data-ticket-id="${ticketId}"]`).click();
  }

  verdict(): Locator {
    return this.page.getByTestId('verdict');
  }

  /** Wait for a verdict with this outcome (and offline flag, when given) and read it. */
  async expectVerdict(outcome: string, opts: { offline?: boolean; timeout?: number } = {}): Promise<VerdictSeen> {
    const sel = `[data-testid=verdict][data-outcome=${outcome}]${opts.offline === undefined ? '' : `[data-offline=${opts.offline}]`}`;
    const v = this.page.locator(sel);
    try {
      await v.waitFor({ timeout: opts.timeout ?? WAIT_MS });
    } catch (e) {
      throw new Error(`no ${sel} came: ${(e as Error).message.split('\n')[0]}\n${await this.#whatIsShown()}`);
    }
    return {
      outcome,
      offline: (await v.getAttribute('data-offline')) === 'true',
      word: (await this.page.getByTestId('verdict-word').textContent())?.trim() ?? '',
      text: (await v.innerText()).replace(/\s+/g, ' '),
    };
  }

  /** The screen as it is, for a failed wait: the verdict up if any, the rest of the page, what it reported. */
  async #whatIsShown(): Promise<string> {
    const screen = await this.page.evaluate(() => ({
      verdicts: [...document.querySelectorAll('[data-testid=verdict]')].map((el) =>
        `${el.getAttribute('data-outcome')} offline=${el.getAttribute('data-offline')}: ${(el as HTMLElement).innerText.replace(/\s+/g, ' ').slice(0, 200)}`),
      checking: document.querySelector('[data-testid=checking]') !== null,
      body: document.body.innerText.replace(/\s+/g, ' ').slice(0, 400),
    })).catch((e: unknown) => ({ verdicts: [], checking: false, body: `(page not readable: ${String(e)})` }));
    return [
      `verdicts on screen: ${screen.verdicts.length ? screen.verdicts.join(' | ') : 'none'}; deciding: ${screen.checking}`,
      `page: ${screen.body}`,
      `reported: ${this.#errors.length ? this.#errors.slice(-10).join(' | ') : 'nothing'}`,
    ].join('\n');
  }

  /**
   * Photograph the screen into docs/screenshots at the phone's width and at a laptop's,
   * as `<name>.png` and `<name>-laptop.png`, then go back to the phone's size.
   */
  async photograph(name: string): Promise<void> {
    const dir = join(process.cwd(), 'docs/screenshots');
    const phone = this.page.viewportSize();
    await this.page.screenshot({ path: join(dir, `${name}.png`) });
    await this.page.setViewportSize({ width: 1280, height: 800 });
    await this.page.screenshot({ path: join(dir, `${name}-laptop.png`) });
    if (phone) await this.page.setViewportSize(phone);
  }

  /** Settings: how long a verdict stays up before the camera comes back. */
  async setAutoReturn(seconds: number): Promise<void> {
    await this.page.getByRole('button', { name: 'Menu' }).click();
    const panel = this.page.getByTestId('settings-panel');
    const input = panel.getByLabel('Back to camera after (seconds)');
    await input.fill(String(seconds));
    await input.dispatchEvent('change');
    await panel.getByRole('button', { name: 'Close' }).click();
  }

  /** Close the verdict: its first footer button (Continue, Done, or Refuse on CHECK ID). */
  async dismissVerdict(): Promise<void> {
    const v = this.verdict();
    if (await v.count()) {
      await v.locator('footer button').first().click();
      await v.waitFor({ state: 'detached' });
    }
  }

  /** Undo on the verdict on screen, then the confirming tap: the verdict then says UNDONE. */
  async undoVerdict(): Promise<void> {
    const v = this.verdict();
    await v.getByTestId('undo').click();
    await v.getByTestId('undo-confirm').click();
    await this.page.locator('[data-testid=verdict][data-undone=true]').waitFor({ timeout: WAIT_MS });
  }

  /** In History: Undo on the row of `scanId`, then the confirming tap in that row. */
  async undoInHistory(scanId: string): Promise<void> {
    await this.page.getByRole('button', { name: 'History' }).click();
    const row = this.page.getByTestId('history-panel').locator(`tr[data-scan-id="${scanId}"]`);
    await row.getByTestId('undo').click();
    await row.getByTestId('undo-confirm').click();
    await row.locator('[data-undone-by]').waitFor({ timeout: WAIT_MS });
    await this.page.getByTestId('history-panel').getByRole('button', { name: 'Close' }).click();
  }

  /** History's rows as the inspector reads them: id, kind, and the outcome cell's text. */
  async historyRows(): Promise<Array<{ id: string; kind: string; ticketId: string; outcome: string; undone: boolean; undoOffered: boolean }>> {
    await this.page.getByRole('button', { name: 'History' }).click();
    const panel = this.page.getByTestId('history-panel');
    await panel.waitFor();
    const rows = await panel.locator('tr[data-scan-id]').evaluateAll((trs) => trs.map((r) => ({
      id: r.getAttribute('data-scan-id') ?? '', kind: r.getAttribute('data-kind') ?? '', ticketId: r.getAttribute('data-ticket-id') ?? '',
      outcome: (r.querySelector('[data-testid=scan-outcome]')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      undone: r.querySelector('[data-undone-by]') !== null, undoOffered: r.querySelector('[data-testid=undo]') !== null,
    })));
    await panel.getByRole('button', { name: 'Close' }).click();
    return rows;
  }

  /** Menu, then "Log out": signed out, or a notice that says why not (see notice()). */
  async tryLogOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Menu' }).click();
    await this.page.getByRole('button', { name: 'Log out' }).click();
  }

  /** The app's notice (a refusal that says why), when one is shown. */
  notice(): Locator {
    return this.page.getByTestId('notice');
  }

  async pending(): Promise<number> {
    return Number(await this.page.getByTestId('pending').getAttribute('data-count'));
  }

  async waitPending(count: number, timeout = WAIT_MS): Promise<void> {
    await this.page.locator(`[data-testid=pending][data-count="${count}"]`).waitFor({ timeout });
  }

  conflictAlert(): Locator {
    return this.page.getByTestId('conflict-alert');
  }

  /** The scan ids the history panel lists, newest first. */
  async historyScanIds(): Promise<string[]> {
    await this.page.getByRole('button', { name: 'History' }).click();
    const panel = this.page.getByTestId('history-panel');
    await panel.waitFor();
    const ids = await panel.locator('tr[data-scan-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-scan-id') ?? ''));
    await panel.getByRole('button', { name: 'Close' }).click();
    return ids;
  }
}
