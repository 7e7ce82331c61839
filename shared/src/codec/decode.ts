// Reading a scan: one call from scanned text to "a verified ticket", "a verified order",
// "another system's barcode" or a refusal with an outcome and the problem as data
// (problems.ts), which each reader words in its language. It never throws: whatever the camera or a keyboard-wedge scanner hands us, the
// gate shows a verdict.
//
// Validity windows are returned, not judged: whether "not yet valid" admits with a
// warning is the admission rule's call, and it also sees the manifest's copy.
import type { EventId, TicketId } from '../ids.ts';
import type { PublicKeyEntry } from '../manifest.ts';
import { Outcome } from '../outcomes.ts';
import { decodeBase64Url, fromBase64Url, toBase64Url } from './base64url.ts';
import { ByteReader, MalformedPayload } from './bytes.ts';
import { certificateIdText, certificatePrefix, readCertificate } from './certificate.ts';
import {
  CODE_MAGIC, CodeKind, FORMAT_VERSION, MAX_CODE_LENGTH, MAX_IMPORTED_LENGTH, RESERVED_KINDS,
  SIGNATURE_LENGTH, SUPPORTED_VERSIONS, isOurCode,
} from './format.ts';
import { verifyBytes, type AsyncSignatureVerifier, type KeyStanding, type SignatureVerifier } from './keys.ts';
import { extractCode } from './link.ts';
import {
  decodeOrderPayload, decodeTicketPayload, type OrderCodeFields, type PayloadResult, type TicketCodeFields,
} from './payload.ts';
import { quote, type CodeDamage, type CodeProblem } from './problems.ts';
import { judgeStep, stepStart } from './rotating.ts';
import { signedMessage } from './sign.ts';

export interface DecodeContext {
  /** The event this scanner checks in for. */
  eventId: EventId | string;
  /** The event's keys from the manifest: a list, so codes signed before a rotation still verify. */
  publicKeys: readonly PublicKeyEntry[];
  /** Server time as this node knows it, epoch ms. Unused by static codes (see above); rotating codes are refused `unchecked` without it. */
  now?: number;
  /** Rotating codes: the certificate ids revoked (the manifest's `revokedCertificates`). */
  revokedCertificates?: ReadonlySet<string>;
  /** Rotating codes: extra time either side of the accepted steps (rotating.ts judgeStep); 0 unless given. */
  rotatingLeewayMs?: number;
  /** How signatures are checked; `verifyBytes` (pure, runs anywhere) unless given. */
  verify?: SignatureVerifier;
}

interface Verified {
  ok: true;
  /** The code as read, unwrapped from a link: evidence for the scan record. */
  code: string;
  version: number;
  keyId: string;
}
export type DecodedTicket = Verified & { kind: 'ticket' } & TicketCodeFields;
export type DecodedOrder = Verified & { kind: 'order' } & OrderCodeFields;
/** A rotating code made now by the phone its ticket is bound to; admitted by ticket like a signed ticket code. */
export type DecodedRotating = Verified & {
  kind: 'rotating';
  eventId: EventId;
  ticketId: TicketId;
  /** base64url, as revocation lists name it. */
  certificateId: string;
  /** base64url of the raw key. */
  devicePublicKey: string;
  certificateIssuedAt: number;
  stepSeconds: number;
  step: number;
  /** When the step the code was made for began (epoch ms): what the verdict says it was made at. */
  madeAt: number;
};
/** Not ours: valid only if the manifest lists it as some ticket's importedCode. */
export type ImportedCode = { ok: true; kind: 'imported'; code: string };
export type CodeRejection = {
  ok: false;
  outcome: typeof Outcome.invalid_signature | typeof Outcome.unknown | typeof Outcome.expired_code;
  problem: CodeProblem;
};
export type DecodeResult = DecodedTicket | DecodedOrder | DecodedRotating | ImportedCode | CodeRejection;

const forged = (problem: CodeProblem): CodeRejection => ({ ok: false, outcome: Outcome.invalid_signature, problem });
const notOurs = (problem: CodeProblem): CodeRejection => ({ ok: false, outcome: Outcome.unknown, problem });
const damaged = (damage: CodeDamage): CodeRejection => forged({ kind: 'damaged', damage });

