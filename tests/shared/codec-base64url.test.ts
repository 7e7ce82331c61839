// base64url as codes carry it: one spelling per byte string. Held against Node's own
// decoder, which is lenient, plus the two rules that make it strict (every character in
// the alphabet, the unused bits of the last character zero).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, toBase64Url } from '@gatekeeper/shared/codec/base64url';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** What a strict decoder must answer, from Node's Buffer. */
function expected(text: string) {
  if (text.length % 4 === 1) return { ok: false, damage: { kind: 'length', length: text.length } };
  const bad = [...text].findIndex((c) => !ALPHABET.includes(c));
  if (bad >= 0) return { ok: false, damage: { kind: 'character', character: text[bad], position: bad + 1 } };
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (toBase64Url(bytes) !== text) return { ok: false, damage: { kind: 'last_character' } };
  return { ok: true, bytes };
}

const text = fc.array(fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...ALPHABET) }, { weight: 1, arbitrary: fc.constantFrom('=', '+', '/', ' ', 'é', '\u0000', '~') }), { maxLength: 40 })
  .map((cs) => cs.join(''));

describe('decodeBase64Url', () => {
  it('reads every byte string back from its one spelling', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(decodeBase64Url(toBase64Url(bytes))).toEqual({ ok: true, bytes });
    }), { numRuns: 500 });
  });

  it('answers any text as a strict decoder must: the bytes, or the length, the first foreign character, or the last character\u2019s spare bits', () => {
    fc.assert(fc.property(text, (t) => {
      expect(decodeBase64Url(t)).toEqual(expected(t));
    }), { numRuns: 3000 });
  });

  it('names the first foreign character by its place, wherever it falls in a group of four', () => {
    for (let at = 0; at < 8; at++) {
      const t = 'AAAAAAAA'.slice(0, at) + '*' + 'AAAAAAAA'.slice(at + 1);
      expect(decodeBase64Url(t)).toEqual({ ok: false, damage: { kind: 'character', character: '*', position: at + 1 } });
    }
  });
});
