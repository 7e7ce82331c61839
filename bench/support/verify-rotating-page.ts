// In the page (verify-rotating.html): verifications per second, one at a time as the
// scanner does them (a code's verdict before the next code), for the same wall time each.
import { decodeCodeAsync, fromBase64Url } from '@gatekeeper/shared/codec/index';
import type { PublicKeyEntry } from '@gatekeeper/shared/manifest';
import { SignatureVerifier } from '../../scanner-pwa/src/lib/scan/signature-verifier.ts';

export interface RotatingInput {
  eventId: string;
  publicKeys: PublicKeyEntry[];
  /** Rotating codes, each from another holder's phone (as at a gate: every visitor's key is new). */
  codes: string[];
  /** Server time the codes were made for. */
  now: number;
  /** A bare signature to verify again and again: base64url of signature, message, key. */
  bare: { signature: string; message: string; publicKey: string };
  seconds: number;
}

export interface RotatingOutput {
  verifier: string;
  rotatingPerSecond: number;
  rotatingDone: number;
  barePerSecond: number;
  bareDone: number;
  /** Two bare verifications at once, as a rotating code's two signatures: the most this path can reach. */
  pairPerSecond: number;
  refused: number;
}

async function forSeconds(seconds: number, step: (i: number) => Promise<void>): Promise<{ perSecond: number; done: number }> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let done = 0;
  while (performance.now() < end) await step(done++);
  return { perSecond: done / ((performance.now() - t0) / 1000), done };
}

export async function rotatingBench(input: RotatingInput): Promise<RotatingOutput> {
  const verifier = new SignatureVerifier();
  const kind = await verifier.kind();
  verifier.prepare(input.publicKeys);
  const ctx = { eventId: input.eventId, publicKeys: input.publicKeys, now: input.now, revokedCertificates: new Set<string>() };
  // Warm both paths (the event key imported, the JIT compiled) before either is timed.
  for (let i = 0; i < 20; i++) await decodeCodeAsync(input.codes[i % input.codes.length]!, ctx, verifier.verify);

  const subtle = crypto.subtle;
  const bytes = (s: string) => fromBase64Url(s)! as Uint8Array<ArrayBuffer>;
  const [sig, msg, pk] = [bytes(input.bare.signature), bytes(input.bare.message), bytes(input.bare.publicKey)];
  const key = await subtle.importKey('raw', pk, { name: 'Ed25519' }, false, ['verify']);
  for (let i = 0; i < 20; i++) await subtle.verify({ name: 'Ed25519' }, key, sig, msg);

  let refused = 0;
  // Start past the warm-up's codes, so every holder's key is met for the first time.
  const rotating = await forSeconds(input.seconds, async (i) => {
    const r = await decodeCodeAsync(input.codes[(20 + i) % input.codes.length]!, ctx, verifier.verify);
    if (!r.ok) refused++;
  });
  const bare = await forSeconds(input.seconds, async () => {
    if (!(await subtle.verify({ name: 'Ed25519' }, key, sig, msg))) refused++;
  });
  const pair = await forSeconds(input.seconds, async () => {
    const both = await Promise.all([subtle.verify({ name: 'Ed25519' }, key, sig, msg), subtle.verify({ name: 'Ed25519' }, key, sig, msg)]);
    if (!both.every(Boolean)) refused++;
  });
  return {
    verifier: kind, rotatingPerSecond: rotating.perSecond, rotatingDone: rotating.done, barePerSecond: bare.perSecond, bareDone: bare.done,
    pairPerSecond: pair.perSecond, refused,
  };
}

