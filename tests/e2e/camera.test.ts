// The camera path end to end: CameraScanner in Debian's Chromium, reading a fake camera
// that plays real QR codes, for each decoder the app can fall back to.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { centreSquare } from '../../scanner-pwa/src/camera/frame-crop.ts';
import { RepeatFilter } from '../../scanner-pwa/src/camera/repeat-filter.ts';
import { writeQrVideo } from '../support/y4m.ts';
import { WAIT_MS } from '../support/pages/scanner-page.ts';
import {
  launchWithFakeCamera,
  openCameraHarness,
  startHarnessServer,
  type HarnessPage,
  type HarnessServer,
} from '../support/vite-harness.ts';

// Shapes of what the gate sees: a signed code, an imported plain code, the link form.
const CODES = ['GK1.AZx9-_QmV0aWNrZXQ.c2lnbmF0dXJl', '4006381333931', 'https://gate.example/v/GK1.b3JkZXI?e=7'];

// Each code for a second, with a short grey gap between visitors. One loop of the file
// is 3.3 s, so a code comes back 2.3 s after it left: inside the default 3 s repeat
// window, and outside a 1 s one.
const SEGMENTS = CODES.flatMap((text) => [{ text, frames: 30 }, { blank: 3 }]);

async function waitForAllCodes(h: HarnessPage): Promise<void> {
  await h.page.waitForFunction((n) => new Set(window.harness.reports).size >= n, CODES.length, { timeout: WAIT_MS, polling: 100 });
}

function offOrigin(requests: string[], origin: string): string[] {
  return requests.filter((u) => new URL(u).origin !== origin);
}

