// pwa.firstRead: ms from tapping "Start scanning" to the verdict painted for a code that is
// already in front of the camera, with the network off: the app shell and the decoder come
// from the service worker's cache, the tickets from the phone's storage. The built app,
// served once by the real sync server (then cut off), headless Chromium whose fake camera
// plays a Y4M of a real signed ticket's QR code (tests/support/y4m.ts, as in
// tests/e2e/scan-camera.test.ts). Each repetition is a fresh page (a new document, no
// worker yet) on the setup screen of a signed-in phone; the tap is timed by the page's own
// click event. The breakdown comes from the marks the app leaves (START_MARKS in
// scanner-pwa/src/camera/camera-scanner.ts, PERF in scanner-pwa/src/lib/platform/paint.ts).
// No baseline: the target is absolute.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, newScanner } from '../tests/support/browser.ts';
import { ScannerPage } from '../tests/support/pages/scanner-page.ts';
import { HttpSession } from '../tests/support/scanner-client.ts';
import { login, startTestServer } from '../tests/support/server.ts';
import { writeQrVideo } from '../tests/support/y4m.ts';
import { ensurePwaBuilt } from './pwa-support.ts';
import { fmt, median, spread } from './support/stats.ts';
import type { Bench } from './types.ts';

const TICKETS = 100_000;
const WARMUP = 1;
const REPS = 7;
const TARGET_MS = 1_000;
const TICKET = 'T00001';
/** Marks read from the page, each the first of its name after the tap (ms after the tap). */
const STEPS = {
  screen: 'gk:camera-start',
  decoder: 'gk:decoder-ready',
  stream: 'gk:camera-streaming',
  frame: 'gk:camera-ready',
  read: 'gk:first-read',
} as const;
const PAINTED = 'gk:decode-to-verdict-painted';

type Step = keyof typeof STEPS;
type Times = Record<Step | 'painted', number>;

/**
 * A fresh page of the signed-in phone on its setup screen: the stored checkpoint choice is
 * removed first, or the app would go straight back to scanning (as it should at a gate).
 */
async function freshSetupPage(context: BrowserContext, old: Page, url: string): Promise<Page> {
  await old.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('gatekeeper');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('meta', 'readwrite');
      tx.objectStore('meta').delete('selection');
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await old.close();
  const page = await context.newPage();
  const res = await page.goto(url);
  if (!res?.fromServiceWorker()) throw new Error('offline navigation was not answered by the service worker');
  await page.getByRole('radio', { name: 'Main gate' }).check();
  await page.getByRole('radio', { name: 'Entry' }).check();
  return page;
}

/** Tap "Start scanning", wait for the verdict painted, return each step's time after the tap. */
async function firstRead(page: Page): Promise<Times> {
  await page.evaluate(() => {
    addEventListener('click', (e) => { performance.mark('bench:tap', { startTime: e.timeStamp }); }, { capture: true, once: true });
  });
  await page.getByRole('button', { name: 'Start scanning' }).click();
  await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, PAINTED, { timeout: 30_000 });
  // (No named helper functions in here: tsx wraps them in a __name() the page lacks.)
  return page.evaluate(({ steps, painted }) => {
    const tap = performance.getEntriesByName('bench:tap')[0]!.startTime;
    const verdict = performance.getEntriesByName(painted)[0]!;
    const out: Record<string, number> = { painted: verdict.startTime + verdict.duration - tap };
    for (const [step, name] of Object.entries(steps)) {
      out[step] = (performance.getEntriesByName(name).find((e) => e.startTime >= tap)?.startTime ?? Number.NaN) - tap;
    }
    return out as Times;
  }, { steps: STEPS, painted: PAINTED });
}

export const run: Bench = async () => {
  await ensurePwaBuilt();
  const loadStart = loadavg()[0]!;
  const dir = await mkdtemp(join(tmpdir(), 'gatekeeper-bench-firstread-'));
  const server = await startTestServer({ demoTickets: TICKETS });
  try {
    const sup = await HttpSession.login(server.url, login('supervisor').username, login('supervisor').password);
    const r = await sup.request('GET', `/api/events/demo-festival/tickets/${TICKET}/code`);
    if (r.status !== 200) throw new Error(`no code for ${TICKET}: ${r.status}`);
    const video = join(dir, 'ticket.y4m');
    // The code stays in view the whole time (the fake camera loops the file), with sensor noise.
    await writeQrVideo(video, [{ text: r.json.code as string, frames: 30 }], { noise: 6 });
    const browser = await launchBrowser({ video });
    try {
      const context = await newScanner(browser);
      const gate = await ScannerPage.open(context, server.url);
      const l = login('inspector');
      await gate.signInAndChoose(l.username, l.password, 'Main gate');
      await gate.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
      // The first, online, read: the decoder's files are then in the service worker's cache.
      await gate.expectVerdict('valid', { timeout: 30_000 });
      await gate.setOffline(true);

      const runs: Times[] = [];
      let page = gate.page;
      for (let i = 0; i < WARMUP + REPS; i++) {
        page = await freshSetupPage(context, page, server.url);
        const t = await firstRead(page);
        if (i >= WARMUP) runs.push(t);
      }
      await page.close();
      const col = (k: keyof Times) => runs.map((t) => t[k]);
      const painted = col('painted');
      const value = median(painted);
      return [{
        id: 'pwa.firstRead',
        value: Math.round(value),
        unit: 'ms',
        baseline: null,
        baselineValue: null,
        ratio: null,
        target: `<= ${TARGET_MS} ms`,
        met: value <= TARGET_MS,
        notes: `tap to verdict painted ${spread(painted, 'ms')} over fresh pages after ${WARMUP} warm-up; ` +
          `each step's median ms after the tap: scan screen mounted, camera and decoder opening ${fmt(median(col('screen')))}, ` +
          `decoder ready ${fmt(median(col('decoder')))}, camera streaming ${fmt(median(col('stream')))}, ` +
          `first frame through the decoder ${fmt(median(col('frame')))}, first read ${fmt(median(col('read')))}, ` +
          `verdict painted ${fmt(value)}; ${TICKETS} tickets stored; network off; ` +
          `headless Chromium, fake camera 640x480 30 fps, 2-core machine, load average ${fmt(loadStart)} at the start, ${fmt(loadavg()[0]!)} at the end`,
      }];
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
};
