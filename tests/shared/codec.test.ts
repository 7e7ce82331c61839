import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeCode, fromBase64Url, generateEventKey, publicKeyOf, signOrderCode, signTicketCode, toBase64Url,
  toPublicKeyEntry, type DecodeContext, type DecodeResult, type TicketCodeInput,
} from '@gatekeeper/shared/codec/index';
import { signBytes } from '@gatekeeper/shared/codec/keys';
import { encodeTicketPayload, zTicketCodeFields } from '@gatekeeper/shared/codec/payload';
import { explainCodeProblem } from '@gatekeeper/shared/codec/problems';
import { signedMessage } from '@gatekeeper/shared/codec/sign';
import { eventId, ticketId } from '@gatekeeper/shared/ids';

const EVENT = 'ev-2025';
const k1 = generateEventKey('k1');
const k2 = generateEventKey('k2');
const signer = (k: typeof k1) => ({ keyId: k.keyId!, privateKey: k.privateKey });
const ctx = (over: Partial<DecodeContext> = {}): DecodeContext => ({
  eventId: EVENT,
  publicKeys: [toPublicKeyEntry('k1', k1.publicKey)],
  now: Date.UTC(2026, 0, 1),
  ...over,
});
const fields = (over: Partial<TicketCodeInput> = {}): TicketCodeInput => ({
  eventId: EVENT, ticketId: 'T-000123', orderId: 'O-4711', ticketType: 'Adult',
  validFrom: Date.UTC(2026, 0, 1), validUntil: Date.UTC(2026, 0, 2), issuedAt: Date.UTC(2025, 11, 6),
  ...over,
});
/** The refusal in the English that supervisors and logs read (the problem itself is data). */
const refusal = (r: DecodeResult) => (r.ok ? null : { outcome: r.outcome, reason: explainCodeProblem(r.problem) });

// Format version 1 frozen: a printed ticket must scan on every later app version. If this
// fails, the bytes changed: bump FORMAT_VERSION and keep reading this code.
const GOLDEN = {
  privateKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
  publicKey: 'ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ',
  ticket: 'GK1TAQJrMQdldi0yMDI1CFQtMDAwMTIzBk8tNDcxMQVBZHVsdAOA8tbKBoCV3MoGwIbPyQbQREtFTm-xf8yCVpJd2I2VZXvM8KkZZSF73TkoB_ybj-joRnPC-CZBOmMFihM38gFG6xlahNb8hOSXSXJmuE4F',
  order: 'GK1OAQJrMQdldi0yMDI1Bk8tNDcxMcCGz8kG1tgl5vJws3_J_Fo92ADjZY8-yKiC43_OrRXKoiOhvDRSOjCBVqQyuRxFYNggWvB1aAlYo8KPwXWZNnRFJ3-vAQ',
  fields: {
    eventId: 'ev-2025', ticketId: 'T-000123', orderId: 'O-4711', ticketType: 'Adult',
    validFrom: 1_767_225_600_000, validUntil: 1_767_312_000_000, issuedAt: 1_765_000_000_000,
  },
};
const goldenCtx: DecodeContext = { eventId: 'ev-2025', publicKeys: [{ keyId: 'k1', publicKey: GOLDEN.publicKey, revoked: false }] };

