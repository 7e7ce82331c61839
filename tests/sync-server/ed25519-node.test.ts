// The server's native verifier must refuse whatever the scanners' strict pure verifier
// refuses (and accept what it accepts), or a code could be "valid" at one gate and
// "forged" at another. Each case below is a way a signature or key can be malformed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCode, generateEventKey, signTicketCode, toPublicKeyEntry, type DecodeContext,
} from '@gatekeeper/shared/codec/index';
import { signBytes, verifyBytes } from '@gatekeeper/shared/codec/keys';
import { nodeEd25519Verifier } from '../../sync-server/src/scans/ed25519-node.ts';

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const P = (1n << 255n) - 19n;
const toLE = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLE = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

const key = generateEventKey('k1');
const message = new TextEncoder().encode('GK1.some signed ticket payload');
const signature = signBytes(message, key.privateKey);
const native = nodeEd25519Verifier();
const both = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => [verifyBytes(sig, msg, pk), native(sig, msg, pk)];

describe('nodeEd25519Verifier', () => {
  it('accepts a genuine signature, like the pure verifier', () => {
    expect(both(signature, message, key.publicKey)).toEqual([true, true]);
  });

  it('agrees with the pure verifier on any one byte changed in signature, message or key', () => {
    fc.assert(fc.property(fc.constantFrom('signature', 'message', 'key'), fc.nat(), fc.integer({ min: 1, max: 255 }), (part, at, mask) => {
      const sig = Uint8Array.from(signature); const msg = Uint8Array.from(message); const pk = Uint8Array.from(key.publicKey);
      const target = part === 'signature' ? sig : part === 'message' ? msg : pk;
      target[at % target.length]! ^= mask;
      const [pure, fast] = both(sig, msg, pk);
      return pure === false && fast === false;
    }), { numRuns: 300 });
  });

  it('refuses S + L, the second spelling of a valid signature', () => {
    const s = fromLE(signature.subarray(32));
    const malleated = Uint8Array.from([...signature.subarray(0, 32), ...toLE(s + L)]);
    expect(both(malleated, message, key.publicKey)).toEqual([false, false]);
  });

  it('refuses a small-order public key, even with a signature that fits it', () => {
    // With A the identity, R the identity and S = 0, [S]B = R + [k]A holds for any
    // message: the equation alone lets it through; the strict rule refuses small-order keys.
    const identity = toLE(1n);
    const forged = Uint8Array.from([...identity, ...toLE(0n)]);
    expect(both(forged, message, identity)).toEqual([false, false]);
  });

  it('takes a key the event vouched for (a certificate\'s device key) without the key check, and checks it when met unvouched', () => {
    // Safe only because the certificate's event signature is checked with it (decode.ts).
    const identity = toLE(1n);
    const fits = Uint8Array.from([...identity, ...toLE(0n)]);
    const v = nodeEd25519Verifier();
    expect(v(fits, message, identity, { vouched: true })).toBe(true);
    expect(v(fits, message, identity)).toBe(false);
    expect(v(fits, message, identity, { vouched: true })).toBe(true);
  });

  it('refuses a non-canonical key encoding (y >= p) and wrong lengths', () => {
    const nonCanonical = toLE(P + 1n); // the same point as y = 1, spelled out of range
    expect(both(signature, message, nonCanonical)).toEqual([false, false]);
    expect(both(signature.subarray(0, 63), message, key.publicKey)).toEqual([false, false]);
    expect(both(signature, message, key.publicKey.subarray(0, 31))).toEqual([false, false]);
  });

  it('decodes a signed ticket code the same way as the pure verifier', () => {
    const code = signTicketCode({
      eventId: 'ev-1', ticketId: 'T-1', orderId: 'O-1', ticketType: 'Adult',
      validFrom: null, validUntil: null, issuedAt: Date.UTC(2025, 11, 6),
    }, { keyId: 'k1', privateKey: key.privateKey });
    const ctx: DecodeContext = { eventId: 'ev-1', publicKeys: [toPublicKeyEntry('k1', key.publicKey)] };
    expect(decodeCode(code, { ...ctx, verify: native })).toEqual(decodeCode(code, ctx));
    const other = generateEventKey('k1');
    const wrongKey: DecodeContext = { eventId: 'ev-1', publicKeys: [toPublicKeyEntry('k1', other.publicKey)] };
    expect(decodeCode(code, { ...wrongKey, verify: native })).toEqual(decodeCode(code, wrongKey));
    expect(decodeCode(code, { ...wrongKey, verify: native })).toMatchObject({ ok: false, outcome: 'invalid_signature' });
  });
});
