// The holder's wallet as a test drives it: opened from a mail's link, read as a holder
// would read it (countdown, tickets, codes).
import type { BrowserContext, Page } from 'playwright-core';
import { WAIT_MS } from './scanner-page.ts';

export class WalletPage {
  /** What the page said on its console and the requests that failed: told when a wait runs out. */
  readonly #heard: string[] = [];

  constructor(readonly page: Page) {
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') this.#heard.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => this.#heard.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => this.#heard.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => { if (r.status() >= 400) this.#heard.push(`response ${r.status()}: ${r.request().method()} ${r.url()}`); });
  }

  static async open(context: BrowserContext, link: string): Promise<WalletPage> {
    const page = await context.newPage();
    await page.goto(link);
    const wallet = new WalletPage(page);
    await wallet.page.getByTestId('wallet-event').waitFor({ timeout: WAIT_MS });
    return wallet;
  }

  async reload(): Promise<{ fromServiceWorker: boolean }> {
    const res = await this.page.reload();
    await this.page.getByTestId('wallet-event').waitFor({ timeout: WAIT_MS });
    return { fromServiceWorker: res?.fromServiceWorker() ?? false };
  }

  countdownLeft(): Promise<string> {
    return this.page.getByTestId('wallet-countdown-left').innerText({ timeout: WAIT_MS });
  }

  /** The codes on screen, by ticket id, once they are drawn. */
  async codes(): Promise<Record<string, string>> {
    await this.page.getByTestId('wallet-code').first().waitFor({ timeout: WAIT_MS }).catch(async (e: unknown) => {
      throw new Error(`no code on screen: ${await this.#state()}`, { cause: e });
    });
    return this.page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('[data-testid=wallet-ticket]')]
      .map((li) => [li.dataset.ticket!, li.querySelector<HTMLElement>('[data-testid=wallet-code]')?.dataset.code ?? ''])));
  }

  /** What the wallet shows now, and what was heard: for a wait that ran out. */
  async #state(): Promise<string> {
    const shown = await this.page.evaluate(() => {
      const w = document.querySelector<HTMLElement>('[data-testid=wallet]');
      const text = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid=${id}]`)].map((e) => e.innerText.trim()).join(' | ') || null;
      return { status: w?.dataset.status, offline: text('wallet-offline'), trouble: text('wallet-code-trouble'), countdown: text('wallet-countdown'), moved: text('wallet-moved') };
    }).catch((e: unknown) => ({ unreadable: String(e) }));
    return `${JSON.stringify(shown)}; heard: ${this.#heard.length ? this.#heard.join('; ') : 'nothing'}`;
  }

  ticketIds(): Promise<string[]> {
    return this.page.locator('[data-testid=wallet-ticket]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.ticket!));
  }

  /**
   * The wallet installed for offline use: the service worker active and controlling the
   * page. It claims the page when it first activates (clientsClaim); a page that claim has
   * not reached (loaded while the worker was still installing) is taken by the next
   * navigation, as the holder's next visit would be.
   */
  async waitForServiceWorker(): Promise<void> {
    await this.page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated', null, { timeout: WAIT_MS, polling: 250 });
    if (await this.page.evaluate(() => navigator.serviceWorker.controller === null)) await this.reload();
    await this.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: WAIT_MS });
  }
}