describe('ticket codes: round trip', () => {
  it('a signed ticket code decodes to exactly the fields it was signed with', () => {
    const code = signTicketCode(fields(), signer(k1));
    expect(code.startsWith('GK1T')).toBe(true);
    expect(decodeCode(code, ctx())).toEqual({ ok: true, kind: 'ticket', code, version: 1, keyId: 'k1', ...fields() });
  });

  it('a ticket without order or validity window round-trips its nulls', () => {
    const f = fields({ orderId: null, validFrom: null, validUntil: null });
    expect(decodeCode(signTicketCode(f, signer(k1)), ctx())).toMatchObject({ ok: true, ...f });
  });

  it('a window open at one end keeps the other end open', () => {
    const f = fields({ validFrom: null });
    expect(decodeCode(signTicketCode(f, signer(k1)), ctx())).toMatchObject({ ok: true, validFrom: null, validUntil: f.validUntil });
  });

  it('times are stored as seconds and the window widens to whole seconds, never narrows', () => {
    const t = Date.UTC(2026, 0, 1) + 500;
    const r = decodeCode(signTicketCode(fields({ validFrom: t, validUntil: t, issuedAt: t }), signer(k1)), ctx());
    expect(r).toMatchObject({ ok: true, validFrom: t - 500, validUntil: t + 500, issuedAt: t - 500 });
  });

  it('a ticket type in any script survives', () => {
    const r = decodeCode(signTicketCode(fields({ ticketType: 'Erwachsene – 夜 🎟️' }), signer(k1)), ctx());
    expect(r).toMatchObject({ ok: true, ticketType: 'Erwachsene – 夜 🎟️' });
  });

  it('decoded ids are branded ids that the id parsers accept', () => {
    const r = decodeCode(signTicketCode(fields(), signer(k1)), ctx());
    if (!r.ok || r.kind !== 'ticket') throw new Error('expected a ticket');
    expect(eventId(r.eventId)).toBe(EVENT);
    expect(ticketId(r.ticketId)).toBe('T-000123');
  });

  it('a code with short ids fits a small QR code (under 200 characters)', () => {
    expect(signTicketCode(fields(), signer(k1)).length).toBeLessThan(200);
  });

  it('validity is returned, not judged: a code outside its window still decodes', () => {
    const r = decodeCode(signTicketCode(fields(), signer(k1)), ctx({ now: Date.UTC(2030, 0, 1) }));
    expect(r.ok).toBe(true);
  });
});

describe('order codes: round trip', () => {
  it('a signed order code decodes to its event, order and issue time', () => {
    const code = signOrderCode({ eventId: EVENT, orderId: 'O-4711', issuedAt: Date.UTC(2025, 11, 6) }, signer(k1));
    expect(code.startsWith('GK1O')).toBe(true);
    expect(decodeCode(code, ctx())).toEqual({
      ok: true, kind: 'order', code, version: 1, keyId: 'k1', eventId: EVENT, orderId: 'O-4711', issuedAt: Date.UTC(2025, 11, 6),
    });
  });

  it('a ticket code relabelled as an order code does not verify (the kind is signed)', () => {
    const code = signTicketCode(fields(), signer(k1));
    expect(decodeCode('GK1O' + code.slice(4), ctx())).toMatchObject({ ok: false, outcome: 'invalid_signature' });
  });
});

describe('format version 1 is frozen', () => {
  it('the golden ticket code is still what the signer produces', () => {
    expect(toBase64Url(publicKeyOf(GOLDEN.privateKey))).toBe(GOLDEN.publicKey);
    expect(signTicketCode(GOLDEN.fields, { keyId: 'k1', privateKey: GOLDEN.privateKey })).toBe(GOLDEN.ticket);
    expect(signOrderCode({ eventId: 'ev-2025', orderId: 'O-4711', issuedAt: 1_765_000_000_000 }, { keyId: 'k1', privateKey: GOLDEN.privateKey })).toBe(GOLDEN.order);
  });

  it('the golden codes still decode', () => {
    expect(decodeCode(GOLDEN.ticket, goldenCtx)).toMatchObject({ ok: true, kind: 'ticket', ...GOLDEN.fields });
    expect(decodeCode(GOLDEN.order, goldenCtx)).toMatchObject({ ok: true, kind: 'order', orderId: 'O-4711' });
  });

  it('signatures are plain Ed25519 over prefix and payload: OpenSSL agrees', () => {
    const body = fromBase64Url(GOLDEN.ticket.slice(4))!;
    const payload = body.subarray(0, body.length - 64);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: GOLDEN.publicKey }, format: 'jwk' });
    expect(nodeVerify(null, signedMessage('GK1T', payload), key, body.subarray(body.length - 64))).toBe(true);
  });
});

