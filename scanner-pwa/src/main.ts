// Entry point: wires the real ports (fetch, WebSocket, Dexie, the camera module, WebAudio)
// into the App and mounts the shell.
import { mount } from 'svelte';
import { CameraScanner, DecoderWarmer } from './camera/index.ts';
import AppShell from './AppShell.svelte';
import { HttpApi } from './lib/api/http-api.ts';
import { App } from './lib/app.svelte.ts';
import { DexieStore } from './lib/db/dexie-store.ts';
import { BrowserFeedback } from './lib/feedback/feedback.ts';
import { pickLanguage, savedLanguage } from './lib/i18n/i18n.svelte.ts';
import { BrowserSocket, socketUrl } from './lib/sync/browser-socket.ts';
import './app.css';

async function boot(): Promise<void> {
  const lang = savedLanguage() ?? pickLanguage(navigator.languages ?? [navigator.language]);
  document.documentElement.lang = lang;
  const feedback = new BrowserFeedback();
  // The decoder's worker and .wasm load while the app opens its storage and the inspector
  // signs in or picks a checkpoint: the first code is read that much sooner after the tap.
  const decoders = new DecoderWarmer();
  decoders.warm();
  const app = await App.create({
    api: new HttpApi(),
    store: new DexieStore(),
    socket: new BrowserSocket(),
    socketUrl: () => socketUrl(),
    camera: (video, opts) => new CameraScanner(video, { ...opts, repeatWindowMs: 3000, warmed: decoders }),
    feedback,
    lang,
  });
  // Audio may only start after a user gesture: the first tap anywhere unlocks the beeps.
  addEventListener('pointerdown', () => feedback.unlock(), { once: true, capture: true });
  addEventListener('keydown', () => feedback.unlock(), { once: true, capture: true });
  mount(AppShell, { target: document.getElementById('app')!, props: { app } });
  if (import.meta.env.PROD) app.update.register();
  await app.start();
  // Which signature verifier this browser gets is found out now, while idle, rather than
  // inside the first verdict (and the pure one, if that, pays its one-time set-up then too).
  const idle = typeof requestIdleCallback === 'function' ? requestIdleCallback : (f: () => void) => setTimeout(f, 200);
  // The answer is left on the root element for support and for the engine tests, which
  // check that WebKit and Gecko verify natively too.
  idle(() => { void app.verifier.kind().then((kind) => { document.documentElement.dataset.verifier = kind; }); });
}

void boot();
