// Event signing keys: Ed25519, raw 32-byte keys, base64url in manifests and config.
// `verifyBytes` is the rule, pure and synchronous, and runs anywhere; platforms' native
// verifiers (Node's crypto on the server, WebCrypto on a scanner) are used behind the
// strictness checks below, so they refuse whatever it refuses. noble's sync SHA-512 hook
// is set here once for every importer (setting it again to the same function is harmless).
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { PublicKeyEntry } from '../manifest.ts';
import { toBase64Url } from './base64url.ts';
import { KEY_ID_PATTERN, PRIVATE_KEY_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './format.ts';

ed.hashes.sha512 = sha512;

export interface EventKey {
  /** Set when given to generateEventKey; the server numbers its keys "k1", "k2", ... */
  keyId?: string;
  publicKey: Uint8Array;
  /** The seed. Stays on the server: no scanner holds anything that can mint tickets. */
  privateKey: Uint8Array;
}

export interface SigningKey {
  keyId: string;
  privateKey: Uint8Array;
}

export function generateEventKey(keyId?: string): EventKey {
  if (keyId !== undefined && !KEY_ID_PATTERN.test(keyId)) throw new RangeError(`not a valid key id: ${JSON.stringify(keyId)}`);
  const { secretKey, publicKey } = ed.keygen();
  return keyId === undefined ? { publicKey, privateKey: secretKey } : { keyId, publicKey, privateKey: secretKey };
}

export const publicKeyOf = (privateKey: Uint8Array): Uint8Array => ed.getPublicKey(privateKey);

/** The manifest's form of a public key. */
export const toPublicKeyEntry = (keyId: string, publicKey: Uint8Array, revoked = false): PublicKeyEntry =>
  ({ keyId, publicKey: toBase64Url(publicKey), revoked });

export function signBytes(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== PRIVATE_KEY_LENGTH) throw new RangeError(`a private key is ${PRIVATE_KEY_LENGTH} bytes, got ${privateKey.length}`);
  return ed.sign(message, privateKey);
}

/**
 * Checks an Ed25519 signature: true only if it verifies under `verifyBytes`'s rules. A
 * decoder takes one so the server can use Node's native verifier (about 15 times faster)
 * while a browser keeps this pure one; both must refuse whatever `verifyBytes` refuses.
 */
export type SignatureVerifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, key?: KeyStanding) => boolean;

/**
 * What the caller knows of a key. `vouched`: the key sits in a payload that an event key's
 * signature covers, that signature is checked alongside (its failure refuses the code
 * whatever this check says), and the server checked the key with `isStrictPublicKey`
 * before signing (issuer.ts). A verifier may then skip its own key check, which for a key
 * met once (each holder's phone) costs more than the signature: ~134 µs of point
 * decompression in JavaScript against ~78 µs for a WebCrypto verification.
 */
export interface KeyStanding {
  vouched?: boolean;
}

/**
 * The same check answered later: WebCrypto's Ed25519 (`crypto.subtle.verify`) only answers
 * with a promise. A scanner whose browser has it verifies there, in native code, instead
 * of spending ~2 ms of its main thread in the pure verifier on every signed code.
 */
export type AsyncSignatureVerifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, key?: KeyStanding) => Promise<boolean>;

/** The group order L = 2^252 + 27742317777372353535851937790883648493. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** L's 32 bytes, little-endian: S < L compared byte by byte, with no BigInt per code (~2 µs). */
const L_BYTES = Uint8Array.from({ length: 32 }, (_, i) => Number((L >> BigInt(8 * i)) & 0xffn));

/** The 32-byte little-endian number at `at` is below L. Offsets, not views: checked on every code. */
function belowL(bytes: Uint8Array, at: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const b = bytes[at + i]!;
    if (b !== L_BYTES[i]!) return b < L_BYTES[i]!;
  }
  return false;
}

/** The 32 bytes at `at` are y < p, and no sign bit on x = 0 (y = 1 or y = p - 1): the one spelling of a point. */
function isCanonicalPointEncoding(b: Uint8Array, at: number): boolean {
  const top = b[at + 31]! & 0x7f;
  let middleAllOnes = true;
  let middleAllZero = true;
  for (let i = at + 1; i < at + 31; i++) {
    if (b[i] !== 0xff) middleAllOnes = false;
    if (b[i] !== 0) middleAllZero = false;
  }
  const first = b[at]!;
  const nearP = top === 0x7f && middleAllOnes; // y >= 2^255 - 256
  if (nearP && first >= 0xed) return false; // y >= p
  const signed = (b[at + 31]! & 0x80) !== 0;
  const yIsOne = top === 0 && middleAllZero && first === 1;
  const yIsMinusOne = nearP && first === 0xec;
  return !(signed && (yIsOne || yIsMinusOne));
}

/**
 * The signature half of `verifyBytes`'s strictness, for a verifier that hands the rest to
 * a platform's Ed25519 (OpenSSL in Node, BoringSSL in Chromium, NSS, Apple's), whose own
 * checks differ between libraries and versions: S < L, so S + L is no second spelling of
 * a signature, and R a canonical point encoding, so neither is a second spelling of R.
 * With the key checked by `isStrictPublicKey`, what such a verifier accepts is then what
 * `verifyBytes` accepts (see sync-server/src/scans/ed25519-node.ts for the argument).
 */
export function isStrictSignatureShape(signature: Uint8Array): boolean {
  return signature.length === SIGNATURE_LENGTH && isCanonicalPointEncoding(signature, 0) && belowL(signature, 32);
}

/**
 * The public-key half of `verifyBytes`'s strictness, for a verifier that checks keys once:
 * a canonical encoding (y < p, no sign bit on x = 0) of a point that is not of small order.
 */
export function isStrictPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  try {
    return !ed.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

/**
 * Strict RFC 8032 verification (zip215: false): non-canonical encodings and small-order
 * keys are refused, so no second spelling of a signature verifies. False, never a throw.
 */
export function verifyBytes(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));

/**
 * RFC 8032, section 7.1, test 1: a valid signature of the empty message. For warming a
 * verifier up, and for asking a platform whether its Ed25519 works at all.
 */
export const KNOWN_GOOD = {
  publicKey: hexBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  signature: hexBytes('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
  message: new Uint8Array(0),
} as const;

/**
 * Verifies a known signature once, so that the first ticket scanned does not pay for noble's
 * one-time work (its base-point table and the JIT's first compile): 80 ms for the first
 * verification against 2 ms after it, in Node on a busy machine, and more in a phone's
 * browser. A scanner calls it when idle, before the first code arrives. True when it verified.
 */
export function warmVerifier(): boolean {
  return verifyBytes(KNOWN_GOOD.signature, KNOWN_GOOD.message, KNOWN_GOOD.publicKey);
}
