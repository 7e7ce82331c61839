// Rotating device-bound codes (kind R). The holder's phone shows a new code every step
// (the certificate's step length, 20 s by default): its certificate (certificate.ts), the
// step number, and its own signature over both. A scanner checks offline that the event's
// key signed the certificate, that the phone the certificate names signed this step, and
// that the step is now; no scanner holds anything that could make a code.
//
// Text form: "GK1R" base64url(certificate || step || device signature)
//   certificate       certificate.ts: payload || the event key's 64-byte signature
//   varint step       floor(server time in seconds / step length), as the phone knows it
//   64 bytes          Ed25519 by the device key over ASCII "GK1R" || certificate || step
// The device signs the whole certificate, not only its id: a device signature can then
// never be moved onto another certificate, of any ticket, event or key.
import { decodeBase64Url, toBase64Url } from './base64url.ts';
import { ByteReader, ByteWriter } from './bytes.ts';
import { readCertificate } from './certificate.ts';
import { CodeKind, FORMAT_VERSION, SIGNATURE_LENGTH, codePrefix } from './format.ts';
import { signBytes } from './keys.ts';
import { signedMessage } from './sign.ts';

/** The step a time (epoch ms) falls in, for a step length in seconds. */
export const stepAt = (now: number, stepSeconds: number): number => Math.floor(now / (stepSeconds * 1000));
/** When a step begins (epoch ms): "when the code was made", as a verdict says it. */
export const stepStart = (step: number, stepSeconds: number): number => step * stepSeconds * 1000;

export const rotatingPrefix = (version: number = FORMAT_VERSION): string => codePrefix(version, CodeKind.rotating);

/** certificate || varint step: the part of a code both signatures' messages are built from. */
function body(certificate: Uint8Array, step: number): Uint8Array {
  const stepBytes = new ByteWriter().varint(step).bytes();
  const out = new Uint8Array(certificate.length + stepBytes.length);
  out.set(certificate);
  out.set(stepBytes, certificate.length);
  return out;
}

/**
 * What the device signs for `step`. A wallet signs it with its non-extractable WebCrypto
 * key and hands the signature to `assembleRotatingCode`.
 */
export const rotatingCodeMessage = (certificate: Uint8Array, step: number, version: number = FORMAT_VERSION): Uint8Array =>
  signedMessage(rotatingPrefix(version), body(certificate, step));

/** The code's text from a certificate, a step and the device's signature of `rotatingCodeMessage`. */
export function assembleRotatingCode(certificate: Uint8Array, step: number, deviceSignature: Uint8Array): string {
  if (deviceSignature.length !== SIGNATURE_LENGTH) throw new RangeError(`a signature is ${SIGNATURE_LENGTH} bytes, got ${deviceSignature.length}`);
  const b = body(certificate, step);
  const out = new Uint8Array(b.length + SIGNATURE_LENGTH);
  out.set(b);
  out.set(deviceSignature, b.length);
  return rotatingPrefix() + toBase64Url(out);
}

/** The code for `step` signed with a raw device key (tests, benches, a holder without WebCrypto). */
export function signRotatingCode(certificate: Uint8Array, step: number, devicePrivateKey: Uint8Array): string {
  return assembleRotatingCode(certificate, step, signBytes(rotatingCodeMessage(certificate, step), devicePrivateKey));
}

/**
 * What a scanner's camera counts as "the code still in view": for a rotating code its
 * certificate (one phone showing one ticket, whatever the step), for any other code its
 * text. A holder who keeps the phone up while the step changes is not scanned again, and
 * the verdict on screen is not replaced by "already used". Unverified: it only decides
 * whether to look at a code, never what the code is worth.
 */
export function shownCodeKey(code: string): string {
  const prefix = rotatingPrefix();
  if (!code.startsWith(prefix)) return code;
  const body = decodeBase64Url(code.slice(prefix.length));
  if (!body.ok) return code;
  try {
    const r = new ByteReader(body.bytes);
    readCertificate(r, body.bytes);
    return prefix + toBase64Url(body.bytes.subarray(0, r.position));
  } catch {
    return code;
  }
}

export interface StepWindow {
  /** Server time as this node knows it, epoch ms. */
  now: number;
  /**
   * Extra time either side of the current and neighbouring steps, for a holder whose phone
   * has not learnt the server's time since its certificate was made (0: none).
   */
  leewayMs: number;
}

export type StepJudgement = 'now' | 'expired' | 'future';

/**
 * Older than the previous step: accepted only thanks to the leeway (a holder whose phone
 * has been offline since its certificate), so the verdict says when the code was made.
 */
export const madeBeforePreviousStep = (step: number, stepSeconds: number, now: number): boolean => step < stepAt(now, stepSeconds) - 1;

/**
 * The current and the previous step are accepted (a code shown just before the step
 * changed), and the next one (clocks within a step of each other); the leeway widens both
 * sides by whole steps. Older is a screenshot or a stale screen; later, a clock that is off.
 */
export function judgeStep(step: number, stepSeconds: number, w: StepWindow): StepJudgement {
  const current = stepAt(w.now, stepSeconds);
  const spare = Math.ceil(Math.max(0, w.leewayMs) / (stepSeconds * 1000));
  if (step < current - 1 - spare) return 'expired';
  if (step > current + 1 + spare) return 'future';
  return 'now';
}
