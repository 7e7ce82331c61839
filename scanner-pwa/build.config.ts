// Vite plugins for the scanner PWA build: Svelte, and the service worker through Workbox
// (vite-plugin-pwa, generateSW). The manifest here is the scanner's; the holder's wallet
// (wallet.html) links its own, public/wallet.webmanifest, and shares the service worker.
//
// registerType 'prompt': a new service worker waits until the app tells it to take over
// (UpdateState, through workbox-window), which the app does only when no scan is waiting to
// upload. A worker that force-reloads every tab on update would reload a gate scanner
// mid-queue. clientsClaim lets the first install control the page at once, so the app works
// offline without a second visit; it never reloads anything by itself.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';
import type { PluginOption } from 'vite';

/**
 * The app's version, as phones report it to the supervisors' device fleet (protocol 10):
 * scanner-pwa/package.json's `version`. Bump it with each release handed to the gates, so
 * the fleet tells the phones that still run an old one.
 */
export const APP_VERSION: string = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The ink and paper of the app: also the browser chrome and the splash screen. */
export const THEME_COLOR = '#10212e';
export const BACKGROUND_COLOR = '#10212e';

export function pwaPlugins(): PluginOption[] {
  return [
    // Read in the app as __APP_VERSION__ (src/lib/platform/app-version.ts).
    { name: 'gatekeeper-app-version', config: () => ({ define: { __APP_VERSION__: JSON.stringify(APP_VERSION) } }) },
    svelte(),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      // The app registers the worker itself, through workbox-window (src/lib/platform/update.svelte.ts).
      injectRegister: false,
      manifest: {
        name: 'Gatekeeper scanner',
        short_name: 'Gatekeeper',
        description: 'Scan tickets at the gate, online or offline.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The decoder's .wasm is served by us and precached: by default zxing-wasm fetches it
        // from a CDN, which fails at a gate without network.
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
        // Deep links (the link form of a code, /v/<code>) open the app shell, online or not;
        // the API, the socket and the health check never do. Nor does the holder's wallet:
        // /wallet is its own page (wallet.html), which the precache answers by its clean URL.
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/ws/, /^\/healthz/, /^\/wallet/],
      },
    }),
    // vite-plugin-pwa links its manifest (the scanner's) into every page; the wallet has
    // its own, and a page with two leaves the browser to pick (Chromium took the first).
    {
      name: 'gatekeeper-wallet-manifest',
      enforce: 'post',
      apply: 'build',
      transformIndexHtml: {
        order: 'post',
        handler: (html, ctx) => (ctx.filename.endsWith('wallet.html') ? html.replace(/\s*<link rel="manifest" href="\/manifest\.webmanifest"[^>]*>/, '') : html),
      },
    },
  ];
}
