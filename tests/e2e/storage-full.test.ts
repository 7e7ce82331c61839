// A phone whose storage refuses writes (full, or the database connection lost) while the
// gate is offline: the verdict still shows, the scan is held in the page and said so in red,
// closing the page asks first, a reload keeps it (and the next decision sees it), and the
// scan reaches the server once, whether it is uploaded from memory or written to storage
// when space returns and uploaded from the queue.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { eventually, login, serverScans, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

/**
 * IndexedDB as on a full phone: while the tab's session says the disk is full (it outlives
 * a reload, as a full disk does), every read-write transaction fails.
 */
function fillableDisk(): void {
  const open = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    if (sessionStorage.getItem('gk-disk-full') === '1' && args[1] === 'readwrite') {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return open.apply(this, args);
  } as IDBDatabase['transaction'];
}

describe('storage full', () => {
  test('an offline scan storage refuses is shown, held, guarded against closing, and uploaded once', async () => {
    const context = await newScanner(env.browser);
    await context.addInitScript(fillableDisk);
    const gate = await ScannerPage.open(context, env.w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    // The reload below happens offline: the shell must come from the service worker.
    await gate.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: WAIT_MS });
    const diskFull = (full: boolean) => gate.page.evaluate((f) => { sessionStorage.setItem('gk-disk-full', f ? '1' : '0'); }, full);
    const alert = gate.page.getByTestId('unsaved-alert');

    // Offline with a full disk: the holder is let in and the inspector is told.
    const t1 = takeTicket(env.w);
    const c1 = await ticketCode(env.w, t1.id);
    await gate.setOffline(true);
    await gate.waitLink('offline');
    await diskFull(true);
    await gate.wedge(c1.code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.dismissVerdict();
    await alert.waitFor();
    expect(await alert.getAttribute('data-count')).toBe('1');
    expect(await alert.getAttribute('title')).toMatch(/QuotaExceededError/);
    await gate.waitPending(1);
    await gate.page.screenshot({ path: join(process.cwd(), 'docs/screenshots/18-storage-full.png') });

    // Trying again while still full changes nothing and breaks nothing.
    await alert.getByRole('button', { name: 'Try again' }).click();
    await gate.page.waitForTimeout(300);
    expect(await alert.getAttribute('data-count')).toBe('1');

    // Leaving the page now would lose the scan from memory: the browser asks first. Staying
    // keeps this very page (the marker set on it is still there).
    const leave = (answer: 'accept' | 'dismiss') => {
      const asked = new Promise<string>((resolve) => gate.page.once('dialog', (d) => { resolve(d.type()); void d[answer](); }));
      // The page may be gone before evaluate answers: what counts is the dialog.
      return gate.page.evaluate(() => { (window as { __before?: boolean }).__before = true; location.reload(); }).catch(() => undefined).then(() => asked);
    };
    expect(await leave('dismiss')).toBe('beforeunload');
    await gate.page.waitForTimeout(300);
    expect(await gate.page.evaluate(() => (window as { __before?: boolean }).__before)).toBe(true);

    // Reloaded all the same (the inspector insisted), disk still full: the scan is back, and
    // the same ticket again is ALREADY SCANNED, decided with it. That refusal is held too.
    expect(await leave('accept')).toBe('beforeunload');
    await gate.page.waitForFunction(() => !(window as { __before?: boolean }).__before);
    await gate.page.getByTestId('checkpoint-name').waitFor();
    await alert.waitFor();
    expect(await alert.getAttribute('data-count')).toBe('1');
    await gate.wedge(c1.code);
    await gate.expectVerdict('already_used', { offline: true });
    await gate.dismissVerdict();
    await eventually(async () => alert.getAttribute('data-count'), (n) => n === '2');

    // Network back, disk still full: uploaded from memory, once.
    await gate.setOffline(false);
    await gate.waitOnline();
    await alert.waitFor({ state: 'detached', timeout: WAIT_MS });
    await gate.waitPending(0);
    const s1 = await eventually(() => serverScans(env.w, t1.id), (s) => s.length === 2);
    expect(s1.map((s) => `${s.outcome} ${s.offline}`).sort()).toEqual(['already_used true', 'valid true']);

    // Offline again, a second scan refused by storage; space comes back and "Try again"
    // stores it in the queue, which survives a reload and uploads once.
    const t2 = takeTicket(env.w);
    const c2 = await ticketCode(env.w, t2.id);
    await gate.setOffline(true);
    await gate.waitLink('offline');
    await gate.wedge(c2.code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.dismissVerdict();
    await alert.waitFor();
    await diskFull(false);
    // "Try again" writes at once; the retry timer may beat the tap to it.
    await alert.getByRole('button', { name: 'Try again' }).click({ timeout: 2_000 }).catch(() => {});
    await alert.waitFor({ state: 'detached' });
    await gate.waitPending(1);
    await gate.page.reload();
    await gate.page.getByTestId('checkpoint-name').waitFor();
    await gate.waitPending(1);
    await gate.setOffline(false);
    await gate.waitPending(0);
    expect(await eventually(() => serverScans(env.w, t2.id), (s) => s.length === 1)).toHaveLength(1);
    expect(await serverScans(env.w, t1.id)).toHaveLength(2);
    await context.close();
  });
});