/**
 * A code read and checked but for its signature: the last step, which is the only one a
 * platform may answer asynchronously (WebCrypto).
 */
interface Unverified {
  signed: true;
  /** Every one must verify, each under one of its keys. */
  checks: SignatureCheck[];
  /** What the code says once they all do. */
  result: () => DecodedTicket | DecodedOrder | DecodedRotating | CodeRejection;
}

interface SignatureCheck {
  signature: Uint8Array;
  message: Uint8Array;
  /** Every key listed under the code's key id (a manifest may list one twice). */
  publicKeys: Uint8Array[];
  /** What a failure is (the event key's signature: bad_signature; a device's: other_device). */
  failure: () => CodeRejection;
  /** A device key under the certificate's event signature, which is another check of the same code. */
  key?: KeyStanding;
}

const unchecked = (e: unknown): CodeRejection =>
  forged({ kind: 'unchecked', error: (e instanceof Error ? e.message : String(e)).slice(0, 200) });

const badSignature = (): CodeRejection => forged({ kind: 'bad_signature' });

/** The certificate's device key: the server checked it before the event key signed it. */
const VOUCHED: KeyStanding = Object.freeze({ vouched: true });

export function decodeCode(text: string, ctx: DecodeContext): DecodeResult {
  try {
    const r = decode(text, ctx);
    if (!('signed' in r)) return r;
    const verify = ctx.verify ?? verifyBytes;
    for (const c of r.checks) if (!c.publicKeys.some((pk) => verify(c.signature, c.message, pk, c.key))) return c.failure();
    return r.result();
  } catch (e) {
    // Nothing above is known to throw; if something does, refuse rather than crash the gate.
    return unchecked(e);
  }
}

/**
 * `decodeCode` with the signature checked by a verifier that answers later (a scanner's
 * WebCrypto). Every other step, and every refusal, is decodeCode's own; never rejects.
 */
export async function decodeCodeAsync(text: string, ctx: Omit<DecodeContext, 'verify'>, verify: AsyncSignatureVerifier): Promise<DecodeResult> {
  try {
    const r = decode(text, ctx);
    if (!('signed' in r)) return r;
    // Every check asked for at once, each in its one key where it has one (nearly always).
    const verdicts = await Promise.all(r.checks.map((c) => c.publicKeys.length === 1
      ? verify(c.signature, c.message, c.publicKeys[0]!, c.key)
      : Promise.all(c.publicKeys.map((pk) => verify(c.signature, c.message, pk, c.key))).then((each) => each.some(Boolean))));
    const failed = r.checks.find((_, i) => !verdicts[i]);
    return failed ? failed.failure() : r.result();
  } catch (e) {
    return unchecked(e);
  }
}

function decode(text: string, ctx: Omit<DecodeContext, 'verify'>): DecodeResult | Unverified {
  const code = extractCode(text);
  if (!isOurCode(code)) {
    if (code.length === 0) return notOurs({ kind: 'empty' });
    if (code.length > MAX_IMPORTED_LENGTH) return notOurs({ kind: 'too_long', length: code.length, max: MAX_IMPORTED_LENGTH });
    return { ok: true, kind: 'imported', code };
  }
  if (code.length > MAX_CODE_LENGTH) return damaged({ kind: 'too_long', length: code.length });

  // "GK" <version digits> <kind letter> <base64url>
  let i = CODE_MAGIC.length;
  while (i < code.length && i < CODE_MAGIC.length + 6 && code.charCodeAt(i) >= 48 && code.charCodeAt(i) <= 57) i++;
  const versionText = code.slice(CODE_MAGIC.length, i);
  const version = Number(versionText);
  if (!SUPPORTED_VERSIONS.has(version) || versionText !== String(version)) {
    return forged(version > FORMAT_VERSION
      ? { kind: 'future_version', version: versionText, reads: FORMAT_VERSION }
      : { kind: 'no_such_version', version: versionText });
  }
  const kind = code.charAt(i);
  if (kind === '') return damaged({ kind: 'no_kind' });
  if (RESERVED_KINDS.has(kind)) return forged({ kind: 'not_supported', letter: kind });
  if (kind !== CodeKind.ticket && kind !== CodeKind.order && kind !== CodeKind.rotating) return damaged({ kind: 'not_a_kind', letter: quote(kind) });

  const body = readBody(code, i + 1);
  if (!body.ok) return damaged(body.damage);
  const { bytes } = body;
  if (kind === CodeKind.rotating) return rotating(body, code, version, ctx);
  if (bytes.length <= SIGNATURE_LENGTH) return damaged({ kind: 'cut_short' });
  const payloadLength = bytes.length - SIGNATURE_LENGTH;
  const payload = bytes.subarray(0, payloadLength);
  const signature = bytes.subarray(payloadLength);

  const sealed: Sealed = { version, message: body.signed(payloadLength), signature };
  const verified = { ok: true as const, code, version };
  if (kind === CodeKind.ticket) {
    const r = check(decodeTicketPayload(payload), sealed, ctx);
    if (!('check' in r)) return r;
    const { keyId, fields, check: c } = r;
    return { signed: true, checks: [c], result: () => ({ ...verified, kind: 'ticket', keyId, ...fields }) };
  }
  const r = check(decodeOrderPayload(payload), sealed, ctx);
  if (!('check' in r)) return r;
  const { keyId, fields, check: c } = r;
  return { signed: true, checks: [c], result: () => ({ ...verified, kind: 'order', keyId, ...fields }) };
}

