// Reading a scan: one call from scanned text to "a verified ticket", "a verified order",
// "another system's barcode" or a refusal with an outcome and the problem as data
// (problems.ts), which each reader words in its language. It never throws: whatever the camera or a keyboard-wedge scanner hands us, the
// gate shows a verdict.
//
// Validity windows are returned, not judged: whether "not yet valid" admits with a
// warning is the admission rule's call, and it also sees the manifest's copy.
import type { EventId } from '../ids.ts';
import type { PublicKeyEntry } from '../manifest.ts';
import { Outcome } from '../outcomes.ts';
import { decodeBase64Url, fromBase64Url } from './base64url.ts';
import {
  CODE_MAGIC, CodeKind, FORMAT_VERSION, MAX_CODE_LENGTH, MAX_IMPORTED_LENGTH, RESERVED_KINDS,
  SIGNATURE_LENGTH, SUPPORTED_VERSIONS, codePrefix, isOurCode,
} from './format.ts';
import { verifyBytes, type AsyncSignatureVerifier, type SignatureVerifier } from './keys.ts';
import { extractCode } from './link.ts';
import {
  decodeOrderPayload, decodeTicketPayload, type OrderCodeFields, type PayloadResult, type TicketCodeFields,
} from './payload.ts';
import { quote, type CodeDamage, type CodeProblem } from './problems.ts';
import { signedMessage } from './sign.ts';

export interface DecodeContext {
  /** The event this scanner checks in for. */
  eventId: EventId | string;
  /** The event's keys from the manifest: a list, so codes signed before a rotation still verify. */
  publicKeys: readonly PublicKeyEntry[];
  /** Epoch ms. Unused by static codes (see above); rotating codes will need it. */
  now?: number;
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
/** Not ours: valid only if the manifest lists it as some ticket's importedCode. */
export type ImportedCode = { ok: true; kind: 'imported'; code: string };
export type CodeRejection = {
  ok: false;
  outcome: typeof Outcome.invalid_signature | typeof Outcome.unknown;
  problem: CodeProblem;
};
export type DecodeResult = DecodedTicket | DecodedOrder | ImportedCode | CodeRejection;

const forged = (problem: CodeProblem): CodeRejection => ({ ok: false, outcome: Outcome.invalid_signature, problem });
const notOurs = (problem: CodeProblem): CodeRejection => ({ ok: false, outcome: Outcome.unknown, problem });
const damaged = (damage: CodeDamage): CodeRejection => forged({ kind: 'damaged', damage });

/**
 * A code read and checked but for its signature: the last step, which is the only one a
 * platform may answer asynchronously (WebCrypto).
 */
interface Unverified {
  signed: true;
  /** What the code says, once one of the keys verifies the signature. */
  result: DecodedTicket | DecodedOrder;
  signature: Uint8Array;
  message: Uint8Array;
  /** Every key listed under the code's key id (a manifest may list one twice). */
  publicKeys: Uint8Array[];
}

const unchecked = (e: unknown): CodeRejection =>
  forged({ kind: 'unchecked', error: (e instanceof Error ? e.message : String(e)).slice(0, 200) });

const badSignature = (): CodeRejection => forged({ kind: 'bad_signature' });

export function decodeCode(text: string, ctx: DecodeContext): DecodeResult {
  try {
    const r = decode(text, ctx);
    if (!('signed' in r)) return r;
    const verify = ctx.verify ?? verifyBytes;
    return r.publicKeys.some((pk) => verify(r.signature, r.message, pk)) ? r.result : badSignature();
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
    const verdicts = await Promise.all(r.publicKeys.map((pk) => verify(r.signature, r.message, pk)));
    return verdicts.some(Boolean) ? r.result : badSignature();
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
  if (kind !== CodeKind.ticket && kind !== CodeKind.order) return damaged({ kind: 'not_a_kind', letter: quote(kind) });

  const body = decodeBase64Url(code.slice(i + 1));
  if (!body.ok) return damaged(body.damage);
  if (body.bytes.length <= SIGNATURE_LENGTH) return damaged({ kind: 'cut_short' });
  const payload = body.bytes.subarray(0, body.bytes.length - SIGNATURE_LENGTH);
  const signature = body.bytes.subarray(body.bytes.length - SIGNATURE_LENGTH);

  const sealed: Sealed = { version, prefix: codePrefix(version, kind), payload, signature };
  const verified = { ok: true as const, code, version };
  if (kind === CodeKind.ticket) {
    const r = check(decodeTicketPayload(payload), sealed, ctx);
    if (!('signed' in r)) return r;
    const { keyId, fields, ...toVerify } = r;
    return { ...toVerify, result: { ...verified, kind: 'ticket', keyId, ...fields } };
  }
  const r = check(decodeOrderPayload(payload), sealed, ctx);
  if (!('signed' in r)) return r;
  const { keyId, fields, ...toVerify } = r;
  return { ...toVerify, result: { ...verified, kind: 'order', keyId, ...fields } };
}

/**
 * From parsed payload to fields waiting for their signature check: version, event, key, in
 * that order; the signature last (decodeCode, decodeCodeAsync).
 */
interface Sealed { version: number; prefix: string; payload: Uint8Array; signature: Uint8Array }

type Checked<F> = Omit<Unverified, 'result'> & { keyId: string; fields: F };

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

  const keys = ctx.publicKeys.filter((k) => k.keyId === header.keyId);
  if (keys.length === 0) return forged({ kind: 'unknown_key', keyId: header.keyId });
  // Fail closed if a manifest ever lists one key id twice with different states.
  if (keys.some((k) => k.revoked)) return forged({ kind: 'revoked_key', keyId: header.keyId });
  const publicKeys = keys.map((k) => fromBase64Url(k.publicKey)).filter((k): k is Uint8Array => k !== null);
  if (publicKeys.length === 0) return forged({ kind: 'damaged_key', keyId: header.keyId });
  const message = signedMessage(sealed.prefix, sealed.payload);
  return { signed: true, signature: sealed.signature, message, publicKeys, keyId: header.keyId, fields };
}
