import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCode, fromBase64Url, generateEventKey, signOrderCode, signTicketCode, toBase64Url, toPublicKeyEntry,
  type DecodeContext, type DecodeResult,
} from '@gatekeeper/shared/codec/index';
import { explainCodeProblem, zCodeProblem } from '@gatekeeper/shared/codec/problems';
import { OUTCOMES } from '@gatekeeper/shared/outcomes';

const EVENT = 'ev-2025';
const key = generateEventKey('k1');
const ctx: DecodeContext = { eventId: EVENT, publicKeys: [toPublicKeyEntry('k1', key.publicKey)], now: Date.UTC(2026, 0, 1) };
const TICKET = signTicketCode({
  eventId: EVENT, ticketId: 'T-000123', orderId: 'O-4711', ticketType: 'Adult',
  validFrom: Date.UTC(2026, 0, 1), validUntil: Date.UTC(2026, 0, 2), issuedAt: Date.UTC(2025, 11, 6),
}, { keyId: 'k1', privateKey: key.privateKey });
const ORDER = signOrderCode({ eventId: EVENT, orderId: 'O-4711', issuedAt: Date.UTC(2025, 11, 6) }, { keyId: 'k1', privateKey: key.privateKey });
// Payload bytes: version, len "k1", len "ev-2025"; everything from here on follows the event id.
const AFTER_EVENT_ID = 1 + 1 + 2 + 1 + EVENT.length;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function withBody(code: string, edit: (body: Uint8Array) => Uint8Array): string {
  const body = fromBase64Url(code.slice(4))!;
  return code.slice(0, 4) + toBase64Url(edit(Uint8Array.from(body)));
}

/** Every result is one of the four shapes, with an outcome from the vocabulary. */
function wellFormed(r: DecodeResult): boolean {
  if (r.ok) return r.kind === 'ticket' || r.kind === 'order' || r.kind === 'imported';
  return OUTCOMES.includes(r.outcome) && zCodeProblem.safeParse(r.problem).success;
}

describe('tampering', () => {
  for (const [name, code] of [['a ticket', TICKET], ['an order', ORDER]] as const) {
    it(`${name} code with any one byte changed never verifies`, () => {
      const length = fromBase64Url(code.slice(4))!.length;
      for (let i = 0; i < length; i++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const r = decodeCode(withBody(code, (b) => { b[i] ^= mask; return b; }), ctx);
          expect(r.ok, `byte ${i} ^ ${mask}`).toBe(false);
          if (r.ok) continue;
          // In or before the event id a change can read as another event's code, which
          // is refused as unknown before any signature check (scanners hold only their
          // own event's keys); everywhere after it, the signature catches it.
          if (i >= AFTER_EVENT_ID) expect(r.outcome, `byte ${i} ^ ${mask}: ${explainCodeProblem(r.problem)}`).toBe('invalid_signature');
          else if (r.outcome === 'unknown') expect(r.problem.kind).toBe('other_event');
          else expect(r.outcome).toBe('invalid_signature');
        }
      }
    });
  }

  it('a code with any one character changed never verifies', () => {
    for (let i = 4; i < TICKET.length; i++) {
      for (const step of [1, 32]) {
        const c = BASE64URL[(BASE64URL.indexOf(TICKET[i]) + step) % 64];
        const r = decodeCode(TICKET.slice(0, i) + c + TICKET.slice(i + 1), ctx);
        expect(r.ok, `character ${i}`).toBe(false);
      }
    }
  });

  it('the unused bits of the last character are checked: no second spelling verifies', () => {
    // Only bodies of 3n+1 or 3n+2 bytes leave spare bits; ticket ids of three lengths give both.
    const tails = new Set<number>();
    for (const ticketId of ['t', 't2', 't23']) {
      const code = signTicketCode({ eventId: EVENT, ticketId, orderId: null, ticketType: 'A', validFrom: null, validUntil: null, issuedAt: 0 },
        { keyId: 'k1', privateKey: key.privateKey });
      const tail = fromBase64Url(code.slice(4))!.length % 3;
      if (tail === 0) continue;
      tails.add(tail);
      const sibling = BASE64URL[BASE64URL.indexOf(code.at(-1)!) ^ 1];
      expect(decodeCode(code, ctx).ok).toBe(true);
      expect(decodeCode(code.slice(0, -1) + sibling, ctx)).toEqual({
        ok: false, outcome: 'invalid_signature', problem: { kind: 'damaged', damage: { kind: 'last_character' } },
      });
    }
    expect([...tails].sort()).toEqual([1, 2]);
  });

  it('property: random edits to a code\'s bytes never verify', () => {
    const length = fromBase64Url(TICKET.slice(4))!.length;
    const edit = fc.record({ at: fc.nat({ max: length - 1 }), mask: fc.integer({ min: 1, max: 255 }) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const tampered = withBody(TICKET, (b) => {
          for (const e of edits) b[e.at] ^= e.mask;
          return b;
        });
        // Two edits may cancel out; then the code is the original and must verify.
        return tampered === TICKET || decodeCode(tampered, ctx).ok === false;
      }),
      { numRuns: 300 },
    );
  });

  it('appended characters or bytes never verify', () => {
    expect(decodeCode(TICKET + 'A', ctx).ok).toBe(false);
    expect(decodeCode(TICKET + 'AA', ctx).ok).toBe(false);
    expect(decodeCode(withBody(TICKET, (b) => Uint8Array.from([...b, 0])), ctx)).toMatchObject({ ok: false, outcome: 'invalid_signature' });
  });
});

