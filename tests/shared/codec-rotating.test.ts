// Rotating device-bound codes (kind R): a certificate by the event key binding a ticket to
// a phone's key, and a code per step signed by that phone (shared/src/codec/rotating.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCode, decodeCodeAsync, fromBase64Url, generateEventKey, publicKeyOf, shownCodeKey, signCertificate, signRotatingCode, stepAt,
  toBase64Url, toPublicKeyEntry, verifyBytes, type CertificateInput, type DecodeContext, type DecodeResult,
} from '@gatekeeper/shared/codec/index';
import { ByteWriter } from '@gatekeeper/shared/codec/bytes';
import { signBytes } from '@gatekeeper/shared/codec/keys';
import { codeProblemForVersion, explainCodeProblem } from '@gatekeeper/shared/codec/problems';
import { signedMessage } from '@gatekeeper/shared/codec/sign';

const EVENT = 'ev-2025';
const STEP_MS = 20_000;
const k1 = generateEventKey('k1');
const phone = generateEventKey();
const otherPhone = generateEventKey();
const NOW = Date.UTC(2026, 0, 1, 19, 30, 5);
const signer = (k: typeof k1, keyId = 'k1') => ({ keyId, privateKey: k.privateKey });
const certFields = (over: Partial<CertificateInput> = {}): CertificateInput => ({
  eventId: EVENT, ticketId: 'T-000123', certificateId: Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2),
  devicePublicKey: phone.publicKey, stepSeconds: 20, issuedAt: Date.UTC(2026, 0, 1, 18), ...over,
});
const certificate = signCertificate(certFields(), signer(k1));
const ctx = (over: Partial<DecodeContext> = {}): DecodeContext => ({
  eventId: EVENT, publicKeys: [toPublicKeyEntry('k1', k1.publicKey)], now: NOW, ...over,
});
const codeAt = (time: number, cert = certificate, key = phone.privateKey) => signRotatingCode(cert, stepAt(time, 20), key);
const refusal = (r: DecodeResult) => (r.ok ? null : { outcome: r.outcome, problem: r.problem.kind, reason: explainCodeProblem(r.problem) });

// Format version 1, kind R, frozen: wallets on phones that have not refreshed still show
// codes of this layout. If this fails, the bytes changed (docs/codes.md has the same vector).
const GOLDEN = {
  eventPrivateKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  eventPublicKey: 'ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ',
  devicePrivateKey: Uint8Array.from({ length: 32 }, (_, i) => 100 + i),
  devicePublicKey: 'C7w0aldmfDgBIL2cf9flHSxf3-o3zS9b9AWyxr9vLXg',
  certificate: 'AQJrMQdldi0yMDI1CFQtMDAwMTIzAQIDBAUGBwgLvDRqV2Z8OAEgvZx_1-UdLF_f6jfNL1v0BbLGv28teBSo7dbKBsuUrZvVQ_tfgc4oZp3jL6xcEK5I8WFEz4mw6c4wp8ZOzi4zVQ8g1Ze6xyPPLZiPGBQJ_okhJ_SQstc6pHurawc',
  step: 88_361_280,
  code: 'GK1RAQJrMQdldi0yMDI1CFQtMDAwMTIzAQIDBAUGBwgLvDRqV2Z8OAEgvZx_1-UdLF_f6jfNL1v0BbLGv28teBSo7dbKBsuUrZvVQ_tfgc4oZp3jL6xcEK5I8WFEz4mw6c4wp8ZOzi4zVQ8g1Ze6xyPPLZiPGBQJ_okhJ_SQstc6pHurawfAkpEqhuYlqSd4ck_irfgK31Md7uy8UhW9SVyRxB0zJ0SfSKhgScQnL0IIljhwpihlu3kb7bEr2tp81fi7hln4KY9oCA',
  input: {
    eventId: 'ev-2025', ticketId: 'T-000123', certificateId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), stepSeconds: 20, issuedAt: 1_767_225_000_000,
  },
};

