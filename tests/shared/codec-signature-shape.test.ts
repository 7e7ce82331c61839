// isStrictSignatureShape's S < L, against the number itself: every code's signature goes
// through it on the scanner's main thread, so it compares bytes, not BigInts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateEventKey, isStrictSignatureShape } from '@gatekeeper/shared/codec/index';
import { signBytes } from '@gatekeeper/shared/codec/keys';

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const toLE = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLE = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
// A canonical R: the one of a real signature.
const R = signBytes(new Uint8Array(1), generateEventKey().privateKey).subarray(0, 32);
const withS = (s: Uint8Array) => Uint8Array.from([...R, ...s]);

describe('isStrictSignatureShape: S < L', () => {
  it('agrees with the number for any S, and at the edges L - 1, L, L + 1 and 2^256 - 1', () => {
    for (const s of [0n, 1n, L - 1n, L, L + 1n, (1n << 253n), (1n << 256n) - 1n]) {
      expect([s, isStrictSignatureShape(withS(toLE(s)))]).toEqual([s, s < L]);
    }
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (bytes, near) => {
      // Half the cases share L's top bytes, where only the low bytes decide.
      const s = near ? Uint8Array.from([...bytes.subarray(0, 16), ...toLE(L).subarray(16)]) : bytes;
      return isStrictSignatureShape(withS(s)) === fromLE(s) < L;
    }), { numRuns: 2000 });
  });
});