/** A code's body as bytes, and the message a signature over its first bytes covers. */
interface Body {
  ok: true;
  bytes: Uint8Array;
  /** The code's prefix ("GK1T") and the body's first `length` bytes: what the code's kind signs. */
  signed: (length: number) => Uint8Array;
}

/**
 * The body decoded right behind a copy of the code's own prefix, which is the prefix its
 * signature covers (the version was read back as written, so "GK1T" is codePrefix(1, "T")):
 * the signed message is then a view of the same bytes, not a copy of them per code.
 */
function readBody(code: string, prefixLength: number): Body | { ok: false; damage: CodeDamage } {
  const read = decodeBase64Url(code.slice(prefixLength), prefixLength);
  if (!read.ok) return read;
  const { bytes } = read;
  const framed = new Uint8Array(bytes.buffer, bytes.byteOffset - prefixLength, prefixLength + bytes.length);
  for (let k = 0; k < prefixLength; k++) framed[k] = code.charCodeAt(k);
  return { ok: true, bytes, signed: (length) => framed.subarray(0, prefixLength + length) };
}

/**
 * A rotating code (rotating.ts): the certificate's checks are a signed ticket code's
 * (event, then key); then two signatures, the event key's over the certificate and the
 * device's over the step; only then revocation and the step's time, so a forged code is
 * never told to "open the live ticket".
 */
function rotating(body: Body, code: string, version: number, ctx: Omit<DecodeContext, 'verify'>): DecodeResult | Unverified {
  const { bytes } = body;
  let cert, step, deviceSignature, deviceMessage;
  try {
    const r = new ByteReader(bytes);
    cert = readCertificate(r, bytes);
    step = r.varint('step');
    // "GK1R" || certificate || step as the code spells it, which is as the phone signed it: the
    // reader takes only minimal varints, so these are the bytes rotatingCodeMessage would build.
    deviceMessage = body.signed(r.position);
    deviceSignature = r.raw('device_signature', SIGNATURE_LENGTH);
    if (!r.done) return damaged({ kind: 'extra_bytes' });
  } catch (e) {
    if (e instanceof MalformedPayload) return damaged(e.damage);
    throw e;
  }
  if (cert.version !== version) return damaged({ kind: 'version_mismatch', prefix: version, contents: cert.version });
  const { fields } = cert;
  if (fields.eventId !== ctx.eventId) return notOurs({ kind: 'other_event', eventId: quote(fields.eventId) });
  const keys = eventKeys(cert.keyId, ctx);
  if (!Array.isArray(keys)) return keys;
  if (ctx.now === undefined) return unchecked(new Error('no clock to judge a rotating code by'));
  const now = ctx.now;
  const certificateId = certificateIdText(fields.certificateId);
  const certificateCheck: SignatureCheck = {
    signature: cert.signature, message: signedMessage(certificatePrefix(version), cert.payload), publicKeys: keys, failure: badSignature,
  };
  const deviceCheck: SignatureCheck = {
    signature: deviceSignature, message: deviceMessage, publicKeys: [fields.devicePublicKey],
    failure: () => forged({ kind: 'other_device' }), key: VOUCHED,
  };
  const madeAt = stepStart(step, fields.stepSeconds);
  return {
    signed: true,
    checks: [certificateCheck, deviceCheck],
    result: () => {
      if (ctx.revokedCertificates?.has(certificateId)) return forged({ kind: 'revoked_certificate', certificateId });
      const when = judgeStep(step, fields.stepSeconds, { now, leewayMs: ctx.rotatingLeewayMs ?? 0 });
      if (when === 'expired') return { ok: false, outcome: Outcome.expired_code, problem: { kind: 'expired_step', madeAt } };
      if (when === 'future') return forged({ kind: 'future_step', madeAt });
      return {
        ok: true, code, version, keyId: cert.keyId, kind: 'rotating', eventId: fields.eventId, ticketId: fields.ticketId,
        certificateId, devicePublicKey: toBase64Url(fields.devicePublicKey), certificateIssuedAt: fields.issuedAt,
        stepSeconds: fields.stepSeconds, step, madeAt,
      };
    },
  };
}