describe('rotating codes: valid now', () => {
  it('a code of the current step decodes to its ticket, certificate and when it was made', () => {
    const code = codeAt(NOW);
    expect(code.startsWith('GK1R')).toBe(true);
    expect(decodeCode(code, ctx())).toEqual({
      ok: true, kind: 'rotating', code, version: 1, keyId: 'k1', eventId: EVENT, ticketId: 'T-000123',
      certificateId: toBase64Url(Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2)), devicePublicKey: toBase64Url(phone.publicKey),
      certificateIssuedAt: Date.UTC(2026, 0, 1, 18), stepSeconds: 20, step: stepAt(NOW, 20), madeAt: Date.UTC(2026, 0, 1, 19, 30, 0),
    });
  });

  it('the previous step is accepted (shown just before the step changed), and the next (clocks a step apart)', () => {
    expect(decodeCode(codeAt(NOW - STEP_MS), ctx())).toMatchObject({ ok: true });
    expect(decodeCode(codeAt(NOW + STEP_MS), ctx())).toMatchObject({ ok: true });
  });

  it('the scanner verifying asynchronously (WebCrypto) agrees', async () => {
    const verify = async (s: Uint8Array, m: Uint8Array, k: Uint8Array) => verifyBytes(s, m, k);
    expect(await decodeCodeAsync(codeAt(NOW), ctx(), verify)).toEqual(decodeCode(codeAt(NOW), ctx()));
    expect(refusal(await decodeCodeAsync(codeAt(NOW, certificate, otherPhone.privateKey), ctx(), verify))?.problem).toBe('other_device');
  });

  it('fits a QR code a phone camera reads at a gate (short ids: 270 characters, version 12 at level M)', () => {
    expect(codeAt(NOW).length).toBeLessThanOrEqual(287);
  });
});

describe('rotating codes: replayed, early, or with the clock unknown', () => {
  it('a screenshot replayed two steps later is expired_code, says when it was made and to open the live ticket', () => {
    const code = codeAt(NOW);
    const r = decodeCode(code, ctx({ now: NOW + 2 * STEP_MS }));
    expect(r).toEqual({ ok: false, outcome: 'expired_code', problem: { kind: 'expired_step', madeAt: Date.UTC(2026, 0, 1, 19, 30, 0) } });
    expect(refusal(r)?.reason).toBe('The code was made at 2026-01-01 19:30:00 UTC and has expired: a screenshot or an old screen. Ask the holder to open the live ticket.');
  });

  it('a code two steps ahead of the scanner is refused: someone\'s clock is off', () => {
    expect(refusal(decodeCode(codeAt(NOW + 2 * STEP_MS), ctx()))).toMatchObject({ outcome: 'invalid_signature', problem: 'future_step' });
  });

  it('the configured leeway accepts a holder offline since the certificate, and the code still says when it was made', () => {
    const made = NOW - 3 * STEP_MS;
    expect(decodeCode(codeAt(made), ctx())).toMatchObject({ ok: false, outcome: 'expired_code' });
    expect(decodeCode(codeAt(made), ctx({ rotatingLeewayMs: 2 * STEP_MS }))).toMatchObject({ ok: true, madeAt: stepAt(made, 20) * STEP_MS });
    expect(decodeCode(codeAt(NOW + 3 * STEP_MS), ctx({ rotatingLeewayMs: 2 * STEP_MS }))).toMatchObject({ ok: true });
    expect(decodeCode(codeAt(NOW - 4 * STEP_MS), ctx({ rotatingLeewayMs: 2 * STEP_MS }))).toMatchObject({ ok: false, outcome: 'expired_code' });
  });

  it('without a clock to judge the step by, a code is refused, not admitted', () => {
    expect(refusal(decodeCode(codeAt(NOW), ctx({ now: undefined })))?.problem).toBe('unchecked');
  });

  it('the step follows the certificate\'s step length (an event may rotate every 30 s)', () => {
    const cert30 = signCertificate(certFields({ stepSeconds: 30 }), signer(k1));
    const code = signRotatingCode(cert30, stepAt(NOW, 30), phone.privateKey);
    expect(decodeCode(code, ctx({ now: NOW + 30_000 }))).toMatchObject({ ok: true, stepSeconds: 30 });
    expect(decodeCode(code, ctx({ now: NOW + 60_000 }))).toMatchObject({ ok: false, outcome: 'expired_code' });
  });
});

