// Serves the camera harness page (tests/e2e/harness/camera.html) with Vite's dev
// server on loopback, and launches Debian's Chromium with a fake camera playing a Y4M
// file. Shared by tests/e2e/camera.test.ts and bench/pwa-decode.ts.
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createServer } from 'vite';
import type { CameraScannerOptions, CameraScannerStats } from '../../scanner-pwa/src/camera/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CAMERA_HARNESS_PATH = '/tests/e2e/harness/camera.html';

/** What camera.html puts on window.harness. */
export interface CameraHarnessApi {
  reports: string[];
  errors: string[];
  standInCalls: number;
  startScanner(options?: Omit<CameraScannerOptions, 'onCode' | 'onError'> & { declineFirst?: boolean }): Promise<CameraScannerStats>;
  stats(): CameraScannerStats;
  cameraControls(): Promise<{ cameras: number; torchSupported: boolean; torchError: string | null }>;
  stopScanner(): void;
  cameraActive(): boolean;
  startBaseline(): Promise<void>;
  baselineStats(): { attempts: number; decoded: number; texts: string[] };
  stopBaseline(): void;
  installStandInDetector(): Promise<void>;
}

declare global {
  interface Window {
    harness: CameraHarnessApi;
  }
}

export interface HarnessServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

export async function startHarnessServer(): Promise<HarnessServer> {
  const server = await createServer({
    // The app's own vite.config.ts brings the PWA plugins, which the camera does not
    // need and which must not register a service worker in a test page.
    configFile: false,
    root: REPO_ROOT,
    logLevel: 'warn',
    // Its own cache, so it never races the app's dev server over node_modules/.vite.
    cacheDir: `${REPO_ROOT}node_modules/.vite-camera-harness`,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null, fs: { allow: [REPO_ROOT] } },
    optimizeDeps: {
      // Bundle these up front: a dependency discovered mid-test makes Vite reload the
      // page, which would drop the harness state and the camera.
      noDiscovery: true,
      include: ['zxing-wasm/reader', '@zxing/browser'],
    },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not listen on a TCP port');
  return { origin: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

export function fakeCameraArgs(y4mFile: string): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${y4mFile}`,
  ];
}

export function launchWithFakeCamera(y4mFile: string): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: fakeCameraArgs(y4mFile) });
}

export interface HarnessPage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page and its workers requested. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A fresh context (its own cache, so each case fetches the .wasm itself) on the
 * harness. `beforeLoad` can install routes (e.g. to make the .wasm unreachable).
 */
export async function openCameraHarness(
  browser: Browser,
  origin: string,
  beforeLoad?: (context: BrowserContext) => Promise<unknown>,
): Promise<HarnessPage> {
  const context = await browser.newContext();
  await beforeLoad?.(context);
  const requests: string[] = [];
  // The context sees requests from dedicated workers too, which the page alone may not.
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  await page.goto(origin + CAMERA_HARNESS_PATH);
  await page.waitForSelector('body[data-harness="ready"]');
  return { context, page, requests, close: () => context.close() };
}
