// One Vite config: it builds the scanner PWA and the holder's wallet (root scanner-pwa/,
// two pages, one service worker; output dist/pwa) and holds the test projects that
// `npm test` runs with Vitest.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { pwaPlugins } from './scanner-pwa/build.config.ts';

const ENGINE_FILES = 'tests/e2e/engines-*.test.ts';

export default defineConfig({
  root: 'scanner-pwa',
  plugins: pwaPlugins(),
  build: {
    outDir: '../dist/pwa', emptyOutDir: true,
    rollupOptions: {
      input: {
        scanner: fileURLToPath(new URL('./scanner-pwa/index.html', import.meta.url)),
        wallet: fileURLToPath(new URL('./scanner-pwa/wallet.html', import.meta.url)),
      },
    },
  },
  test: {
    root: '.',
    // Vitest's default is one worker less than the cores: one on a 2-core machine, where the
    // unit and integration files then ran one at a time (the suite took 17.5 minutes).
    // Their tests assert order and outcome, not time, so two at a time is safe; browsers
    // (e2e) stay one file at a time. Vitest runs these groups one after the other; `npm
    // test` (scripts/test.mjs) runs the e2e project beside the other two instead.
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', testTimeout: 30_000, hookTimeout: 60_000, maxWorkers: 2, include: ['tests/shared/**/*.test.ts', 'tests/sync-server/**/*.test.ts', 'tests/scanner-pwa/**/*.test.ts'] },
      },
      {
        extends: true,
        // Real servers on loopback ports: slower, each file starts its own server.
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, maxWorkers: 2 },
      },
      {
        extends: true,
        // Real browsers: one file at a time so two browsers do not fight over two cores.
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], exclude: [ENGINE_FILES], testTimeout: 240_000, hookTimeout: 120_000, fileParallelism: false },
      },
      {
        extends: true,
        // WebKitGTK and Firefox: a project of their own so that `npm test` can run them after
        // the unit and integration files, beside the Chromium files, and both streams end
        // together (scripts/test.mjs).
        test: { name: 'engines', include: [ENGINE_FILES], testTimeout: 240_000, hookTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
});