describe('rotating codes: refused', () => {
  it('a code signed by another phone than the certificate names', () => {
    expect(refusal(decodeCode(codeAt(NOW, certificate, otherPhone.privateKey), ctx()))).toEqual({
      outcome: 'invalid_signature', problem: 'other_device',
      reason: 'The code was not made by the phone its ticket is bound to: copied or forged.',
    });
  });

  it('a forged certificate: signed by a key that is not the event\'s, under its key id', () => {
    const forger = generateEventKey();
    const forged = signCertificate(certFields(), signer(forger));
    expect(refusal(decodeCode(codeAt(NOW, forged), ctx()))).toMatchObject({ outcome: 'invalid_signature', problem: 'bad_signature' });
  });

  it('a genuine certificate of the forger\'s own phone, edited to name another ticket', () => {
    const mine = signCertificate(certFields({ ticketId: 'T-000999', devicePublicKey: otherPhone.publicKey }), signer(k1));
    const edited = Uint8Array.from(mine);
    const at = indexOf(edited, new TextEncoder().encode('T-000999'));
    edited.set(new TextEncoder().encode('T-000123'), at);
    expect(refusal(decodeCode(codeAt(NOW, edited, otherPhone.privateKey), ctx()))?.problem).toBe('bad_signature');
  });

  it('another ticket\'s certificate under this phone\'s signature: the device signed the whole certificate', () => {
    const theirs = signCertificate(certFields({ ticketId: 'T-000999', devicePublicKey: otherPhone.publicKey }), signer(k1));
    const mine = fromBase64Url(codeAt(NOW).slice(4))!;
    const mySignature = mine.subarray(mine.length - 64);
    const theirsUnsigned = fromBase64Url(codeAt(NOW, theirs, otherPhone.privateKey).slice(4))!;
    const spliced = Uint8Array.from(theirsUnsigned);
    spliced.set(mySignature, spliced.length - 64);
    expect(refusal(decodeCode('GK1R' + toBase64Url(spliced), ctx()))?.problem).toBe('other_device');
  });

  it('a certificate of another event is unknown here, naming that event', () => {
    const other = signCertificate(certFields({ eventId: 'ev-2024' }), signer(k1));
    expect(refusal(decodeCode(codeAt(NOW, other), ctx()))).toMatchObject({ outcome: 'unknown', problem: 'other_event' });
  });

  it('a revoked certificate (the ticket moved to a new phone) is refused once the scanner knows', () => {
    const id = toBase64Url(Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2));
    expect(refusal(decodeCode(codeAt(NOW), ctx({ revokedCertificates: new Set([id]) })))).toMatchObject({
      outcome: 'invalid_signature', problem: 'revoked_certificate',
    });
  });

  it('an unknown or revoked event key is refused as for signed ticket codes', () => {
    expect(refusal(decodeCode(codeAt(NOW), ctx({ publicKeys: [] })))?.problem).toBe('unknown_key');
    expect(refusal(decodeCode(codeAt(NOW), ctx({ publicKeys: [toPublicKeyEntry('k1', k1.publicKey, true)] })))?.problem).toBe('revoked_key');
  });

  it('a forged code is never told to open the live ticket: signatures are checked before the step', () => {
    const r = decodeCode(codeAt(NOW - 10 * STEP_MS, certificate, otherPhone.privateKey), ctx());
    expect(refusal(r)?.problem).toBe('other_device');
  });

  it('every cut of a code is refused, never thrown', () => {
    const code = codeAt(NOW);
    for (let n = 4; n < code.length; n++) expect(decodeCode(code.slice(0, n), ctx()).ok, `cut to ${n}`).toBe(false);
  });

  it('a code cut inside the phone\'s signature says so', () => {
    const bytes = fromBase64Url(codeAt(NOW).slice(4))!;
    expect(decodeCode('GK1R' + toBase64Url(bytes.subarray(0, bytes.length - 10)), ctx())).toMatchObject({
      ok: false, problem: { kind: 'damaged', damage: { kind: 'ends_inside', field: 'device_signature' } },
    });
  });

  it('a step spelled with a needless extra byte is damage, never a second text of the same signed code', () => {
    // The device's signature covers the step as the code spells it; the reader takes only the shortest spelling.
    const bytes = fromBase64Url(codeAt(NOW).slice(4))!;
    const stepAndSignature = bytes.length - certificate.length;
    const stepLength = stepAndSignature - 64;
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes.subarray(0, certificate.length + stepLength));
    longer[certificate.length + stepLength - 1]! |= 0x80;
    longer[certificate.length + stepLength] = 0x00;
    longer.set(bytes.subarray(certificate.length + stepLength), certificate.length + stepLength + 1);
    expect(decodeCode('GK1R' + toBase64Url(longer), ctx())).toMatchObject({ ok: false, problem: { kind: 'damaged', damage: { kind: 'not_minimal', field: 'step' } } });
  });

  it('an extra byte after the device signature is damage', () => {
    const bytes = fromBase64Url(codeAt(NOW).slice(4))!;
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(decodeCode('GK1R' + toBase64Url(longer), ctx())).toMatchObject({ ok: false, problem: { kind: 'damaged', damage: { kind: 'extra_bytes' } } });
  });
});

