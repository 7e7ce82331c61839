// pwa.decode.cadence: how often the scanner looks at the camera. Decode attempts per
// second on a live 30 fps fake camera, ours (CameraScanner: camera pace, one frame in
// flight, in a worker) against @zxing/browser's default loop, which waits 500 ms after
// every attempt (docs/design.md, "Decoding"). Both read the same video in the same run, one
// after the other, so they never compete for the two cores.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchWithFakeCamera, openCameraHarness, startHarnessServer } from '../tests/support/vite-harness.ts';
import { writeQrVideo } from '../tests/support/y4m.ts';
import type { Bench, BenchResult } from './types.ts';

const WARMUP_MS = 1_000;
const MEASURE_MS = 10_000;
// Visitors at a gate: a code for a second, then a gap, with sensor noise.
const CODES = ['GK1.AZx9-_QmV0aWNrZXQ.c2lnbmF0dXJl', '4006381333931', 'https://gate.example/v/GK1.b3JkZXI?e=7'];
const SEGMENTS = CODES.flatMap((text) => [{ text, frames: 30 }, { blank: 10 }]);

interface Rate {
  perSecond: number;
  attempts: number;
  decoded: number;
}

/** Attempts per second between two samples taken MEASURE_MS apart, after a warm-up. */
async function measure(page: Page, sample: () => Promise<{ attempts: number; decoded: number }>): Promise<Rate> {
  await page.waitForTimeout(WARMUP_MS);
  const t0 = performance.now();
  const a = await sample();
  await page.waitForTimeout(MEASURE_MS);
  const b = await sample();
  const seconds = (performance.now() - t0) / 1_000;
  const attempts = b.attempts - a.attempts;
  return { perSecond: attempts / seconds, attempts, decoded: b.decoded - a.decoded };
}

export const run: Bench = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatekeeper-bench-decode-'));
  const server = await startHarnessServer();
  try {
    const video = join(dir, 'gate.y4m');
    await writeQrVideo(video, SEGMENTS, { noise: 6 });
    const browser = await launchWithFakeCamera(video);
    try {
      const ours = await openCameraHarness(browser, server.origin);
      const started = await ours.page.evaluate(() => window.harness.startScanner());
      const oursRate = await measure(ours.page, () => ours.page.evaluate(() => window.harness.stats()));
      const oursReports = await ours.page.evaluate(() => window.harness.reports);
      await ours.page.evaluate(() => window.harness.stopScanner());
      await ours.close();

      const base = await openCameraHarness(browser, server.origin);
      await base.page.evaluate(() => window.harness.startBaseline());
      const baseRate = await measure(base.page, () => base.page.evaluate(() => window.harness.baselineStats()));
      const baseTexts = await base.page.evaluate(() => new Set(window.harness.baselineStats().texts).size);
      await base.page.evaluate(() => window.harness.stopBaseline());
      await base.close();

      const ratio = oursRate.perSecond / baseRate.perSecond;
      const row: BenchResult = {
        id: 'pwa.decode.cadence',
        value: round(oursRate.perSecond),
        unit: 'attempts/s',
        baseline: '@zxing/browser BrowserQRCodeReader.decodeFromVideoDevice, default options',
        baselineValue: round(baseRate.perSecond),
        ratio: round(ratio),
        target: 'ratio >= 5',
        met: ratio >= 5,
        notes:
          `ours: ${started.decoder} on the ${started.thread} thread, ` +
          `${oursRate.attempts} attempts / ${oursRate.decoded} reads in ${MEASURE_MS / 1_000} s, ` +
          `${new Set(oursReports).size}/${CODES.length} codes reported; ` +
          `baseline: ${baseRate.attempts} attempts / ${baseRate.decoded} reads, ${baseTexts}/${CODES.length} codes; ` +
          `640x480 30 fps fake camera (so at most 30/s), 480 px centre crop, ${WARMUP_MS / 1_000} s warm-up, headless Chromium, ${availableParallelism()} cores`,
      };
      return [row];
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
