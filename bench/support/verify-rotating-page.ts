// In the page (verify-rotating.html): verifications per second, one at a time as the
// scanner does them (a code's verdict before the next code), for the same wall time each,
// the phases taking turns.
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
  /**
   * WebCrypto's own work for each code, nothing of ours: its two verifications with the
   * messages, signatures and keys the decoder asks for, the holder's key imported first.
   */
  floorPerSecond: number;
  refused: number;
}

/** One slice of the run: short enough that each phase sees the machine as the others do. */
const SLICE_MS = 250;

interface Phase { step: () => Promise<void>; done: number; ms: number }

/**
 * The phases in turns of SLICE_MS each until every phase has had `seconds`, so that a
 * machine that speeds up or slows down during the run (another process, the CPU's clock)
 * weighs on each phase alike: one phase after the other, the baseline alone swung
 * 13,000-16,000/s between runs on an idle machine, and the ratio 0.31-0.42 with it.
 */
async function inTurns(seconds: number, phases: Phase[]): Promise<void> {
  const rounds = Math.max(1, Math.round((seconds * 1000) / SLICE_MS));
  for (let round = 0; round < rounds; round++) {
    for (const phase of phases) {
      const t0 = performance.now();
      const end = t0 + SLICE_MS;
      while (performance.now() < end) {
        await phase.step();
        phase.done++;
      }
      phase.ms += performance.now() - t0;
    }
  }
}

const perSecond = (p: Phase) => p.done / (p.ms / 1000);

export async function rotatingBench(input: RotatingInput): Promise<RotatingOutput> {
  const verifier = new SignatureVerifier();
  const kind = await verifier.kind();
  verifier.prepare(input.publicKeys);
  const ctx = { eventId: input.eventId, publicKeys: input.publicKeys, now: input.now, revokedCertificates: new Set<string>() };
  const subtle = crypto.subtle;
  const bytes = (s: string) => fromBase64Url(s)! as Uint8Array<ArrayBuffer>;
  const [sig, msg, pk] = [bytes(input.bare.signature), bytes(input.bare.message), bytes(input.bare.publicKey)];
  const key = await subtle.importKey('raw', pk, { name: 'Ed25519' }, false, ['verify']);

  let refused = 0;
  // The codes in turn, round and round: 600 holders against the verifier's cache of 256
  // keys, so every holder's key is new to it when met, the warm-up's included.
  let next = 0;
  const rotating: Phase = {
    step: async () => {
      const r = await decodeCodeAsync(input.codes[next++ % input.codes.length]!, ctx, verifier.verify);
      if (!r.ok) refused++;
    },
    done: 0, ms: 0,
  };
  const bare: Phase = {
    step: async () => {
      if (!(await subtle.verify({ name: 'Ed25519' }, key, sig, msg))) refused++;
    },
    done: 0, ms: 0,
  };
  const pair: Phase = {
    step: async () => {
      const both = await Promise.all([subtle.verify({ name: 'Ed25519' }, key, sig, msg), subtle.verify({ name: 'Ed25519' }, key, sig, msg)]);
      if (!both.every(Boolean)) refused++;
    },
    done: 0, ms: 0,
  };
  // What the decoder asks WebCrypto for each code, recorded once: [certificate, holder].
  const asked: Array<Array<{ signature: Uint8Array<ArrayBuffer>; message: Uint8Array<ArrayBuffer>; publicKey: Uint8Array<ArrayBuffer> }>> = [];
  for (const code of input.codes) {
    const checks: (typeof asked)[number] = [];
    await decodeCodeAsync(code, ctx, async (signature, message, publicKey) => {
      checks.push({ signature: signature.slice(), message: message.slice(), publicKey: publicKey.slice() });
      return true;
    });
    asked.push(checks);
  }
  let nextAsked = 0;
  // `key` is the bare phases' key, which is the event's: the key every certificate is under.
  const floor: Phase = {
    step: async () => {
      const [certificate, holder] = asked[nextAsked++ % asked.length]!;
      const both = await Promise.all([
        subtle.verify({ name: 'Ed25519' }, key, certificate!.signature, certificate!.message),
        subtle.importKey('raw', holder!.publicKey, { name: 'Ed25519' }, false, ['verify'])
          .then((k) => subtle.verify({ name: 'Ed25519' }, k, holder!.signature, holder!.message)),
      ]);
      if (!both.every(Boolean)) refused++;
    },
    done: 0, ms: 0,
  };
  const phases = [rotating, bare, pair, floor];
  // Untimed first, as long as a quarter of the run: the event key imported, and the
  // decoder's JavaScript compiled by the optimising tier, which takes it thousands of calls
  // (twenty warm-up codes did not reach it). The bare phases, native, need none.
  await inTurns(input.seconds / 4, phases);
  for (const phase of phases) {
    phase.done = 0;
    phase.ms = 0;
  }
  await inTurns(input.seconds, phases);
  return {
    verifier: kind, rotatingPerSecond: perSecond(rotating), rotatingDone: rotating.done, barePerSecond: perSecond(bare), bareDone: bare.done,
    pairPerSecond: perSecond(pair), floorPerSecond: perSecond(floor), refused,
  };
}