describe('rotating codes: a certificate\u2019s fields as read', () => {
  /** A certificate laid out by hand (signCertificate refuses such fields), signed by the event key. */
  function handmade(f: { eventId?: string; ticketId?: string; stepSeconds?: number; issuedAtSeconds?: number }) {
    const payload = new ByteWriter().u8(1).str('k1', 16).str(f.eventId ?? EVENT, 64).str(f.ticketId ?? 'T-000123', 64)
      .raw(new Uint8Array(8)).raw(phone.publicKey).u8(f.stepSeconds ?? 20).varint(f.issuedAtSeconds ?? 1_767_225_600).bytes();
    const cert = new Uint8Array(payload.length + 64);
    cert.set(payload);
    cert.set(signBytes(signedMessage('GK1C', payload), k1.privateKey), payload.length);
    return signRotatingCode(cert, stepAt(NOW, f.stepSeconds || 20), phone.privateKey);
  }
  const damage = (code: string) => {
    const r = decodeCode(code, ctx());
    return r.ok ? null : r.problem.kind === 'damaged' ? r.problem.damage : r.problem;
  };

  it('refuses each field the certificate\u2019s rules refuse, naming it, as damage before any signature', () => {
    expect(damage(handmade({ eventId: 'ev 2025' }))).toEqual({ kind: 'invalid_field', field: 'event_id' });
    expect(damage(handmade({ eventId: '' }))).toEqual({ kind: 'invalid_field', field: 'event_id' });
    expect(damage(handmade({ ticketId: '-T' }))).toEqual({ kind: 'invalid_field', field: 'ticket_id' });
    expect(damage(handmade({ ticketId: 'T\u00e9' }))).toEqual({ kind: 'invalid_field', field: 'ticket_id' });
    expect(damage(handmade({ stepSeconds: 0 }))).toEqual({ kind: 'invalid_field', field: 'step_seconds' });
    expect(damage(handmade({ issuedAtSeconds: 8.64e12 + 1 }))).toEqual({ kind: 'invalid_field', field: 'issued_at' });
    // The first field in the certificate's order is named.
    expect(damage(handmade({ ticketId: '-T', stepSeconds: 0 }))).toEqual({ kind: 'invalid_field', field: 'ticket_id' });
  });

  it('takes the edges the rules allow', () => {
    for (const f of [{ stepSeconds: 1 }, { stepSeconds: 255 }, { issuedAtSeconds: 8.64e12 }, { issuedAtSeconds: 0 }, { ticketId: 'T'.repeat(64) }]) {
      expect(decodeCode(handmade(f), ctx())).toMatchObject({ ok: true, kind: 'rotating' });
    }
  });

  it('reads every field the signing side can write back as it was', () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 8.64e12 }),
      (ticketId, stepSeconds, seconds) => {
        const cert = signCertificate(certFields({ ticketId, stepSeconds, issuedAt: seconds * 1000 }), signer(k1));
        const r = decodeCode(signRotatingCode(cert, stepAt(NOW, stepSeconds), phone.privateKey), ctx({ rotatingLeewayMs: 0 }));
        expect(r).toMatchObject({ ok: true, ticketId, stepSeconds, certificateIssuedAt: seconds * 1000 });
      },
    ), { numRuns: 200 });
  });
});

