// The phone's signature check through WebCrypto must refuse whatever the strict pure
// verifier refuses and accept what it accepts, or a code could be "valid" at one gate and
// "forged" at another. Node's WebCrypto stands in for the browser's here (the e2e tests
// run Chromium's); each case is a way a signature or key can be malformed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assembleRotatingCode, decodeCode, decodeCodeAsync, generateEventKey, signCertificate, signRotatingCode, signTicketCode, stepAt,
  toPublicKeyEntry, type DecodeContext,
} from '@gatekeeper/shared/codec/index';
import { signBytes, verifyBytes } from '@gatekeeper/shared/codec/keys';
import { SignatureVerifier, type Subtle } from '../../scanner-pwa/src/lib/scan/signature-verifier.ts';

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const P = (1n << 255n) - 19n;
const toLE = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const fromLE = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);

const key = generateEventKey('k1');
const message = new TextEncoder().encode('GK1.some signed ticket payload');
const signature = signBytes(message, key.privateKey);
const native = new SignatureVerifier();
const both = async (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => [verifyBytes(sig, msg, pk), await native.verify(sig, msg, pk)];

/** Node's WebCrypto, counting key imports. */
function countingSubtle(): Subtle & { imports: number } {
  const s = {
    imports: 0,
    importKey: ((...args: Parameters<SubtleCrypto['importKey']>) => { s.imports++; return crypto.subtle.importKey(...args); }) as SubtleCrypto['importKey'],
    verify: crypto.subtle.verify.bind(crypto.subtle),
  };
  return s;
}

/** A browser whose WebCrypto has no Ed25519 (it throws NotSupportedError, as such browsers do). */
const withoutEd25519: Subtle = {
  importKey: (async () => { throw new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'); }) as never,
  verify: (async () => { throw new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'); }) as never,
};

describe('SignatureVerifier (WebCrypto)', () => {
  it('uses WebCrypto where it verifies Ed25519, and accepts a genuine signature like the pure verifier', async () => {
    expect(await native.kind()).toBe('webcrypto');
    expect(await both(signature, message, key.publicKey)).toEqual([true, true]);
  });

  it('agrees with the pure verifier on any one byte changed in signature, message or key', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('signature', 'message', 'key'), fc.nat(), fc.integer({ min: 1, max: 255 }), async (part, at, mask) => {
      const sig = Uint8Array.from(signature); const msg = Uint8Array.from(message); const pk = Uint8Array.from(key.publicKey);
      const target = part === 'signature' ? sig : part === 'message' ? msg : pk;
      target[at % target.length]! ^= mask;
      const [pure, fast] = await both(sig, msg, pk);
      return pure === false && fast === false;
    }), { numRuns: 200 });
  });

  it('refuses S + L, the second spelling of a valid signature', async () => {
    const s = fromLE(signature.subarray(32));
    const malleated = Uint8Array.from([...signature.subarray(0, 32), ...toLE(s + L)]);
    expect(await both(malleated, message, key.publicKey)).toEqual([false, false]);
  });

  it('refuses a small-order public key, even with a signature that fits it', async () => {
    const identity = toLE(1n);
    const forged = Uint8Array.from([...identity, ...toLE(0n)]);
    expect(await both(forged, message, identity)).toEqual([false, false]);
  });

  it('refuses a non-canonical key or R (y >= p, or a sign bit on x = 0) and wrong lengths', async () => {
    expect(await both(signature, message, toLE(P + 1n))).toEqual([false, false]);
    for (const r of [toLE(P + 1n), Uint8Array.from([1, ...new Uint8Array(30), 0x80]), toLE((1n << 256n) - 1n)]) {
      const sig = Uint8Array.from([...r, ...signature.subarray(32)]);
      expect(await both(sig, message, key.publicKey)).toEqual([false, false]);
    }
    expect(await both(signature.subarray(0, 63), message, key.publicKey)).toEqual([false, false]);
    expect(await both(signature, message, key.publicKey.subarray(0, 31))).toEqual([false, false]);
  });

  it('imports each of the event\'s keys once, when the manifest is prepared, not on every code', async () => {
    const subtle = countingSubtle();
    const v = new SignatureVerifier(subtle);
    await v.kind();
    const probes = subtle.imports;
    v.prepare([toPublicKeyEntry('k1', key.publicKey), toPublicKeyEntry('k0', generateEventKey().publicKey, true)]);
    for (let i = 0; i < 5; i++) expect(await v.verify(signature, message, key.publicKey)).toBe(true);
    expect(subtle.imports - probes).toBe(1); // once, and the revoked key not at all
  });

  it('falls back to the pure verifier in a browser without Ed25519 in WebCrypto', async () => {
    const v = new SignatureVerifier(withoutEd25519);
    expect(await v.kind()).toBe('pure');
    expect(await v.verify(signature, message, key.publicKey)).toBe(true);
    expect(await v.verify(signature, Uint8Array.of(1), key.publicKey)).toBe(false);
    expect(await new SignatureVerifier(null).kind()).toBe('pure');
  });

  it('leaves a key WebCrypto will not import, or will not verify with, to the pure verifier, for this code and the next', async () => {
    const other = generateEventKey();
    const signed = signBytes(message, other.privateKey);
    for (const fault of ['import', 'verify'] as const) {
      let failing = false; // once the verifier's kind is found: the probe itself succeeds
      const subtle: Subtle = {
        importKey: ((...args: Parameters<SubtleCrypto['importKey']>) =>
          failing && fault === 'import' ? Promise.reject(new DOMException('no', 'DataError')) : crypto.subtle.importKey(...args)) as SubtleCrypto['importKey'],
        verify: ((...args: Parameters<SubtleCrypto['verify']>) =>
          failing && fault === 'verify' ? Promise.reject(new DOMException('no', 'OperationError')) : crypto.subtle.verify(...args)) as SubtleCrypto['verify'],
      };
      const v = new SignatureVerifier(subtle);
      expect(await v.kind()).toBe('webcrypto');
      failing = true;
      for (let i = 0; i < 2; i++) {
        expect(await v.verify(signed, message, other.publicKey)).toBe(true);
        expect(await v.verify(signed, Uint8Array.of(1), other.publicKey)).toBe(false);
      }
    }
  });

  it('decodes a signed ticket code exactly as the synchronous decoder does', async () => {
    const code = signTicketCode({
      eventId: 'ev-1', ticketId: 'T-1', orderId: 'O-1', ticketType: 'Adult',
      validFrom: null, validUntil: null, issuedAt: Date.UTC(2025, 11, 6),
    }, { keyId: 'k1', privateKey: key.privateKey });
    const right: DecodeContext = { eventId: 'ev-1', publicKeys: [toPublicKeyEntry('k1', key.publicKey)] };
    const wrong: DecodeContext = { eventId: 'ev-1', publicKeys: [toPublicKeyEntry('k1', generateEventKey().publicKey)] };
    for (const ctx of [right, wrong]) {
      for (const text of [code, code.slice(0, -2), `https://gate.example/v/${code}`, 'PLAIN-BARCODE-1', '']) {
        expect(await decodeCodeAsync(text, ctx, native.verify)).toEqual(decodeCode(text, ctx));
      }
    }
    expect(await decodeCodeAsync(code, wrong, native.verify)).toMatchObject({ ok: false, outcome: 'invalid_signature', problem: { kind: 'bad_signature' } });
  });

  it('takes a key the event vouched for (a certificate\'s device key) without the strict key check, and checks it when met unvouched', async () => {
    // The identity as key, R the identity and S = 0: OpenSSL's equation holds for any
    // message. Only a caller whose key sits under an event signature may skip the check.
    const identity = toLE(1n);
    const fits = Uint8Array.from([...identity, ...toLE(0n)]);
    const v = new SignatureVerifier();
    expect(await v.verify(fits, message, identity, { vouched: true })).toBe(true);
    expect(await v.verify(fits, message, identity)).toBe(false);
    expect(await v.verify(fits, message, identity, { vouched: true })).toBe(true);
  });
});

describe('rotating codes through WebCrypto', () => {
  const EVENT = 'ev-1';
  const NOW = Date.UTC(2026, 0, 1, 19, 30, 5);
  const ctx: DecodeContext = { eventId: EVENT, publicKeys: [toPublicKeyEntry('k1', key.publicKey)], now: NOW };
  const fields = (devicePublicKey: Uint8Array) => ({
    eventId: EVENT, ticketId: 'T-1', certificateId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), devicePublicKey, stepSeconds: 20, issuedAt: NOW - 3_600_000,
  });

  it('decodes a genuine code, and one from another phone, exactly as the synchronous decoder does', async () => {
    const phone = generateEventKey();
    const certificate = signCertificate(fields(phone.publicKey), { keyId: 'k1', privateKey: key.privateKey });
    for (const signer of [phone, generateEventKey()]) {
      const code = signRotatingCode(certificate, stepAt(NOW, 20), signer.privateKey);
      expect(await decodeCodeAsync(code, ctx, new SignatureVerifier().verify)).toEqual(decodeCode(code, ctx));
    }
  });

  it('asks WebCrypto for all it can in the code\u2019s own turn: the certificate\u2019s verification and the new phone key\u2019s import', async () => {
    // No await ahead of WebCrypto once the event key is imported: only the phone's own
    // verification waits, for its key's import.
    const calls: string[] = [];
    const subtle: Subtle = {
      importKey: ((...args: Parameters<SubtleCrypto['importKey']>) => { calls.push('import'); return crypto.subtle.importKey(...args); }) as SubtleCrypto['importKey'],
      verify: ((...args: Parameters<SubtleCrypto['verify']>) => { calls.push('verify'); return crypto.subtle.verify(...args); }) as SubtleCrypto['verify'],
    };
    const v = new SignatureVerifier(subtle);
    await v.kind();
    v.prepare(ctx.publicKeys);
    await new Promise((r) => setTimeout(r, 0));
    calls.length = 0;
    const phone = generateEventKey();
    const certificate = signCertificate(fields(phone.publicKey), { keyId: 'k1', privateKey: key.privateKey });
    const code = signRotatingCode(certificate, stepAt(NOW, 20), phone.privateKey);
    const decoded = decodeCodeAsync(code, ctx, v.verify);
    expect(calls).toEqual(['verify', 'import']);
    expect(await decoded).toMatchObject({ ok: true, kind: 'rotating' });
    expect(calls).toEqual(['verify', 'import', 'verify']);
    // The same phone again: its key is kept, so nothing waits.
    calls.length = 0;
    const again = decodeCodeAsync(code, ctx, v.verify);
    expect(calls).toEqual(['verify', 'verify']);
    expect(await again).toMatchObject({ ok: true, kind: 'rotating' });
  });

  it('refuses a forged certificate naming a small-order phone key whose "signature" fits any step', async () => {
    const identity = toLE(1n);
    const fits = Uint8Array.from([...identity, ...toLE(0n)]);
    const forged = signCertificate(fields(identity), { keyId: 'k1', privateKey: generateEventKey().privateKey });
    const code = assembleRotatingCode(forged, stepAt(NOW, 20), fits);
    expect(await decodeCodeAsync(code, ctx, new SignatureVerifier().verify)).toMatchObject({ ok: false, outcome: 'invalid_signature', problem: { kind: 'bad_signature' } });
    expect(decodeCode(code, ctx)).toMatchObject({ ok: false, problem: { kind: 'bad_signature' } });
  });
});
