// The camera path through the whole app: Chromium's fake camera plays a Y4M video of a
// real signed ticket code made in this test; the app decodes it, the server admits it,
// and the verdict screen names the inspector, the code word and the holder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { until } from '../support/until.ts';
import { writeQrVideo } from '../support/y4m.ts';
import { login, plain, serverScans, startWorld, takeTicket, ticketCode, type World } from './fixtures.ts';

let w: World;
let browser: Browser;
let dir: string;
let holder: { id: string; name: string };

beforeAll(async () => {
  w = await startWorld();
  const t = takeTicket(w, (x) => plain(x) && x.holderName !== null);
  holder = { id: t.id, name: t.holderName! };
  const { code } = await ticketCode(w, t.id);
  dir = mkdtempSync(join(tmpdir(), 'gk-cam-'));
  const video = join(dir, 'ticket.y4m');
  // The code for two seconds, then an empty gate for one: the fake camera loops the file.
  await writeQrVideo(video, [{ text: code, frames: 60 }, { blank: 30 }], { noise: 6 });
  browser = await launchBrowser({ video });
});

afterAll(async () => {
  await browser?.close();
  await w?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('camera scanning', () => {
  test('a real QR code in front of the camera: VALID with inspector, code word and holder on screen', async () => {
    const phone = await ScannerPage.open(await newScanner(browser), w.server.url);
    const l = login('inspector');
    await phone.signInAndChoose(l.username, l.password, 'Main gate');

    const v = await phone.expectVerdict('valid', { offline: false, timeout: WAIT_MS });
    expect(v.word).toBe('VALID');
    expect(await phone.page.getByTestId('inspector-name').textContent()).toBe(l.name);
    expect(await phone.page.getByTestId('code-word').textContent()).toBe('Blue Heron');
    expect(await phone.page.getByTestId('holder-name').textContent()).toBe(holder.name);
    // The clock on the verdict runs: a copied page cannot keep time.
    const clock = phone.page.getByTestId('running-clock');
    // It ticks each second; a loaded machine may paint the next one late, so what is
    // asserted is that it changes, not when.
    const before = await clock.textContent();
    await until(async () => (await clock.textContent()) !== before, 'the verdict clock to tick', WAIT_MS);

    // The camera stays open and keeps seeing the same code: not a new scan.
    await phone.dismissVerdict();
    await phone.page.waitForTimeout(1500);
    const scans = await serverScans(w, holder.id);
    expect(scans).toHaveLength(1);
    expect(scans[0].outcome).toBe('valid');
    await phone.context.close();
  });
});
