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

/** A character's value, or -1 outside the alphabet. */
const valueAt = (text: string, i: number): number => {
  const c = text.charCodeAt(i);
  return c < 128 ? VALUES[c]! : -1;
};

/** The first character outside the alphabet at or after `from` (there is one). */
function foreign(text: string, from: number): Base64Result {
  let i = from;
  while (valueAt(text, i) >= 0) i++;
  return { ok: false, damage: { kind: 'character', character: text[i]!, position: i + 1 } };
}

/**
 * Decodes strictly; says what is wrong instead of throwing. Four characters at a time, into
 * three bytes: every scanned code passes here before its signatures are checked.
 * `headroom` bytes are left free in the buffer ahead of the result, for a caller to put
 * something in front of the bytes without copying them (decode.ts: the code's signed prefix).
 */
export function decodeBase64Url(text: string, headroom = 0): Base64Result {
  const n = text.length;
  if (n % 4 === 1) return { ok: false, damage: { kind: 'length', length: n } };
  const out = new Uint8Array(headroom + ((n * 3) >> 2));
  let o = headroom;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = valueAt(text, i);
    const b = valueAt(text, i + 1);
    const c = valueAt(text, i + 2);
    const d = valueAt(text, i + 3);
    if ((a | b | c | d) < 0) return foreign(text, i);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  // Two or three characters left: one or two bytes, and the last character's unused bits
  // (4 or 2 of them) must be zero, or a second spelling would read as the same bytes.
  if (i < n) {
    const a = valueAt(text, i);
    const b = valueAt(text, i + 1);
    const c = i + 2 < n ? valueAt(text, i + 2) : 0;
    if ((a | b | c) < 0) return foreign(text, i);
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >> 16;
    if (i + 2 < n) out[o++] = (v >> 8) & 0xff;
    if ((i + 2 < n ? v & 0xff : v & 0xffff) !== 0) return { ok: false, damage: { kind: 'last_character' } };
  }
  return { ok: true, bytes: headroom === 0 ? out : out.subarray(headroom) };
}

/** For keys from config or a manifest: null instead of an error. */
export function fromBase64Url(text: string): Uint8Array | null {
  const r = decodeBase64Url(text);
  return r.ok ? r.bytes : null;
}
