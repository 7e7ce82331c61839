// The holder's wallet as a test drives it: opened from a mail's link, read as a holder
// would read it (countdown, tickets, codes).
import type { BrowserContext, Page } from 'playwright-core';
import { WAIT_MS } from './scanner-page.ts';

export class WalletPage {
  constructor(readonly page: Page) {}

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
    await this.page.getByTestId('wallet-code').first().waitFor({ timeout: WAIT_MS });
    return this.page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('[data-testid=wallet-ticket]')]
      .map((li) => [li.dataset.ticket!, li.querySelector<HTMLElement>('[data-testid=wallet-code]')?.dataset.code ?? ''])));
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
