// A phone that loses the network keeps working: the app shell comes from the service
// worker, scans queue in IndexedDB, survive a reload and a browser restart, and upload
// exactly once when the network is back.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PersistentPhone } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { eventually, login, serverScans, startWorld, takeTicket, ticketCode, type World } from './fixtures.ts';

let w: World;
const phone = new PersistentPhone();

beforeAll(async () => {
  w = await startWorld();
});

afterAll(async () => {
  await phone.dispose();
  await w?.server.close();
});

async function openOffline(base: string): Promise<{ gate: ScannerPage; fromServiceWorker: boolean }> {
  const context = phone.context ?? (await phone.launch());
  await context.setOffline(true);
  const page = context.pages()[0] ?? (await context.newPage());
  const res = await page.goto(base);
  const gate = new ScannerPage(page, base);
  await gate.page.getByTestId('checkpoint-name').waitFor();
  return { gate, fromServiceWorker: res?.fromServiceWorker() ?? false };
}

describe('offline', () => {
  test('app shell from the service worker; queued scans survive reload and restart and upload exactly once', async () => {
    const t1 = takeTicket(w);
    const t2 = takeTicket(w);
    const [c1, c2] = await Promise.all([ticketCode(w, t1.id), ticketCode(w, t2.id)]);

    const context = await phone.launch();
    let gate = await ScannerPage.open(context, w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    await gate.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: WAIT_MS });

    // Network off, reload: the shell and the camera code come from the service worker.
    let opened = await openOffline(w.server.url);
    expect(opened.fromServiceWorker).toBe(true);
    gate = opened.gate;
    await gate.waitLink('offline');
    await gate.wedge(c1.code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.waitPending(1);

    // Reload, still offline: the queue is still there, and scanning goes on.
    await gate.page.reload();
    await gate.page.getByTestId('checkpoint-name').waitFor();
    await gate.waitPending(1);
    await gate.wedge(c2.code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.dismissVerdict();
    await gate.waitPending(2);
    const queued = await gate.historyScanIds();

    // Restart the browser (same profile), still offline.
    await phone.close();
    opened = await openOffline(w.server.url);
    gate = opened.gate;
    expect(opened.fromServiceWorker).toBe(true);
    await gate.waitPending(2);
    expect(await serverScans(w, t1.id)).toHaveLength(0);

    // Network back: both upload, once each, with the ids made on the phone.
    await gate.setOffline(false);
    await gate.waitPending(0);
    const s1 = await eventually(() => serverScans(w, t1.id), (s) => s.length === 1);
    const s2 = await serverScans(w, t2.id);
    expect(s2).toHaveLength(1);
    expect(queued).toEqual(expect.arrayContaining([s1[0].id, s2[0].id]));
    expect(s1[0].offline).toBe(true);

    // Another reload online uploads nothing again.
    await gate.page.reload();
    await gate.waitOnline();
    await gate.page.waitForTimeout(500);
    expect(await serverScans(w, t1.id)).toHaveLength(1);
    expect(await serverScans(w, t2.id)).toHaveLength(1);
  });
});