describe('keys', () => {
  it('rotation: with two keys listed, a code signed by the older one verifies', () => {
    const code = signTicketCode(fields(), signer(k1));
    const both = ctx({ publicKeys: [toPublicKeyEntry('k1', k1.publicKey), toPublicKeyEntry('k2', k2.publicKey)] });
    expect(decodeCode(code, both)).toMatchObject({ ok: true, keyId: 'k1' });
    expect(decodeCode(signTicketCode(fields(), signer(k2)), both)).toMatchObject({ ok: true, keyId: 'k2' });
  });

  it('an unknown key id is refused as invalid_signature and says to sync', () => {
    const r = refusal(decodeCode(signTicketCode(fields(), signer(k2)), ctx()));
    expect(r?.outcome).toBe('invalid_signature');
    expect(r?.reason).toMatch(/key "k2", which this scanner does not know\. Sync/);
  });

  it('a revoked key is refused as invalid_signature and says so', () => {
    const r = refusal(decodeCode(signTicketCode(fields(), signer(k1)), ctx({ publicKeys: [toPublicKeyEntry('k1', k1.publicKey, true)] })));
    expect(r).toEqual({ outcome: 'invalid_signature', reason: 'The code is signed with key "k1", which has been revoked.' });
    expect(decodeCode(signTicketCode(fields(), signer(k1)), ctx({ publicKeys: [toPublicKeyEntry('k1', k1.publicKey, true)] })))
      .toMatchObject({ ok: false, problem: { kind: 'revoked_key', keyId: 'k1' } });
  });

  it('a key id listed twice: revoked in either entry refuses it; an entry whose key is unreadable is passed over, and all unreadable is damaged_key', () => {
    const code = signTicketCode(fields(), signer(k1));
    const good = toPublicKeyEntry('k1', k1.publicKey);
    const revoked = toPublicKeyEntry('k1', k1.publicKey, true);
    const unreadable = { keyId: 'k1', publicKey: '***', revoked: false };
    const problem = (publicKeys: Array<typeof good>) => {
      const r = decodeCode(code, ctx({ publicKeys }));
      return r.ok ? 'ok' : r.problem.kind;
    };
    expect(problem([good, revoked])).toBe('revoked_key');
    expect(problem([revoked, good])).toBe('revoked_key');
    expect(problem([unreadable, good])).toBe('ok');
    expect(problem([unreadable])).toBe('damaged_key');
    expect(problem([unreadable, revoked])).toBe('revoked_key');
    expect(problem([toPublicKeyEntry('k2', k2.publicKey)])).toBe('unknown_key');
  });

  it('a code signed by the wrong key under a known key id does not verify', () => {
    const impostor = { keyId: 'k1', privateKey: k2.privateKey };
    const r = refusal(decodeCode(signTicketCode(fields(), impostor), ctx()));
    expect(r).toEqual({ outcome: 'invalid_signature', reason: 'The signature does not match: the code has been altered or forged.' });
  });

  it('a damaged public key in the manifest refuses rather than throws', () => {
    const r = refusal(decodeCode(signTicketCode(fields(), signer(k1)), ctx({ publicKeys: [{ keyId: 'k1', publicKey: 'not*base64', revoked: false }] })));
    expect(r?.outcome).toBe('invalid_signature');
    expect(r?.reason).toMatch(/copy of key "k1" is damaged/);
  });

  it('a public key of the wrong length never verifies', () => {
    const short = toBase64Url(k1.publicKey.subarray(0, 31));
    const r = refusal(decodeCode(signTicketCode(fields(), signer(k1)), ctx({ publicKeys: [{ keyId: 'k1', publicKey: short, revoked: false }] })));
    expect(r?.outcome).toBe('invalid_signature');
  });

  it('generateEventKey gives raw 32-byte keys, and a key id only when asked', () => {
    const k = generateEventKey();
    expect(k.publicKey).toHaveLength(32);
    expect(k.privateKey).toHaveLength(32);
    expect(k.keyId).toBeUndefined();
    expect(publicKeyOf(k.privateKey)).toEqual(k.publicKey);
    expect(fromBase64Url(toBase64Url(k.publicKey))).toEqual(k.publicKey);
    expect(() => generateEventKey('no spaces allowed')).toThrow(/key id/);
  });
});

describe('wrong event', () => {
  it('a valid code of another event is unknown, naming the event', () => {
    const other = signTicketCode(fields({ eventId: 'ev-2024' }), signer(k1));
    expect(refusal(decodeCode(other, ctx()))).toEqual({ outcome: 'unknown', reason: 'The code is for another event ("ev-2024"), not this one.' });
  });

  it('an order code of another event is unknown', () => {
    const other = signOrderCode({ eventId: 'ev-2024', orderId: 'O-1', issuedAt: 0 }, signer(k1));
    expect(refusal(decodeCode(other, ctx()))?.outcome).toBe('unknown');
  });
});

