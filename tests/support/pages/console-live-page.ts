// Page model of the console's Live and Conflicts sections (screens/console/LiveScreen.svelte,
// ConflictsScreen.svelte): what a supervisor reads there and does. Every wait is for what the
// page shows, with the e2e's generous limit.
import type { Locator, Page } from 'playwright-core';
import { WAIT_MS } from './scanner-page.ts';

export class LiveView {
  constructor(readonly page: Page) {}

  root(): Locator { return this.page.getByTestId('console-live'); }

  /** Subscribed, and the first snapshot drawn. */
  async ready(): Promise<void> {
    await this.page.locator('[data-testid=console-live][data-link=live]:not([data-cursor=""])').waitFor({ timeout: WAIT_MS });
  }

  async admitted(): Promise<number> { return Number(await this.root().getAttribute('data-admitted')); }

  async checkpointAdmitted(checkpointId: string): Promise<number> {
    return Number(await this.root().locator(`[data-testid=live-checkpoints] [data-checkpoint-id="${checkpointId}"]`).getAttribute('data-admitted'));
  }

  /** Wait until the page shows this (an attribute of a row in a card, or of the section). */
  async waitFor(selector: string): Promise<void> {
    await this.page.locator(`[data-testid=console-live] ${selector}`).waitFor({ timeout: WAIT_MS });
  }
}

export class ConflictsView {
  constructor(readonly page: Page) {}

  root(): Locator { return this.page.getByTestId('console-conflicts'); }

  async ready(): Promise<void> {
    await this.page.locator('[data-testid=console-conflicts][data-status=ready][data-link=live]').waitFor({ timeout: WAIT_MS });
  }

  conflict(ticketId: string): Locator {
    return this.root().locator(`[data-testid=conflict][data-ticket-id="${ticketId}"]`);
  }

  /** The ticket's conflict appears (pushed: the page is not reloaded). */
  async waitConflict(ticketId: string): Promise<Locator> {
    const c = this.conflict(ticketId);
    await c.waitFor({ timeout: WAIT_MS });
    return c;
  }

  async review(ticketId: string, note: string): Promise<void> {
    const c = this.conflict(ticketId);
    await c.getByLabel('Note').fill(note);
    await c.getByRole('button', { name: 'Mark reviewed' }).click();
  }

  async waitReviewed(ticketId: string): Promise<Locator> {
    const c = this.root().locator(`[data-testid=conflict][data-ticket-id="${ticketId}"][data-reviewed=true]`);
    await c.waitFor({ timeout: WAIT_MS });
    return c;
  }

  async waitQuarantined(scanId: string): Promise<Locator> {
    const row = this.root().locator(`[data-testid=quarantine-rows] tr[data-scan-id="${scanId}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    return row;
  }
}