describe('truncation', () => {
  it('a code cut at any character is refused as invalid_signature', () => {
    for (let n = 3; n < TICKET.length; n++) {
      expect(decodeCode(TICKET.slice(0, n), ctx), `cut to ${n}`).toMatchObject({ ok: false, outcome: 'invalid_signature' });
    }
    for (let n = 3; n < ORDER.length; n++) {
      expect(decodeCode(ORDER.slice(0, n), ctx), `cut to ${n}`).toMatchObject({ ok: false, outcome: 'invalid_signature' });
    }
  });

  it('shorter than "GK1" it is no code of ours at all', () => {
    expect(decodeCode('', ctx)).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(decodeCode('G', ctx)).toMatchObject({ ok: true, kind: 'imported' });
    expect(decodeCode('GK', ctx)).toMatchObject({ ok: true, kind: 'imported' });
  });

  it('a code cut at any byte (and re-encoded cleanly) is refused as invalid_signature', () => {
    const length = fromBase64Url(TICKET.slice(4))!.length;
    for (let n = 0; n < length; n++) {
      expect(decodeCode(withBody(TICKET, (b) => b.subarray(0, n)), ctx), `cut to ${n} bytes`)
        .toMatchObject({ ok: false, outcome: 'invalid_signature' });
    }
  });

  it('reasons are specific: a cut code says it is cut short', () => {
    const r = decodeCode(TICKET.slice(0, 20), ctx);
    expect(r.ok ? null : r.problem.kind).toBe('damaged');
  });
});

describe('hostile input', () => {
  it('property: any string decodes to a well-formed result without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => wellFormed(decodeCode(s, ctx))),
      { numRuns: 1000 },
    );
  });

  it('property: random base64url after a valid prefix never verifies', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GK1T', 'GK1O', 'GK1R', 'GK2T'),
        fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 300 }),
        (prefix, rest) => {
          const r = decodeCode(prefix + rest, ctx);
          return wellFormed(r) && r.ok === false;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('property: random ids and times round-trip', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
    const seconds = fc.option(fc.integer({ min: 0, max: 8.64e12 }), { nil: null });
    fc.assert(
      fc.property(id, id, fc.option(id, { nil: null }), fc.string({ minLength: 1, maxLength: 64 }), seconds, seconds, fc.integer({ min: 0, max: 8.64e12 }),
        (eventId, ticketId, orderId, ticketType, a, b, issued) => {
          const [validFrom, validUntil] = a !== null && b !== null && a > b ? [b * 1000, a * 1000] : [a && a * 1000, b && b * 1000];
          const fields = { eventId, ticketId, orderId, ticketType, validFrom, validUntil, issuedAt: issued * 1000 };
          const r = decodeCode(signTicketCode(fields, { keyId: 'k1', privateKey: key.privateKey }), { ...ctx, eventId });
          expect(r).toMatchObject({ ok: true, kind: 'ticket', ...fields });
        }),
      { numRuns: 200 },
    );
  });

  // How long a refusal takes is the decoder's business (it checks length first); here,
  // that every shape of huge input is refused with the right outcome.
  it('huge input is refused, never admitted', () => {
    expect(decodeCode('GK1T' + 'A'.repeat(10_000_000), ctx)).toMatchObject({ ok: false, outcome: 'invalid_signature' });
    expect(decodeCode('x'.repeat(10_000_000), ctx)).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(decodeCode(' '.repeat(5_000_000) + TICKET + '\n'.repeat(5_000_000), ctx).ok).toBe(false);
    expect(decodeCode('https://gate.example/v/' + TICKET + '?' + 'q'.repeat(5_000_000), ctx).ok).toBe(false);
  });

  it('a GK code over 2048 characters is invalid_signature and says how long it is', () => {
    const r = decodeCode(TICKET + 'A'.repeat(2049 - TICKET.length), ctx);
    expect(r).toMatchObject({ ok: false, outcome: 'invalid_signature' });
    expect(r.ok ? null : r.problem).toEqual({ kind: 'damaged', damage: { kind: 'too_long', length: 2049 } });
  });

  it('characters outside base64url are named with their position', () => {
    const r = decodeCode(TICKET.slice(0, 10) + '=' + TICKET.slice(11), ctx);
    expect(r.ok ? null : r.problem).toEqual({ kind: 'damaged', damage: { kind: 'character', character: '=', position: 7 } });
    expect(r.ok ? '' : explainCodeProblem(r.problem)).toBe('The code is damaged: character "=" at position 7 is not allowed in a code.');
  });

  it('input that is not a string at all is refused, not thrown', () => {
    for (const junk of [undefined, null, 42, {}, []]) {
      expect(decodeCode(junk as unknown as string, ctx).ok).toBe(false);
    }
  });
});