describe('format versions', () => {
  it('a code of a newer format version asks for an app update', () => {
    const code = signTicketCode(fields(), signer(k1));
    expect(refusal(decodeCode('GK2' + code.slice(3), ctx()))).toEqual({
      outcome: 'invalid_signature',
      reason: 'The code uses format version 2, which this app does not read yet (it reads version 1). Update the app.',
    });
    expect(refusal(decodeCode('GK17T' + code.slice(4), ctx()))?.reason).toMatch(/format version 17/);
  });

  it('version 0 and zero-padded versions never existed', () => {
    const code = signTicketCode(fields(), signer(k1));
    expect(refusal(decodeCode('GK0' + code.slice(3), ctx()))?.reason).toMatch(/version 0, which has never existed/);
    expect(refusal(decodeCode('GK01' + code.slice(3), ctx()))?.outcome).toBe('invalid_signature');
  });

  it('a correctly signed payload whose version byte disagrees with its prefix is refused', () => {
    const payload = encodeTicketPayload({ version: 2, keyId: 'k1' }, zTicketCodeFields.parse(fields()));
    const sig = signBytes(signedMessage('GK1T', payload), k1.privateKey);
    const r = refusal(decodeCode('GK1T' + toBase64Url(concat(payload, sig)), ctx()));
    expect(r?.outcome).toBe('invalid_signature');
    expect(r?.reason).toMatch(/prefix says format version 1 but its contents say 2/);
  });

  it('rotating codes (R) are read (codec-rotating.test.ts): a stub of one is damage, not "not supported"', () => {
    expect(refusal(decodeCode('GK1RAAAA', ctx()))).toEqual({ outcome: 'invalid_signature', reason: 'The code is damaged: its key id "" is malformed.' });
  });

  it('an unassigned kind letter is damage', () => {
    expect(refusal(decodeCode('GK1XAAAA', ctx()))).toEqual({ outcome: 'invalid_signature', reason: 'The code is damaged: "X" is not a kind of code.' });
  });
});

describe('imported codes', () => {
  it('a plain barcode from another system passes through for manifest lookup', () => {
    expect(decodeCode('4006381333931', ctx())).toEqual({ ok: true, kind: 'imported', code: '4006381333931' });
    expect(decodeCode('  TIX-77-ABC\r\n', ctx())).toEqual({ ok: true, kind: 'imported', code: 'TIX-77-ABC' });
  });

  it('only "GK" and a digit claims a code as ours: GK-12345 from elsewhere is imported', () => {
    expect(decodeCode('GK-12345', ctx())).toMatchObject({ ok: true, kind: 'imported' });
    expect(decodeCode('gk1tabc', ctx())).toMatchObject({ ok: true, kind: 'imported' });
  });

  it('another system\'s URL barcode is kept whole, not unwrapped', () => {
    const url = 'https://tickets.example.org/v/12345';
    expect(decodeCode(url, ctx())).toEqual({ ok: true, kind: 'imported', code: url });
  });

  it('an empty scan is unknown', () => {
    expect(refusal(decodeCode(' \r\n', ctx()))).toEqual({ outcome: 'unknown', reason: 'The scan was empty.' });
  });

  it('an imported code over 256 characters is unknown', () => {
    expect(decodeCode('x'.repeat(256), ctx()).ok).toBe(true);
    expect(refusal(decodeCode('x'.repeat(257), ctx()))?.outcome).toBe('unknown');
  });
});

describe('signing refuses what it could not read back', () => {
  it('bad ids, an inverted window, negative times and bad keys throw', () => {
    expect(() => signTicketCode(fields({ ticketId: 'has space' }), signer(k1))).toThrow();
    expect(() => signTicketCode(fields({ ticketType: '' }), signer(k1))).toThrow();
    expect(() => signTicketCode(fields({ validFrom: 2000, validUntil: 1000 }), signer(k1))).toThrow(/validFrom is after validUntil/);
    expect(() => signTicketCode(fields({ issuedAt: -1 }), signer(k1))).toThrow();
    expect(() => signTicketCode(fields(), { keyId: 'k 1', privateKey: k1.privateKey })).toThrow();
    expect(() => signTicketCode(fields(), { keyId: 'k1', privateKey: new Uint8Array(31) })).toThrow(/32 bytes/);
    expect(() => signOrderCode({ eventId: EVENT, orderId: '', issuedAt: 0 }, signer(k1))).toThrow();
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
