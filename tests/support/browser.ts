// Debian's Chromium through playwright-core, for e2e tests and PWA benchmarks. One browser
// per test file; each scanner gets its own context (its own IndexedDB, service worker and
// offline switch), as two phones would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.GK_CHROMIUM ?? '/usr/bin/chromium';

/** Quiet, sandbox-free Chromium that never phones home during a test. */
export const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A fake camera with the permission prompt answered; with `video`, it plays that Y4M file. */
export function cameraArgs(video?: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', ...(video ? [`--use-file-for-fake-video-capture=${video}`] : [])];
}

export interface LaunchOptions {
  /** A Y4M file the fake camera plays (loops). Without it: Chromium's test pattern. */
  video?: string;
  headless?: boolean;
  /** More Chromium switches (benchmarks: frame-rate and vsync settings). */
  args?: string[];
}

export function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args: [...BASE_ARGS, ...cameraArgs(opts.video), ...(opts.args ?? [])],
  });
}

/** The phone the app is designed for: 360×740 CSS px. */
export const PHONE_VIEWPORT = { width: 360, height: 740 };

export const scannerContextOptions = (extra: BrowserContextOptions = {}): BrowserContextOptions => ({
  viewport: PHONE_VIEWPORT,
  deviceScaleFactor: 2,
  isMobile: false,
  hasTouch: true,
  locale: 'en-GB',
  timezoneId: 'Europe/Amsterdam',
  serviceWorkers: 'allow',
  ...extra,
});

/**
 * A test phone's settings (the app's own, as an inspector sets them in the menu): it
 * waits for the server's verdict as long as the app allows, and a verdict stays up until
 * the test dismisses it. The defaults (1.5 s, 3 s) are product choices that a CI machine
 * at a load of 10 misses: a test that expects the server's answer then sees the phone's
 * own, and a verdict it is reading returns to the camera under it. Tests of those two
 * behaviours ask for the defaults.
 */
export const PATIENT_SETTINGS = { onlineBudgetMs: 10_000, autoReturnMs: 30_000 };

export interface ScannerOptions extends BrowserContextOptions {
  onlineBudgetMs?: number;
  autoReturnMs?: number;
}

/** Put the settings in the app's storage, unless the page has saved its own since. */
async function settle(context: BrowserContext, settings: typeof PATIENT_SETTINGS): Promise<void> {
  await context.addInitScript((values) => {
    const key = 'gatekeeper.settings';
    if (localStorage.getItem(key) === null) localStorage.setItem(key, JSON.stringify(values));
  }, settings);
}

function split(extra: ScannerOptions): [typeof PATIENT_SETTINGS, BrowserContextOptions] {
  const { onlineBudgetMs = PATIENT_SETTINGS.onlineBudgetMs, autoReturnMs = PATIENT_SETTINGS.autoReturnMs, ...options } = extra;
  return [{ onlineBudgetMs, autoReturnMs }, options];
}

/** A fresh scanner phone in this browser. */
export async function newScanner(browser: Browser, extra: ScannerOptions = {}): Promise<BrowserContext> {
  const [settings, options] = split(extra);
  const context = await browser.newContext(scannerContextOptions(options));
  await settle(context, settings);
  return context;
}

/**
 * A phone whose storage outlives the browser: close() it and launch again with the same
 * directory to restart the browser with the same IndexedDB and service worker.
 */
export class PersistentPhone {
  readonly dir = mkdtempSync(join(tmpdir(), 'gk-phone-'));
  context: BrowserContext | null = null;

  constructor(readonly opts: LaunchOptions = {}) {}

  async launch(extra: ScannerOptions = {}): Promise<BrowserContext> {
    const [settings, options] = split(extra);
    this.context = await chromium.launchPersistentContext(this.dir, {
      executablePath: CHROMIUM_PATH,
      headless: this.opts.headless ?? true,
      args: [...BASE_ARGS, ...cameraArgs(this.opts.video)],
      ...scannerContextOptions(options),
    });
    await settle(this.context, settings);
    return this.context;
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = null;
  }

  async dispose(): Promise<void> {
    await this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
