// A gate phone's screen stays on while it scans (Screen Wake Lock, real in Chromium on a
// secure origin). When the page is hidden (phone locked, another app in front) the camera
// is let go and the browser drops the lock; shown again, the camera restarts and the lock
// is taken again. Leaving the scan screen lets the screen sleep. Headless Chromium cannot
// hide a page, so the test says "hidden" and "visible" the way the browser does: through
// document.visibilityState and a visibilitychange event.
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { login, worldForFile } from './fixtures.ts';

const env = worldForFile();

/** Every wake lock the page is given, kept on window for the test to look at. */
function recordWakeLocks(): void {
  const given: WakeLockSentinel[] = [];
  (window as unknown as { __locks: WakeLockSentinel[] }).__locks = given;
  const request = navigator.wakeLock.request.bind(navigator.wakeLock);
  navigator.wakeLock.request = async (type?: 'screen') => {
    const s = await request(type);
    given.push(s);
    return s;
  };
}

describe('screen awake', () => {
  test('the lock is held while scanning, taken again after the page was hidden, and let go off the scan screen', async () => {
    const context = await newScanner(env.browser);
    await context.addInitScript(recordWakeLocks);
    const gate = await ScannerPage.open(context, env.w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    const camera = (state: string) => gate.page.locator(`[data-testid=camera-status][data-state=${state}]`).waitFor();
    const locks = () => gate.page.evaluate(() => (window as unknown as { __locks: WakeLockSentinel[] }).__locks.map((s) => s.released));
    await camera('running');
    await expect.poll(locks).toEqual([false]);

    const setVisibility = (v: 'hidden' | 'visible') => gate.page.evaluate(async (state) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
      // What the browser does to a hidden page's lock.
      if (state === 'hidden') await (window as unknown as { __locks: WakeLockSentinel[] }).__locks.at(-1)?.release();
      document.dispatchEvent(new Event('visibilitychange'));
    }, v);

    await setVisibility('hidden');
    await camera('idle');
    expect(await locks()).toEqual([true]);

    await setVisibility('visible');
    await camera('running');
    await expect.poll(locks).toEqual([true, false]);
    await gate.waitOnline();

    // Off the scan screen: the screen may sleep again.
    await gate.page.getByRole('button', { name: 'Menu' }).click();
    await gate.page.getByRole('button', { name: 'Change checkpoint' }).click();
    await gate.page.getByRole('button', { name: 'Start scanning' }).waitFor();
    await expect.poll(locks).toEqual([true, true]);
    await context.close();
  });

  test('a env.browser without a wake lock scans all the same, and the menu says to lengthen the screen timeout', async () => {
    const context = await newScanner(env.browser);
    await context.addInitScript(() => { delete (Navigator.prototype as { wakeLock?: unknown }).wakeLock; });
    const gate = await ScannerPage.open(context, env.w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    await gate.page.locator('[data-testid=camera-status][data-state=running]').waitFor();
    await gate.page.getByRole('button', { name: 'Menu' }).click();
    const notice = gate.page.getByTestId('screen-awake');
    await notice.waitFor();
    expect(await notice.getAttribute('data-state')).toBe('unsupported');
    expect(await notice.textContent()).toMatch(/longer screen timeout/);
    await context.close();
  });
});