describe('camera scanning in Chromium with a fake camera', () => {
  let dir: string;
  let server: HarnessServer;
  let browser: Browser;
  let hasQrDetector: boolean;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatekeeper-camera-'));
    const video = join(dir, 'codes.y4m');
    await writeQrVideo(video, SEGMENTS, { noise: 6 });
    server = await startHarnessServer();
    browser = await launchWithFakeCamera(video);
    const h = await openCameraHarness(browser, server.origin);
    hasQrDetector = await h.page.evaluate(async () => {
      const detector = (globalThis as { BarcodeDetector?: { getSupportedFormats(): Promise<string[]> } }).BarcodeDetector;
      return (await detector?.getSupportedFormats())?.includes('qr_code') ?? false;
    });
    await h.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('reads every code once, with the exact payload, while the video keeps showing them', async () => {
    const h = await openCameraHarness(browser, server.origin);
    try {
      // Resolves only after `ready`: the first frame went through the decoder.
      const atReady = await h.page.evaluate(() => window.harness.startScanner());
      expect(atReady.attempts).toBeGreaterThanOrEqual(1);
      // Headless Chromium on Linux has no BarcodeDetector, so this is zxing-wasm.
      expect(atReady.decoder).toBe(hasQrDetector ? 'barcode-detector' : 'zxing-wasm');
      expect(atReady.thread).toBe('worker');

      // The fake camera is one device without a torch: switching is a no-op, the torch
      // says so, and neither interrupts scanning.
      expect(await h.page.evaluate(() => window.harness.cameraControls())).toEqual({
        cameras: 1,
        torchSupported: false,
        torchError: 'This camera has no torch',
      });

      await waitForAllCodes(h);
      // Another full loop of the video: every code is seen again, within the window.
      await h.page.waitForTimeout(3_600);
      const { reports, errors, stats } = await h.page.evaluate(() => ({ ...window.harness, stats: window.harness.stats() }));
      expect(errors).toEqual([]);
      expect([...reports].sort()).toEqual([...CODES].sort());
      // Dozens of frames read, three scans reported.
      expect(stats.decoded).toBeGreaterThan(10 * CODES.length);

      await h.page.evaluate(() => window.harness.stopScanner());
      expect(await h.page.evaluate(() => window.harness.cameraActive())).toBe(false);
    } finally {
      await h.close();
    }
  });

  test('fetches the zxing-wasm binary from our own origin, and nothing from anywhere else', async () => {
    const h = await openCameraHarness(browser, server.origin);
    try {
      const stats = await h.page.evaluate(() => window.harness.startScanner({ decoders: ['zxing-wasm'] }));
      expect(stats.decoder).toBe('zxing-wasm');
      await waitForAllCodes(h);
      // The dev server also answers "?import&url" with the JavaScript module that holds
      // the URL; the binary itself is the request without a query.
      const wasm = h.requests.filter((u) => new URL(u).pathname.endsWith('.wasm') && new URL(u).search === '');
      expect(wasm).toEqual([`${server.origin}/node_modules/zxing-wasm/dist/reader/zxing_reader.wasm`]);
      expect(offOrigin(h.requests, server.origin)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test('a code shown again after it was out of sight for the repeat window is a new scan', async () => {
    const h = await openCameraHarness(browser, server.origin);
    try {
      await h.page.evaluate(() => window.harness.startScanner({ repeatWindowMs: 1_000 }));
      // Wait for any code to be reported a second time: under load the decoder can miss a
      // code's whole stretch of one loop, so which code repeats first is not fixed.
      await h.page.waitForFunction(() => new Set(window.harness.reports).size < window.harness.reports.length, undefined, {
        timeout: WAIT_MS,
        polling: 100,
      });
      const reports = await h.page.evaluate(() => window.harness.reports);
      for (const r of reports) expect(CODES).toContain(r);
      expect(new Set(reports).size).toBeLessThan(reports.length);
    } finally {
      await h.close();
    }
  });

  test('a code the app did not take (busy deciding another) is reported again while it stays in view', async () => {
    const h = await openCameraHarness(browser, server.origin);
    try {
      // Each code's first report is answered "not taken"; its next sighting, a frame or two
      // later and well inside the 3 s repeat window, must be reported again.
      await h.page.evaluate(() => window.harness.startScanner({ declineFirst: true }));
      await h.page.waitForFunction((n) => window.harness.reports.length >= n, 2 * CODES.length, { timeout: WAIT_MS, polling: 100 });
      const reports = await h.page.evaluate(() => window.harness.reports);
      for (const code of CODES) expect(reports.filter((r) => r === code).length, code).toBe(2);
    } finally {
      await h.close();
    }
  });

  test('decodes with zxing-wasm on the main thread when not using a worker', async () => {
    const h = await openCameraHarness(browser, server.origin);
    try {
      const stats = await h.page.evaluate(() => window.harness.startScanner({ decoders: ['zxing-wasm'], useWorker: false }));
      expect(stats).toMatchObject({ decoder: 'zxing-wasm', thread: 'main' });
      await waitForAllCodes(h);
      expect(await h.page.evaluate(() => window.harness.reports)).toEqual(expect.arrayContaining(CODES));
    } finally {
      await h.close();
    }
  });

  test('falls back to @zxing/browser when the .wasm cannot be fetched (offline before it was cached)', async () => {
    const h = await openCameraHarness(browser, server.origin, (context) =>
      context.route('**/zxing_reader.wasm', (route) => route.abort('internetdisconnected')),
    );
    try {
      const stats = await h.page.evaluate(() => window.harness.startScanner({ decoders: ['zxing-wasm', 'zxing-js'] }));
      expect(stats).toMatchObject({ decoder: 'zxing-js', thread: 'worker' });
      await waitForAllCodes(h);
      const { reports, errors } = await h.page.evaluate(() => window.harness);
      expect(errors).toEqual([]);
      expect([...reports].sort()).toEqual([...CODES].sort());
    } finally {
      await h.close();
    }
  });

  test('uses BarcodeDetector when the browser has one that reads QR', async () => {
    const h = await openCameraHarness(browser, server.origin);
    try {
      // Linux Chromium has none: a stand-in with the spec's shape, reading through
      // zxing-wasm, takes its place. It exists on the main thread only.
      if (!hasQrDetector) await h.page.evaluate(() => window.harness.installStandInDetector());
      const stats = await h.page.evaluate(() => window.harness.startScanner({ useWorker: false }));
      expect(stats.decoder).toBe('barcode-detector');
      await waitForAllCodes(h);
      const { reports, standInCalls } = await h.page.evaluate(() => window.harness);
      expect([...reports].sort()).toEqual([...CODES].sort());
      if (!hasQrDetector) expect(standInCalls).toBeGreaterThan(CODES.length);
    } finally {
      await h.close();
    }
  });
});

describe('repeat filter', () => {
  test('the same text within the window is one scan; sightings extend the window', () => {
    const filter = new RepeatFilter(3_000);
    expect(filter.accept('A', 0)).toBe(true);
    expect(filter.accept('A', 2_000)).toBe(false);
    expect(filter.accept('A', 4_500)).toBe(false);
    expect(filter.accept('B', 4_600)).toBe(true);
    expect(filter.accept('A', 7_600)).toBe(true);
  });
});

describe('frame crop', () => {
  test('takes the central square and scales it down to the maximum side', () => {
    expect(centreSquare(1280, 720, 720)).toEqual({ sx: 280, sy: 0, side: 720, out: 720 });
    expect(centreSquare(1080, 1920, 720)).toEqual({ sx: 0, sy: 420, side: 1080, out: 720 });
    expect(centreSquare(640, 480, 720)).toEqual({ sx: 80, sy: 0, side: 480, out: 480 });
  });
});