/**
 * A manifest entry's key as bytes, decoded once per entry: a gate checks every code against
 * the same few entries. Kept with the text it was decoded from, so an entry given a new key
 * is decoded again.
 */
const decodedKeys = new WeakMap<PublicKeyEntry, { text: string; bytes: Uint8Array | null }>();
function keyBytes(entry: PublicKeyEntry): Uint8Array | null {
  const kept = decodedKeys.get(entry);
  if (kept && kept.text === entry.publicKey) return kept.bytes;
  const bytes = fromBase64Url(entry.publicKey);
  decodedKeys.set(entry, { text: entry.publicKey, bytes });
  return bytes;
}

/** The event's keys under `keyId`, or why there are none to check with. */
function eventKeys(keyId: string, ctx: Omit<DecodeContext, 'verify'>): Uint8Array[] | CodeRejection {
  let listed = false;
  const publicKeys: Uint8Array[] = [];
  for (const entry of ctx.publicKeys) {
    if (entry.keyId !== keyId) continue;
    listed = true;
    // Fail closed if a manifest ever lists one key id twice with different states.
    if (entry.revoked) return forged({ kind: 'revoked_key', keyId });
    const bytes = keyBytes(entry);
    if (bytes) publicKeys.push(bytes);
  }
  if (!listed) return forged({ kind: 'unknown_key', keyId });
  if (publicKeys.length === 0) return forged({ kind: 'damaged_key', keyId });
  return publicKeys;
}

/**
 * From parsed payload to fields waiting for their signature check: version, event, key, in
 * that order; the signature last (decodeCode, decodeCodeAsync).
 */
interface Sealed {
  version: number;
  /** The code's prefix || payload: what the signature covers. */
  message: Uint8Array;
  signature: Uint8Array;
}

type Checked<F> = { keyId: string; fields: F; check: SignatureCheck };

function check<F extends { eventId: string }>(
  read: PayloadResult<F>, sealed: Sealed, ctx: Omit<DecodeContext, 'verify'>,
): Checked<F> | CodeRejection {
  if (!read.ok) return damaged(read.damage);
  const { header, fields } = read;
  if (header.version !== sealed.version) return damaged({ kind: 'version_mismatch', prefix: sealed.version, contents: header.version });

  // Before the signature, because a scanner holds only its own event's keys: a genuine
  // code of another event could only ever fail to verify here, and "forged" would send
  // the inspector looking for a forger instead of pointing the holder to the right gate.
  // Unverified, so the reason names the event without vouching for the code.
  if (fields.eventId !== ctx.eventId) {
    return notOurs({ kind: 'other_event', eventId: quote(fields.eventId) });
  }

  const publicKeys = eventKeys(header.keyId, ctx);
  if (!Array.isArray(publicKeys)) return publicKeys;
  return { keyId: header.keyId, fields, check: { signature: sealed.signature, message: sealed.message, publicKeys, failure: badSignature } };
}
