// The supervisors' demo sheet: real ticket and order codes as QR codes. Opened straight
// after signing in, while the event's manifest is still on its way (a slow venue network,
// simulated by holding the download back), it fills in once the manifest arrives.
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { login, worldForFile } from './fixtures.ts';

const env = worldForFile();

describe('demo codes', () => {
  test('opened before the manifest has arrived, the sheet fills in when it does', async () => {
    const context = await newScanner(env.browser);
    await context.route('**/api/events/*/manifest*', async (route) => {
      await new Promise((r) => setTimeout(r, 2_500));
      await route.continue();
    });
    const sup = await ScannerPage.open(context, env.w.server.url);
    await sup.login(login('supervisor').username, login('supervisor').password);
    await sup.page.getByRole('button', { name: 'Demo codes' }).click();
    await sup.page.getByTestId('demo-orders').locator('svg').first().waitFor({ timeout: WAIT_MS });
    const tickets = await sup.page.locator('[data-testid=demo-tickets] figure').count();
    const orders = await sup.page.locator('[data-testid=demo-orders] figure').count();
    expect(tickets).toBeGreaterThanOrEqual(8);
    expect(orders).toBeGreaterThan(0);
    expect(await sup.page.locator('[data-testid=demo-tickets] figure svg').count()).toBe(tickets);
    await context.close();
  });
});
