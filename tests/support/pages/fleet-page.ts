// Page model of the console's Device fleet (scanner-pwa/src/screens/console/FleetScreen.svelte):
// what a supervisor reads of each phone, and the revocation with its confirming step.
import type { Locator, Page } from 'playwright-core';
import { WAIT_MS } from './scanner-page.ts';

export interface FleetRowSeen {
  id: string;
  online: boolean;
  silent: boolean;
  clockOff: boolean;
  revoked: boolean;
  version: string;
  seen: string;
  /** The row's text as a person reads it, spaces collapsed. */
  text: string;
}

export class FleetPage {
  constructor(readonly page: Page) {}

  /** From anywhere in the console: its navigation's Device fleet, loaded. */
  static async open(page: Page): Promise<FleetPage> {
    await page.getByRole('navigation').getByRole('link', { name: 'Device fleet' }).click();
    const f = new FleetPage(page);
    await f.section().locator('xpath=self::*[@data-status="ready"]').waitFor({ timeout: WAIT_MS });
    return f;
  }

  section(): Locator {
    return this.page.getByTestId('console-fleet');
  }

  row(deviceId: string): Locator {
    return this.section().locator(`tr[data-device-id="${deviceId}"]`);
  }

  async rows(): Promise<FleetRowSeen[]> {
    return this.section().locator('tr[data-device-id]').evaluateAll((trs) => trs.map((r) => ({
      id: r.getAttribute('data-device-id') ?? '', online: r.getAttribute('data-online') === 'true', silent: r.getAttribute('data-silent') === 'true',
      clockOff: r.getAttribute('data-clock-off') === 'true', revoked: r.getAttribute('data-revoked') === 'true',
      version: r.querySelector('[data-testid=fleet-version]')?.textContent?.trim() ?? '',
      seen: r.querySelector('[data-testid=fleet-seen]')?.textContent?.trim() ?? '',
      text: ((r as HTMLElement).innerText ?? '').replace(/\s+/g, ' ').trim(),
    })));
  }

  /** Wait until the phone's row is in this state (pushed: no reload). */
  async waitFor(deviceId: string, state: { online?: boolean; revoked?: boolean }): Promise<void> {
    const attrs = [
      state.online === undefined ? '' : `[data-online="${state.online}"]`,
      state.revoked === undefined ? '' : `[data-revoked="${state.revoked}"]`,
    ].join('');
    await this.section().locator(`tr[data-device-id="${deviceId}"]${attrs}`).waitFor({ timeout: WAIT_MS });
  }

  /** Revoke: the row's button, then the dialog's confirmation. */
  async revoke(deviceId: string): Promise<void> {
    await this.row(deviceId).getByRole('button', { name: /^Revoke/ }).click();
    const dialog = this.page.getByTestId('revoke-dialog');
    await dialog.waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Revoke this phone' }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });
  }
}
