// Gecko, the engine of Firefox on Android, as Debian ships it (firefox-esr), driven over
// WebDriver BiDi by puppeteer-core. BiDi is spoken by Firefox itself, so no geckodriver is
// needed (Debian does not package one, and webdriverio would fetch it at run time). One
// Firefox per test file; each phone is a user context of it (its own cookies, IndexedDB
// and service workers), as Chromium's tests give each phone its own browser context.
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { ENGINE_START_MS, PHONE_VIEWPORT, TIME_ZONE, isXPath, type Engine, type Phone, type Selector } from './engine.ts';

export const FIREFOX_PATH = process.env.GK_FIREFOX ?? '/usr/bin/firefox-esr';

const START_MS = ENGINE_START_MS;
const WAIT_MS = 120_000;

const query = (selector: Selector) => (isXPath(selector) ? `::-p-xpath(${selector})` : selector);

class FirefoxPhone implements Phone {
  readonly engine = 'firefox' as const;
  constructor(private readonly context: BrowserContext, private readonly page: Page) {}

  async goto(url: string) { await this.page.goto(url, { timeout: WAIT_MS }); }
  async reload() { await this.page.reload({ timeout: WAIT_MS }); }

  async click(selector: Selector) {
    const el = await this.page.waitForSelector(query(selector), { visible: true, timeout: WAIT_MS });
    await el!.click();
  }

  async type(selector: Selector, text: string) {
    const el = await this.page.waitForSelector(query(selector), { visible: true, timeout: WAIT_MS });
    await el!.click({ count: 3 });
    await el!.evaluate((input) => { (input as HTMLInputElement).select(); });
    await this.page.keyboard.press('Backspace');
    await el!.type(text);
  }

  async text(selector: Selector) {
    const el = await this.page.$(query(selector));
    if (!el) throw new Error(`no element ${selector}`);
    return el.evaluate((e) => ((e as HTMLElement).innerText ?? e.textContent ?? '').trim());
  }

  async attribute(selector: Selector, name: string) {
    const el = await this.page.$(query(selector));
    if (!el) throw new Error(`no element ${selector}`);
    return el.evaluate((e, n) => e.getAttribute(n), name);
  }

  async count(selector: Selector) { return (await this.page.$$(query(selector))).length; }

  async waitFor(selector: Selector, timeoutMs = WAIT_MS) {
    await this.page.waitForSelector(query(selector), { visible: true, timeout: timeoutMs });
  }

  async evaluate<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R> {
    return this.page.evaluate(fn as (...a: unknown[]) => R, ...args) as Promise<R>;
  }

  async screenshot(path: string) { await this.page.screenshot({ path: path as `${string}.png` }); }
  async close() { await this.context.close().catch(() => {}); }
}

export async function launchFirefox(): Promise<Engine> {
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX_PATH, headless: true, timeout: START_MS, protocolTimeout: START_MS,
    env: { ...process.env, TZ: TIME_ZONE },
  });
  return {
    name: 'firefox',
    async newPhone() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ ...PHONE_VIEWPORT, deviceScaleFactor: 2 });
      return new FirefoxPhone(context, page);
    },
    async close() { await browser.close(); },
  };
}
