// pwa.coldstart.offline: ms from navigation to "camera ready" (the first camera frame
// through the decoder) with the network off and the service worker installed: an inspector
// opening the app at a gate without signal. The built app, served once by the real sync
// server (then cut off), 100,000 tickets stored on the phone, headless Chromium with a
// fake camera. The app marks camera ready itself ('gk:camera-ready', User Timing, measured
// from the navigation's time origin). No baseline: the target is absolute.
import { launchBrowser, newScanner } from '../tests/support/browser.ts';
import { ScannerPage } from '../tests/support/pages/scanner-page.ts';
import { login, startTestServer } from '../tests/support/server.ts';
import { ensurePwaBuilt } from './pwa-support.ts';
import { median, spread } from './support/stats.ts';
import type { Bench } from './types.ts';

const TICKETS = 100_000;
const WARMUP = 1;
const REPS = 7;
const MARK = 'gk:camera-ready';

export const run: Bench = async () => {
  await ensurePwaBuilt();
  const server = await startTestServer({ demoTickets: TICKETS });
  const browser = await launchBrowser();
  try {
    const gate = await ScannerPage.open(await newScanner(browser), server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    await gate.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    await gate.page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, MARK, { timeout: 30_000 });
    await gate.setOffline(true);

    const ready: number[] = [];
    const shell: number[] = [];
    for (let i = 0; i < WARMUP + REPS; i++) {
      const res = await gate.page.goto(server.url);
      if (!res?.fromServiceWorker()) throw new Error('offline navigation was not answered by the service worker');
      await gate.page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, MARK, { timeout: 30_000 });
      const t = await gate.page.evaluate((m) => ({
        ready: performance.getEntriesByName(m)[0].startTime,
        dcl: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
      }), MARK);
      if (i < WARMUP) continue;
      ready.push(t.ready);
      shell.push(t.dcl);
    }
    const value = median(ready);
    return [{
      id: 'pwa.coldstart.offline',
      value: Math.round(value),
      unit: 'ms',
      baseline: null,
      baselineValue: null,
      ratio: null,
      target: '<= 1500 ms',
      met: value <= 1500,
      notes: `navigation to camera ready ${spread(ready, 'ms')}; of which the app shell from the service worker ` +
        `(DOMContentLoaded) ${spread(shell, 'ms')}; ${TICKETS} tickets stored; network off; decoder zxing-wasm from the precache; ` +
        `headless Chromium, fake camera, 2-core machine`,
    }];
  } finally {
    await browser.close();
    await server.close();
  }
};
