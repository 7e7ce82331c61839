// codes.verify.rotating: rotating wallet codes (kind R) verified per second in the
// scanner's own code path in Chromium (decodeCodeAsync with the app's SignatureVerifier:
// parse, the event key's signature over the certificate, the holder's over the step, each
// holder's key imported on first sight), against a bare WebCrypto Ed25519 verification
// with a key imported once, in the same page and run, the two taking turns. One at a time,
// as a scanner decides.
import { chromium } from 'playwright-core';
import { availableParallelism } from 'node:os';
import {
  generateEventKey, signCertificate, signRotatingCode, stepAt, toBase64Url, toPublicKeyEntry,
} from '@gatekeeper/shared/codec/index';
import { signBytes } from '@gatekeeper/shared/codec/keys';
import { startHarnessServer } from '../tests/support/vite-harness.ts';
import type { RotatingInput, RotatingOutput } from './support/verify-rotating-page.ts';
import type { Bench, BenchResult } from './types.ts';

const HOLDERS = 600;
const SECONDS = 4;
const EVENT = 'ev-bench';

declare global {
  interface Window { rotatingBench(input: RotatingInput): Promise<RotatingOutput> }
}

function inputs(now: number): RotatingInput {
  const eventKey = generateEventKey('k1');
  const codes: string[] = [];
  for (let i = 0; i < HOLDERS; i++) {
    const holder = generateEventKey();
    const certificate = signCertificate({
      eventId: EVENT, ticketId: `T-${String(i).padStart(6, '0')}`, certificateId: Uint8Array.from({ length: 8 }, (_, j) => (i >> (j * 4)) & 0xff),
      devicePublicKey: holder.publicKey, stepSeconds: 20, issuedAt: now - 3600_000,
    }, { keyId: 'k1', privateKey: eventKey.privateKey });
    codes.push(signRotatingCode(certificate, stepAt(now, 20), holder.privateKey));
  }
  const message = new TextEncoder().encode('GK1T a static ticket code payload of about a hundred bytes, as signed codes have them.');
  return {
    eventId: EVENT, publicKeys: [toPublicKeyEntry('k1', eventKey.publicKey)], codes, now,
    bare: { signature: toBase64Url(signBytes(message, eventKey.privateKey)), message: toBase64Url(message), publicKey: toBase64Url(eventKey.publicKey) },
    seconds: SECONDS,
  };
}

export const run: Bench = async () => {
  const now = Date.now();
  const input = inputs(now);
  const server = await startHarnessServer();
  try {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/bench/support/verify-rotating.html`);
      await page.waitForSelector('body[data-harness="ready"]', { state: 'attached' });
      const out = await page.evaluate((i) => window.rotatingBench(i), input);
      if (out.refused > 0) throw new Error(`${out.refused} genuine codes were refused: the bench measured the wrong path`);
      const ratio = out.rotatingPerSecond / out.barePerSecond;
      const row: BenchResult = {
        id: 'codes.verify.rotating',
        value: round(out.rotatingPerSecond),
        unit: 'verifications/s',
        baseline: 'one bare Ed25519 crypto.subtle.verify, key imported once, same page',
        baselineValue: round(out.barePerSecond),
        ratio: round(ratio),
        target: 'ratio >= 0.4',
        met: ratio >= 0.4,
        notes:
          `${out.rotatingDone} rotating codes (${HOLDERS} holders, each key new to the verifier's cache of 256 when met) and ` +
          `${out.bareDone} bare verifications, ${SECONDS} s each in turns of 250 ms, one at a time; ` +
          `two bare verifications at once (a rotating code's two signatures, nothing else): ${round(out.pairPerSecond)}/s, ` +
          `ratio ${round(out.pairPerSecond / out.barePerSecond)}, the most this path can reach; ` +
          `WebCrypto's own work per code (its two verifications as the decoder asks for them, the holder's key imported first, no code of ours): ` +
          `${round(out.floorPerSecond)}/s, ratio ${round(out.floorPerSecond / out.barePerSecond)}, the code at ${Math.round((100 * out.rotatingPerSecond) / out.floorPerSecond)}% of it; ` +
          `scanner verifier: ${out.verifier}; ` +
          `code ${input.codes[0]!.length} characters; headless Chromium, ${availableParallelism()} cores`,
      };
      return [row];
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
