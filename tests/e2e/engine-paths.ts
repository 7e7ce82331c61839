// The inspector's paths in a browser engine other than Chromium, against a real server:
// one scenario, run by engines-webkit.test.ts and engines-firefox.test.ts. Each file has
// one browser and one phone signed in at Main gate; every test leaves that phone on the
// scan screen, in English and online, as it found it. "Offline" is the server gone (its
// process closed, then started again on the same port and database): the same in every
// engine, and what a gate sees when the venue's laptop or its network goes down.
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Engine, Phone } from '../support/engines/engine.ts';
import { EngineScanner, button } from '../support/pages/engine-scanner.ts';
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

  beforeAll(async () => {
    w = await startWorld();
    engine = await launch();
    gate = await signedIn('inspector');
  });

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
      await until(() => gate.phone.evaluate(() => navigator.serviceWorker?.controller != null), 'the service worker to control the page', WAIT_MS);

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
    /** Make the page's camera answer with `answer` from now on, then tap "Try again". */
    async function retryWith(answer: { error: string } | { qr: string }): Promise<void> {
      await gate.phone.evaluate(async (a: { error: string } | { qr: string }) => {
        const md = navigator.mediaDevices;
        if ('error' in a) {
          md.getUserMedia = () => Promise.reject(new DOMException('test', a.error));
          return;
        }
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
        md.getUserMedia = async () => canvas.captureStream(10);
      }, answer);
      await gate.phone.click(button('Try again'));
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

    test('the decoder runs here: a QR drawn on a canvas, through the camera\u2019s path, gives its verdict', async () => {
      const t = takeTicket(w);
      const qr = await QRCode.toDataURL((await ticketCode(w, t.id)).code, { margin: 4, width: 440, errorCorrectionLevel: 'M' });
      await reloadGate();
      try {
        await retryWith({ qr });
        await gate.expectVerdict('valid', { offline: false });
        // Read by the camera's scanner, not typed: it marks its first read.
        expect(await gate.phone.evaluate(() => performance.getEntriesByName('gk:first-read').length)).toBeGreaterThan(0);
        await gate.dismissVerdict();
        expect(await serverScans(w, t.id)).toHaveLength(1);
      } finally {
        await reloadGate();
      }
    });
  });
}
