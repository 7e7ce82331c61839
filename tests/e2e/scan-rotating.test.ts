// A rotating wallet code (kind R) through the whole app: the server binds a ticket to a
// holder's phone key, the "phone" (this test) renders the code of the current step as a
// QR code, Chromium's fake camera plays it, and the scanner and the server admit it. A
// screenshot of a code made half an hour ago, past the leeway, is refused as expired, and
// the verdict says when it was made and to open the live ticket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fromBase64Url, generateEventKey, signRotatingCode, stepAt } from '@gatekeeper/shared/codec/index';
import { Issuer } from '../../sync-server/src/issuer.ts';
import { launchBrowser, newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { writeQrVideo } from '../support/y4m.ts';
import { login, plain, serverScans, startWorld, takeTicket, type World } from './fixtures.ts';

/** Generous, so the code made at the start still verifies however slowly the browser starts on a loaded machine. */
const LEEWAY_MS = 10 * 60_000;
let w: World;
let dir: string;

beforeAll(async () => {
  w = await startWorld(60, { rotatingLeewayMs: LEEWAY_MS });
  dir = mkdtempSync(join(tmpdir(), 'gk-rotating-'));
});

afterAll(async () => {
  await w?.server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A ticket bound to a new holder phone, and that phone's code for the step of `at`. */
async function rotatingCode(at: number): Promise<{ ticket: { id: string; holderName: string | null }; code: string }> {
  const ticket = takeTicket(w, (x) => plain(x) && x.holderName !== null);
  const holder = generateEventKey();
  const reply = await new Issuer(w.server.storage, () => w.server.url).deviceCertificate(ticket, holder.publicKey);
  return { ticket, code: signRotatingCode(fromBase64Url(reply.certificate)!, stepAt(at, reply.stepSeconds), holder.privateKey) };
}

async function cameraShowing(code: string, name: string) {
  const video = join(dir, `${name}.y4m`);
  await writeQrVideo(video, [{ text: code, frames: 60 }, { blank: 30 }], { noise: 6 });
  return launchBrowser({ video });
}

describe('rotating codes at the gate', () => {
  test('the live code of a bound ticket, read by the camera: VALID, with the holder on screen, stored once', async () => {
    const { ticket, code } = await rotatingCode(Date.now());
    expect(code.startsWith('GK1R')).toBe(true);
    const browser = await cameraShowing(code, 'live');
    try {
      const phone = await ScannerPage.open(await newScanner(browser), w.server.url);
      const l = login('inspector');
      await phone.signInAndChoose(l.username, l.password, 'Main gate');
      const v = await phone.expectVerdict('valid', { offline: false, timeout: WAIT_MS });
      expect(v.word).toBe('VALID');
      expect(await phone.page.getByTestId('holder-name').textContent()).toBe(ticket.holderName);
      const scans = await serverScans(w, ticket.id);
      expect(scans.map((s) => s.outcome)).toEqual(['valid']);
      await phone.context.close();
    } finally {
      await browser.close();
    }
  });

  test('a screenshot of a code made half an hour ago: EXPIRED CODE, saying when it was made and to open the live ticket', async () => {
    const made = Date.now() - 30 * 60_000;
    const { ticket, code } = await rotatingCode(made);
    const browser = await cameraShowing(code, 'old');
    try {
      const phone = await ScannerPage.open(await newScanner(browser), w.server.url);
      const l = login('inspector');
      await phone.signInAndChoose(l.username, l.password, 'Main gate');
      const v = await phone.expectVerdict('expired_code', { timeout: WAIT_MS });
      expect(v.word).toBe('EXPIRED CODE');
      expect(v.text).toMatch(/was made at \d{1,2}:\d{2} and has expired.*open the live ticket/);
      expect((await serverScans(w, ticket.id)).every((s) => s.outcome !== 'valid')).toBe(true);
      await phone.context.close();
    } finally {
      await browser.close();
    }
  });
});
