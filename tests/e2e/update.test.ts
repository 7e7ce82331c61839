// Never a reload mid-queue: a new version of the app is offered, and applied only when no
// scan waits to upload. Signing out with scans waiting is refused with an explanation.
// The server serves a copy of the build, whose service worker the test then changes.
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, newScanner } from '../support/browser.ts';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { login, startWorld, takeTicket, ticketCode, type World } from './fixtures.ts';

let w: World;
let browser: Browser;
const pwaDir = mkdtempSync(join(tmpdir(), 'gk-pwa-copy-'));

beforeAll(async () => {
  cpSync(join(process.cwd(), 'dist/pwa'), pwaDir, { recursive: true });
  w = await startWorld(60, { pwaDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await w?.server.close();
  rmSync(pwaDir, { recursive: true, force: true });
});

describe('updates and sign-out wait for the queue', () => {
  test('an update is offered but not applied while a scan waits; applied once the queue is empty', async () => {
    const context = await newScanner(browser);
    // The socket can be cut on its own, so HTTP (and the update check) still work.
    let socketBlocked = false;
    await context.routeWebSocket(/\/ws$/, (ws) => { if (socketBlocked) ws.close(); else ws.connectToServer(); });
    const gate = await ScannerPage.open(context, w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    await gate.page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    // A scan that cannot upload yet.
    socketBlocked = true;
    await gate.setOffline(true);
    await gate.waitLink('offline');
    await gate.setOffline(false);
    const { code } = await ticketCode(w, takeTicket(w).id);
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.dismissVerdict();
    await gate.waitPending(1);

    // Signing out now would strand the scan: refused, with the reason.
    await gate.page.getByRole('button', { name: 'Menu' }).click();
    await gate.page.getByRole('button', { name: 'Log out' }).click();
    const notice = gate.page.getByRole('alertdialog');
    expect(await notice.textContent()).toContain('1 scan on this phone has not been uploaded yet');
    await notice.getByRole('button', { name: 'OK' }).click();
    await gate.page.getByTestId('settings-panel').getByRole('button', { name: 'Close' }).click();

    // A new version of the app appears on the server.
    appendFileSync(join(pwaDir, 'sw.js'), `\n// update ${Date.now()}\n`);
    await gate.page.evaluate(() => { (window as unknown as { beforeUpdate: boolean }).beforeUpdate = true; });
    await gate.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const banner = gate.page.getByTestId('update-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('The update waits until 1 scan is uploaded');
    expect(await banner.getByRole('button', { name: 'Update now' }).isDisabled()).toBe(true);
    await gate.page.waitForTimeout(500);
    expect(await gate.page.evaluate(() => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate)).toBe(true);

    // The socket comes back, the queue empties, and only then can the update be applied.
    socketBlocked = false;
    await gate.setOffline(true);
    await gate.setOffline(false);
    await gate.waitPending(0);
    const button = banner.getByRole('button', { name: 'Update now' });
    expect(await button.isEnabled()).toBe(true);
    await Promise.all([gate.page.waitForEvent('load'), button.click()]);
    await gate.page.getByTestId('checkpoint-name').waitFor();
    expect(await gate.page.evaluate(() => (window as unknown as { beforeUpdate?: boolean }).beforeUpdate)).toBeUndefined();
    expect(await gate.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
    expect(await gate.page.getByTestId('update-banner').count()).toBe(0);
    await gate.waitPending(0);
    await context.close();
  });
});
