// The inspector's paths in a browser engine other than Chromium, against a real server:
// one scenario, run by engines-webkit.test.ts and engines-firefox.test.ts. Each file has
// one browser and one phone signed in at Main gate; every test leaves that phone on the
// scan screen, in English and online, as it found it. "Offline" is the server gone (its
// process closed, then started again on the same port and database): the same in every
// engine, and what a gate sees when the venue's laptop or its network goes down.
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINE_START_MS, type Engine, type Phone } from '../support/engines/engine.ts';
import { EngineScanner } from '../support/pages/engine-scanner.ts';
import { WAIT_MS } from '../support/pages/scanner-page.ts';
import { until } from '../support/until.ts';
import { eventually, login, serverScans, startWorld, takeTicket, ticketCode, type World } from './fixtures.ts';

const CAMERA_STATUS = '[data-testid=camera-status]';

export function enginePaths(launch: () => Promise<Engine>): void {
  let w: World;
  let engine: Engine;
  let gate: EngineScanner;
  const phones: Phone[] = [];
  const shot = (name: string) => `engine-${engine.name}-${name}`;

  async function signedIn(who: string): Promise<EngineScanner> {
    const phone = await engine.newPhone();
    phones.push(phone);
    const scanner = await EngineScanner.open(phone, w.server.url);
    const l = login(who);
    await scanner.signInAndChoose(l.username, l.password, 'Main gate');
    return scanner;
  }

  /** After a reload the app comes back on the scan screen of the same checkpoint. */
  async function reloadGate(link: 'online' | 'offline' = 'online'): Promise<void> {
    await gate.phone.reload();
    await gate.phone.waitFor('[data-testid=checkpoint-name]', WAIT_MS);
    await gate.waitLink(link);
  }

  /**
   * The app installed for offline use: its service worker active and controlling the page.
   * The worker claims the page when it first activates (clientsClaim); where that claim
   * has not reached the page, a navigation made once it is active does.
   */
  async function serviceWorkerInCharge(): Promise<void> {
    const state = () => gate.phone.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { active: r?.active?.state ?? null, installing: r?.installing?.state ?? null, controlled: navigator.serviceWorker.controller !== null };
    });
    let last = await state();
    await until(async () => (last = await state()).active === 'activated', 'the service worker to activate', WAIT_MS)
      .catch((e: Error) => { throw new Error(`${e.message}; last seen: ${JSON.stringify(last)}`); });
    // Once active, the worker claims the page (clientsClaim); a page it has not reached yet
    // is taken by the next navigation, as an inspector's next visit would be.
    if (!last.controlled) await reloadGate();
    expect((await state()).controlled).toBe(true);
  }

  // One hook per step, each with its own time: a browser's start alone may take longer
  // than a hook's default on a loaded machine, and its own limit should be the one to
  // speak (it says what it was waiting for), not the hook's.
  beforeAll(async () => { w = await startWorld(); });
  beforeAll(async () => { engine = await launch(); }, ENGINE_START_MS + 30_000);
  // Signing in is a test's worth of steps (e2e testTimeout).
  beforeAll(async () => { gate = await signedIn('inspector'); }, 240_000);

  afterAll(async () => {
    for (const p of phones) await p.close();
    await engine?.close();
    await w?.server.close();
  });

  describe('at the gate', () => {
    test('typed code and keyboard wedge: VALID with the inspector\u2019s name, the code word and a running clock', async () => {
      const [typed, wedged] = [takeTicket(w), takeTicket(w)];
      await gate.typeCode((await ticketCode(w, typed.id)).code);
      const v = await gate.expectVerdict('valid', { offline: false });
      expect(v.word).toBe('VALID');
      expect(await gate.phone.text('[data-testid=inspector-name]')).toBe(login('inspector').name);
      expect(await gate.phone.text('[data-testid=code-word]')).toBe('Blue Heron');
      // The clock on the verdict runs: a copied screenshot cannot keep time.
      const before = await gate.phone.text('[data-testid=running-clock]');
      await until(async () => (await gate.phone.text('[data-testid=running-clock]')) !== before, 'the verdict\u2019s clock to move', WAIT_MS);
      await gate.photograph(shot('valid'));
      await gate.dismissVerdict();

      await gate.wedge((await ticketCode(w, wedged.id)).code);
      await gate.expectVerdict('valid', { offline: false });
      await gate.dismissVerdict();
      expect(await serverScans(w, typed.id)).toHaveLength(1);
      expect(await serverScans(w, wedged.id)).toHaveLength(1);
    });

    test('the same code at a second phone: ALREADY SCANNED, naming the first scan', async () => {
      const t = takeTicket(w);
      const { code } = await ticketCode(w, t.id);
      await gate.wedge(code);
      await gate.expectVerdict('valid', { offline: false });
      await gate.dismissVerdict();

      const second = await signedIn('inspector2');
      try {
        await second.wedge(code);
        const v = await second.expectVerdict('already_used', { offline: false });
        expect(v.word).toBe('ALREADY SCANNED');
        const first = await second.phone.text('[data-testid=first-scan]');
        expect(first).toContain('Main gate');
        expect(first).toContain(login('inspector').name);
        await second.photograph(shot('already-scanned'));
      } finally {
        await second.phone.close();
      }
    });

    test('Dutch: the verdict in Dutch', async () => {
      await gate.setLanguage('nl');
      try {
        await gate.wedge((await ticketCode(w, takeTicket(w).id)).code);
        const v = await gate.expectVerdict('valid');
        expect(v.word).toBe('GELDIG');
        expect(v.text.toLowerCase()).toContain('controleur');
        await gate.photograph(shot('valid-nl'));
        await gate.dismissVerdict();
      } finally {
        await gate.setLanguage('en');
      }
    });
  });

  describe('the server gone', () => {
    test('an offline verdict, the scan queued, a reload served by the service worker, uploaded exactly once when the server is back', async () => {
      const t = takeTicket(w);
      const { code } = await ticketCode(w, t.id);
      await serviceWorkerInCharge();

      await w.server.stop();
      try {
        await gate.waitLink('offline');
        await gate.wedge(code);
        const v = await gate.expectVerdict('valid', { offline: true });
        expect(v.word).toBe('VALID OFFLINE');
        await gate.waitPending(1);
        await gate.photograph(shot('valid-offline'));
        await gate.dismissVerdict();

        // Nothing answers on the server's port: the page can only come from the service worker.
        await reloadGate('offline');
        expect(await gate.phone.evaluate(() => navigator.serviceWorker.controller != null)).toBe(true);
        await gate.waitPending(1);
      } finally {
        await w.server.resume();
      }
      await gate.waitLink('online');
      await gate.waitPending(0);
      const stored = await eventually(() => serverScans(w, t.id), (s) => s.length === 1);
      expect(stored[0]!.offline).toBe(true);

      // Another reload online uploads nothing again.
      await reloadGate();
      await gate.waitPending(0);
      expect(await serverScans(w, t.id)).toHaveLength(1);
    });
  });

  describe('the camera', () => {
    /**
     * Make the page's camera answer with `answer` from now on, tap "Try again", and wait
     * until the app has asked for it (the page counts the asks: the screen still shows the
     * previous trouble until the new answer is in).
     */
    async function retryWith(answer: { error: string } | { qr: string }): Promise<void> {
      const install = () => gate.phone.evaluate(async (a: { error: string } | { qr: string }) => {
        const md = navigator.mediaDevices;
        const page = window as unknown as { gkCameraAsks?: number; gkMediaDevices?: MediaDevices };
        // WebKit drops a DOM object's JavaScript wrapper, and any property set on it, when
        // no script holds it: after a garbage collection navigator.mediaDevices is a fresh
        // wrapper with the engine's own getUserMedia again, and 'Try again' asked the real
        // (absent) camera, which looked like a tap that did nothing. The page holds it.
        page.gkMediaDevices = md;
        page.gkCameraAsks = 0;
        let ask: () => Promise<MediaStream>;
        if ('error' in a) {
          ask = () => Promise.reject(new DOMException('test', a.error));
        } else {
          // A QR code on a canvas, repainted so that the stream keeps delivering frames.
          const img = new Image();
          img.src = a.qr;
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = 640;
          canvas.height = 480;
          const g = canvas.getContext('2d')!;
          let n = 0;
          const paint = () => {
            g.fillStyle = n++ % 2 ? '#ffffff' : '#fefefe';
            g.fillRect(0, 0, canvas.width, canvas.height);
            g.drawImage(img, 100, 20, 440, 440);
          };
          paint();
          setInterval(paint, 100);
          ask = async () => canvas.captureStream(10);
        }
        md.getUserMedia = () => {
          page.gkCameraAsks = (page.gkCameraAsks ?? 0) + 1;
          return ask();
        };
      }, answer);
      await install();
      const asks = () => gate.phone.evaluate(() => (window as unknown as { gkCameraAsks?: number }).gkCameraAsks ?? -1);
      await gate.phone.click('[data-testid=camera-retry]');
      await until(async () => (await asks()) > 0, 'the app to ask for the camera again', WAIT_MS).catch(async (e: Error) => {
        throw new Error(`${e.message}; the camera: ${await gate.phone.attribute(CAMERA_STATUS, 'data-state')}, ${await gate.phone.text(CAMERA_STATUS)}`);
      });
    }

    async function trouble(): Promise<{ trouble: string | null; text: string }> {
      await until(async () => (await gate.phone.attribute(CAMERA_STATUS, 'data-state')) === 'error', 'the camera to fail', WAIT_MS);
      return { trouble: await gate.phone.attribute(CAMERA_STATUS, 'data-trouble'), text: await gate.phone.text(CAMERA_STATUS) };
    }

    test('no camera, refused, in use: worded for the inspector with what to do next', async () => {
      await reloadGate();
      try {
        // This machine has no camera: the engine's own error, whatever it calls it.
        expect(await trouble()).toEqual({ trouble: 'no_camera', text: 'No camera found on this device. Type or search codes instead.' });
        await gate.photograph(shot('no-camera'));

        await retryWith({ error: 'NotAllowedError' });
        expect(await trouble()).toMatchObject({ trouble: 'refused', text: expect.stringContaining('Allow the camera for this site') });
        await retryWith({ error: engine.name === 'firefox' ? 'AbortError' : 'NotReadableError' });
        expect(await trouble()).toMatchObject({ trouble: 'in_use', text: expect.stringContaining('Close that app, then tap Try again') });
      } finally {
        await reloadGate();
      }
    });

    test('signatures are checked by the browser\u2019s own Ed25519 (WebCrypto), not the slower pure verifier', async () => {
      await until(async () => (await gate.phone.count('html[data-verifier]')) > 0, 'the verifier to be chosen', WAIT_MS);
      expect(await gate.phone.attribute('html', 'data-verifier')).toBe('webcrypto');
    });

    test('the decoder runs here: a QR drawn on a canvas, through the camera\u2019s path, gives its verdict', async () => {
      const t = takeTicket(w);
      const qr = await QRCode.toDataURL((await ticketCode(w, t.id)).code, { margin: 4, width: 440, errorCorrectionLevel: 'M' });
      await reloadGate();
      try {
        // The camera this machine lacks is refused first; then the painted one is offered.
        expect((await trouble()).trouble).toBe('no_camera');
        await retryWith({ qr });
        await gate.expectVerdict('valid', { offline: false });
        // Read by the camera's scanner, not typed (it marks its first read), with the decoder
        // in a worker, as on a phone: a refused worker would fall back to the main thread.
        const marks = await gate.phone.evaluate(() => ({
          reads: performance.getEntriesByName('gk:first-read').length,
          decoder: (performance.getEntriesByName('gk:decoder-ready').at(-1) as PerformanceMark | undefined)?.detail as { decoder: string; thread: string } | undefined,
        }));
        expect(marks.reads).toBeGreaterThan(0);
        expect(marks.decoder?.thread).toBe('worker');
        expect(marks.decoder?.decoder).toBe('zxing-wasm');
        await gate.dismissVerdict();
        expect(await serverScans(w, t.id)).toHaveLength(1);
      } finally {
        await reloadGate();
      }
    });
  });
}