describe('rotating codes: properties', () => {
  it('a phone and a scanner whose clocks differ by less than a step agree on every code', () => {
    fc.assert(fc.property(
      fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) }),
      fc.integer({ min: -(STEP_MS - 1), max: STEP_MS - 1 }),
      (scannerNow, skew) => {
        expect(decodeCode(codeAt(scannerNow + skew), ctx({ now: scannerNow }))).toMatchObject({ ok: true });
      },
    ), { numRuns: 60 });
  });

  it('a code is accepted exactly from one step before to one step after its own, expired before, refused after', () => {
    fc.assert(fc.property(
      fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) }),
      fc.integer({ min: -6, max: 6 }),
      (made, stepsLater) => {
        const r = decodeCode(codeAt(made), ctx({ now: made + stepsLater * STEP_MS }));
        if (Math.abs(stepsLater) <= 1) expect(r.ok).toBe(true);
        else if (stepsLater > 1) expect(r).toMatchObject({ ok: false, outcome: 'expired_code' });
        else expect(r).toMatchObject({ ok: false, problem: { kind: 'future_step' } });
      },
    ), { numRuns: 60 });
  });

  it('no single changed character of a valid code verifies', () => {
    const code = codeAt(NOW);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(fc.property(fc.integer({ min: 4, max: code.length - 1 }), fc.constantFrom(...alphabet), (at, c) => {
      fc.pre(code[at] !== c);
      expect(decodeCode(code.slice(0, at) + c + code.slice(at + 1), ctx()).ok).toBe(false);
    }), { numRuns: 150 });
  });
});

describe('the code in view (shownCodeKey)', () => {
  it('is one key for a phone\'s codes of every step, another for another certificate, the text for any other code', () => {
    expect(shownCodeKey(codeAt(NOW))).toBe(shownCodeKey(codeAt(NOW + 5 * STEP_MS)));
    const other = signCertificate(certFields({ certificateId: Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1) }), signer(k1));
    expect(shownCodeKey(codeAt(NOW, other))).not.toBe(shownCodeKey(codeAt(NOW)));
    for (const text of ['GK1TAQJrMQ', '4006381333931', 'GK1R!!', 'GK1RAAAA']) expect(shownCodeKey(text)).toBe(text);
  });
});

describe('kind R, format version 1, is frozen', () => {
  const goldenCtx = (now: number): DecodeContext => ({ eventId: 'ev-2025', publicKeys: [{ keyId: 'k1', publicKey: GOLDEN.eventPublicKey, revoked: false }], now });

  it('the golden certificate and code are still what the signers produce', () => {
    expect(toBase64Url(publicKeyOf(GOLDEN.devicePrivateKey))).toBe(GOLDEN.devicePublicKey);
    const cert = signCertificate({ ...GOLDEN.input, devicePublicKey: publicKeyOf(GOLDEN.devicePrivateKey) }, { keyId: 'k1', privateKey: GOLDEN.eventPrivateKey });
    expect(toBase64Url(cert)).toBe(GOLDEN.certificate);
    expect(signRotatingCode(cert, GOLDEN.step, GOLDEN.devicePrivateKey)).toBe(GOLDEN.code);
  });

  it('the golden code decodes in its step and is expired two steps on', () => {
    const madeAt = GOLDEN.step * STEP_MS;
    expect(decodeCode(GOLDEN.code, goldenCtx(madeAt + 5000))).toMatchObject({ ok: true, ticketId: 'T-000123', certificateId: 'AQIDBAUGBwg', madeAt });
    expect(decodeCode(GOLDEN.code, goldenCtx(madeAt + 2 * STEP_MS))).toMatchObject({ ok: false, outcome: 'expired_code' });
  });
});

describe('older phones (protocol below 14)', () => {
  it('read every rotating-code problem as "rotating codes not supported by this app version"', () => {
    for (const p of [
      { kind: 'expired_step', madeAt: 0 }, { kind: 'future_step', madeAt: 0 }, { kind: 'other_device' },
      { kind: 'revoked_certificate', certificateId: 'x' }, { kind: 'damaged', damage: { kind: 'ends_inside', field: 'device_key' } },
    ] as const) {
      expect(codeProblemForVersion(p, 13)).toEqual({ kind: 'not_supported', letter: 'R' });
      expect(codeProblemForVersion(p, 14)).toEqual(p);
    }
    expect(codeProblemForVersion({ kind: 'bad_signature' }, 13)).toEqual({ kind: 'bad_signature' });
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
