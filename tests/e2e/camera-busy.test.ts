// Issue 9 through the whole app: the next visitor holds a ticket up while the first one's
// verdict is still being decided (the server's answer is held back here, as on a congested
// link). That code never leaves the camera's view, yet once the first verdict has been
// seen and dismissed it is read and gets its own verdict. Before, it was dropped while the
// app was busy and counted as seen by the repeat filter, so it was never read at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { writeQrVideo } from '../support/y4m.ts';
import { login, plain, serverScans, startWorld, takeTicket, ticketCode, type World } from './fixtures.ts';

let w: World;
let browser: Browser;
let dir: string;
const holders: Array<{ id: string; name: string }> = [];

beforeAll(async () => {
  w = await startWorld();
  for (let i = 0; i < 2; i++) {
    const t = takeTicket(w, (x) => plain(x) && x.holderName !== null);
    holders.push({ id: t.id, name: t.holderName! });
  }
  const [first, second] = await Promise.all(holders.map(async (h) => (await ticketCode(w, h.id)).code));
  dir = mkdtempSync(join(tmpdir(), 'gk-cam-busy-'));
  const video = join(dir, 'two.y4m');
  // One code for a second, the other for two, looped: neither is ever out of sight for the
  // 3 s repeat window, so each is one visitor holding a ticket up the whole time.
  await writeQrVideo(video, [{ text: first!, frames: 30 }, { text: second!, frames: 60 }], { noise: 6 });
  browser = await launchBrowser({ video });
});

afterAll(async () => {
  await browser?.close();
  await w?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a code held up while another verdict is being decided', () => {
  test('is read once that verdict has been seen and dismissed, though it never left view', async () => {
    // A patient budget (10 s): the first code stays "being decided" while its answer is held.
    const context = await newScanner(browser, { onlineBudgetMs: 10_000, autoReturnMs: 30_000 });
    let holding = true;
    const held: Array<() => void> = [];
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (holding && typeof m === 'string' && m.includes('"type":"verdict"')) held.push(() => ws.send(m));
        else ws.send(m);
      });
    });
    const phone = await ScannerPage.open(context, w.server.url);
    const l = login('inspector');
    await phone.signInAndChoose(l.username, l.password, 'Main gate');

    // The first code read is being decided; the video goes on showing both codes meanwhile.
    await phone.page.waitForFunction(() => document.querySelector('[data-testid=checking]') !== null, null, { timeout: WAIT_MS, polling: 50 });
    await phone.page.waitForTimeout(3_500);
    holding = false;
    for (const send of held.splice(0)) send();

    await phone.expectVerdict('valid', { offline: false, timeout: WAIT_MS });
    const firstName = await phone.page.getByTestId('holder-name').textContent();
    // While the first verdict is up, the other code (in view all along) does not replace it.
    await phone.page.waitForTimeout(1_500);
    expect(await phone.page.getByTestId('holder-name').textContent()).toBe(firstName);
    await phone.dismissVerdict();

    await phone.expectVerdict('valid', { timeout: WAIT_MS });
    const secondName = await phone.page.getByTestId('holder-name').textContent();
    expect([firstName, secondName].sort()).toEqual(holders.map((h) => h.name).sort());
    for (const h of holders) expect(await serverScans(w, h.id)).toHaveLength(1);
    await context.close();
  });
});
