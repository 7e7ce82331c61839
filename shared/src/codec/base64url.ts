// base64url without padding (RFC 4648 §5), written out because Buffer is Node-only and
// Uint8Array.fromBase64 is not in Node 20. Decoding is strict: any character outside
// the alphabet, a length no encoder produces, or non-zero unused bits in the last
// character makes it fail. Lenient decoders map several texts to one byte string, and
// then editing a code's last character would leave its signature valid.
import type { CodeDamage } from './problems.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

export type Base64Result = { ok: true; bytes: Uint8Array } | { ok: false; damage: CodeDamage };

/** Decodes strictly; says what is wrong instead of throwing. */
export function decodeBase64Url(text: string): Base64Result {
  if (text.length % 4 === 1) return { ok: false, damage: { kind: 'length', length: text.length } };
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUES[c] : -1;
    if (v < 0) return { ok: false, damage: { kind: 'character', character: text[i], position: i + 1 } };
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return { ok: false, damage: { kind: 'last_character' } };
  return { ok: true, bytes: out };
}

/** For keys from config or a manifest: null instead of an error. */
export function fromBase64Url(text: string): Uint8Array | null {
  const r = decodeBase64Url(text);
  return r.ok ? r.bytes : null;
}
