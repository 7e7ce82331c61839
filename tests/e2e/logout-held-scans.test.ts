// Never log out with scans that have not reached the server, also when IndexedDB refused
// them and they are held in the page (issue 9: logout counted only the stored queue, so a
// phone whose storage was full could sign out and strand the scan). Once they are
// uploaded, logging out works.
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { eventually, login, serverScans, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

/** IndexedDB that refuses every read-write transaction while the page says the disk is full. */
function fillableDisk(): void {
  const open = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if ((window as { __diskFull?: boolean }).__diskFull && args[1] === 'readwrite') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return open.apply(this, args);
  } as IDBDatabase['transaction'];
}

describe('logging out with scans held in memory', () => {
  test('is refused with a message saying how many wait, and works once they are uploaded', async () => {
    const context = await newScanner(env.browser);
    await context.addInitScript(fillableDisk);
    const gate = await ScannerPage.open(context, env.w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    const diskFull = (full: boolean) => gate.page.evaluate((f) => { (window as { __diskFull?: boolean }).__diskFull = f; }, full);

    // Offline, the disk full: the holder is let in, the scan is held in the page.
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gate.setOffline(true);
    await gate.waitLink('offline');
    await diskFull(true);
    await gate.typeCode(code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.dismissVerdict();
    await gate.page.locator('[data-testid=unsaved-alert][data-count="1"]').waitFor({ timeout: WAIT_MS });
    await gate.waitPending(1);

    // Log out: refused, and said why.
    await gate.tryLogOut();
    await gate.notice().waitFor({ timeout: WAIT_MS });
    expect(await gate.notice().innerText()).toContain('1 scan on this phone has not been uploaded yet');
    await gate.notice().getByRole('button', { name: 'OK' }).click();
    expect(await gate.page.getByLabel('Username').count()).toBe(0);
    await gate.page.getByTestId('settings-panel').getByRole('button', { name: 'Close' }).click();

    // Online again (the disk still full): uploaded from memory, once.
    await gate.setOffline(false);
    await gate.waitOnline();
    await gate.waitPending(0);
    await eventually(() => serverScans(env.w, t.id), (s) => s.length === 1);

    // Space back: now logging out works, and leaves the login screen.
    await diskFull(false);
    await gate.tryLogOut();
    await gate.page.getByLabel('Username').waitFor({ timeout: WAIT_MS });
    expect(await gate.notice().count()).toBe(0);
    expect(await serverScans(env.w, t.id)).toHaveLength(1);
    await context.close();
  });
});
