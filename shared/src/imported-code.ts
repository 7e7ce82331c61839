// Imported barcodes (plain codes from another ticketing system) travel to phones as a
// keyed hash, never in clear: each one, printed, is a working ticket, and a manifest is on
// every inspector's phone. The phone hashes what it scans with the event's key and looks
// the hash up; the server keeps the codes and hashes them when it builds a manifest.
//
// HMAC-SHA-256 with a key per event, truncated to 128 bits, base64url (22 characters).
// One implementation for both ends (@noble/hashes, synchronous: a lookup stays a map get).
// The key is on the phone too, so this does not stop someone holding a phone from
// testing guesses; it stops a copied manifest from listing working barcodes, and a hash
// from one event from matching another's.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url } from './codec/base64url.ts';

export const IMPORTED_CODE_HASH_BYTES = 16;
const encoder = new TextEncoder();

/** The per-event hashing key, derived from a secret only the server holds. */
export function deriveImportedCodeKey(serverSecret: Uint8Array, eventId: string): string {
  return toBase64Url(hmac(sha256, serverSecret, encoder.encode(`gatekeeper imported-code key v1\u0000${eventId}`)));
}

/** The hash of one imported code under an event's key (base64url, as in the manifest). */
export function hashImportedCode(key: string | Uint8Array, code: string): string {
  const k = typeof key === 'string' ? fromBase64Url(key) : key;
  if (!k || k.length < 16) throw new Error('the imported-code key is not a key');
  return toBase64Url(hmac(sha256, k, encoder.encode(code)).subarray(0, IMPORTED_CODE_HASH_BYTES));
}

/** A hasher bound to one key, decoding it once (100,000 manifest rows, every scan). */
export function importedCodeHasher(key: string): (code: string) => string {
  const k = fromBase64Url(key);
  if (!k || k.length < 16) throw new Error('the imported-code key is not a key');
  return (code) => hashImportedCode(k, code);
}
