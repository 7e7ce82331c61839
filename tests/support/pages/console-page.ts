// Page model of the supervisors' console (scanner-pwa/src/screens/Console.svelte): what a
// supervisor does in History (filter, load, open a ticket's story, export) and what the
// screen says. Tests read like the issue.
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { until } from '../until.ts';
import { layoutFaults } from './layout-faults.ts';
import { WAIT_MS } from './scanner-page.ts';

export interface HistoryRowSeen {
  id: string;
  ticketId: string;
  outcome: string;
  kind: string;
  offline: boolean;
  holder: string;
  /** The row's text as a person reads it, spaces collapsed. */
  text: string;
}

/** The console's sections as its navigation names them (English). */
export type ConsoleSectionName = 'Live' | 'Conflicts' | 'History';

export interface HistoryFilterInput {
  code?: string;
  holder?: string;
  /** An outcome's value (`already_used`), as the server names it. */
  outcome?: string;
  link?: '' | 'online' | 'offline';
}

export class ConsolePage {
  constructor(readonly page: Page, readonly base: string) {}

  /**
   * A fresh page of this context, signed in as `username`, opened on the console from the
   * setup screen (where it opens: Live), then on `section` by its navigation.
   */
  static async signIn(context: BrowserContext, base: string, username: string, password: string, section: ConsoleSectionName = 'History'): Promise<ConsolePage> {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(base + '/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('open-console').click();
    const c = new ConsolePage(page, base);
    await c.open(section);
    return c;
  }

  /** Open a section from the console's navigation; History is waited for until loaded. */
  async open(section: ConsoleSectionName): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: section, exact: true }).click();
    await this.page.locator(`[data-testid=console][data-section=${section.toLowerCase()}]`).waitFor({ timeout: WAIT_MS });
    if (section === 'History') await this.settled();
  }

  history(): Locator {
    return this.page.getByTestId('console-history');
  }

  /** Wait until the page on screen is the one for the filters in the address, loaded. */
  async settled(): Promise<void> {
    await this.history().waitFor({ timeout: WAIT_MS });
    const query = new URL(this.page.url()).search.replace(/^\?/, '');
    await this.page.locator(`[data-testid=console-history][data-status=ready][data-query="${query}"], [data-testid=console-history][data-status=error]`)
      .waitFor({ timeout: WAIT_MS });
  }

  async rows(): Promise<HistoryRowSeen[]> {
    await this.settled();
    return this.history().locator('tr[data-scan-id]').evaluateAll((trs) => trs.map((r) => ({
      id: r.getAttribute('data-scan-id') ?? '', ticketId: r.getAttribute('data-ticket-id') ?? '', outcome: r.getAttribute('data-outcome') ?? '',
      kind: r.getAttribute('data-kind') ?? '', offline: r.getAttribute('data-offline') === 'true',
      holder: r.querySelector('[data-testid=holder]')?.textContent?.trim() ?? '',
      text: ((r as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim(),
    })));
  }

  /** Set the filters given (others as they are), then "Show scans", and wait for the page. */
  async filter(f: HistoryFilterInput): Promise<void> {
    const bar = this.page.getByTestId('history-filters');
    if ((await bar.getAttribute('open')) === null) await bar.locator('summary').click();
    if (f.code !== undefined) await bar.getByLabel('Ticket or order number').fill(f.code);
    if (f.holder !== undefined) await bar.getByLabel('Holder or buyer name').fill(f.holder);
    if (f.outcome !== undefined) await bar.getByLabel('Outcome').selectOption(f.outcome);
    if (f.link !== undefined) await bar.getByLabel('Online or offline').selectOption(f.link);
    await bar.getByRole('button', { name: 'Show scans' }).click();
    await this.settled();
  }

  /** The Export CSV link's address, as the browser would download it. */
  async csvHref(): Promise<string> {
    const href = await this.page.getByTestId('export-csv').getAttribute('href');
    return new URL(href ?? '', this.base).href;
  }

  /** Open a ticket's story from its row (anywhere on the row opens it) and wait for it. */
  async openStory(scanId: string): Promise<Locator> {
    await this.history().locator(`tr[data-scan-id="${scanId}"] [data-testid=open-story]`).click();
    const story = this.page.getByTestId('ticket-story');
    await story.locator('[data-status=ready]').waitFor({ timeout: WAIT_MS });
    return story;
  }

  async closeStory(): Promise<void> {
    const story = this.page.getByTestId('ticket-story');
    await story.getByRole('button', { name: 'Close' }).click();
    await story.waitFor({ state: 'detached' });
  }

  /** Whether the open section's tab lies wholly inside the navigation's box (not cut off by its scroll). */
  async currentTabInView(): Promise<boolean> {
    return this.page.locator('[data-testid=console] nav').evaluate((nav) => {
      const tab = nav.querySelector('a[aria-current="page"]');
      if (!tab) return false;
      const row = nav.getBoundingClientRect();
      const box = tab.getBoundingClientRect();
      return box.left >= row.left && box.right <= row.right && box.top >= row.top && box.bottom <= row.bottom;
    });
  }

  /**
   * Switch the console's language from its bar, as a supervisor does, and wait until the
   * screen speaks it. A sheet open over the console (a ticket's story) covers the bar: the
   * button is then pressed without a pointer, which draws the same screen as a person who
   * had switched before opening the sheet.
   */
  async setLanguage(lang: 'en' | 'nl'): Promise<void> {
    const button = this.page.getByTestId('console').locator(`header button[lang=${lang}]`);
    if (await this.page.locator('[role=dialog][aria-modal=true]').count()) await button.dispatchEvent('click');
    else await button.click();
    await this.page.locator(`html[lang=${lang}] [data-testid=console] nav[aria-label="${SECTIONS_LABEL[lang]}"]`).waitFor({ timeout: WAIT_MS });
  }

  /**
   * Photograph the screen into docs/screenshots at a phone's width (390) and a laptop's
   * (1280), in English and in Dutch (switched in the console's bar, on this same page):
   * `<name>.png`, `<name>-laptop.png`, `<name>-nl.png`, `<name>-nl-laptop.png`; then back
   * to English at the size it had. Each shot first checks what a person would see broken
   * (text cut off or spilling over its box, a page that scrolls sideways, the open
   * section's tab out of view), so a longer Dutch word fails the test, not just the picture.
   */
  async photograph(name: string, opts: { scrolledTo?: string } = {}): Promise<void> {
    const before = this.page.viewportSize();
    // Switched on the phone's width, as a supervisor walking the gates would: the row of tabs
    // keeps its width while the names in it grow.
    await this.#shoot(name, 390, opts.scrolledTo);
    await this.setLanguage('nl');
    await this.#shoot(`${name}-nl`, 390, opts.scrolledTo);
    await this.#shoot(`${name}-nl-laptop`, 1280, opts.scrolledTo);
    await this.setLanguage('en');
    await this.#shoot(`${name}-laptop`, 1280, opts.scrolledTo);
    if (before) await this.page.setViewportSize(before);
  }

  /** `scrolledTo`: the test id of what the shot is about, when it lies below a phone's first screen. */
  async #shoot(file: string, width: 390 | 1280, scrolledTo?: string): Promise<void> {
    await this.page.setViewportSize(width === 390 ? { width: 390, height: 844 } : { width: 1280, height: 800 });
    // From the top, as a person opening the section sees it (a button clicked last scrolls).
    await this.page.evaluate(() => scrollTo(0, 0));
    if (scrolledTo) await this.page.getByTestId(scrolledTo).scrollIntoViewIfNeeded();
    // The open section's tab in the phone's row of tabs, whole (Console.svelte scrolls it into view).
    await until(() => this.currentTabInView(), `the open section\u2019s tab wholly in view (${file})`, WAIT_MS);
    expect(await layoutFaults(this.page), `layout of ${file}`).toEqual([]);
    await this.page.screenshot({ path: join(process.cwd(), 'docs/screenshots', `${file}.png`) });
  }
}

/** The navigation's name in each language (the catalogues' consoleSections). */
const SECTIONS_LABEL = { en: 'Console sections', nl: 'Onderdelen van de console' } as const;
