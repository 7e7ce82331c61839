import { describe, expect, it } from 'vitest';
import {
  decodeCode, extractCode, generateEventKey, signTicketCode, toLink, toPublicKeyEntry, type DecodeContext,
} from '@gatekeeper/shared/codec/index';

const key = generateEventKey('k1');
const ctx: DecodeContext = { eventId: 'ev-1', publicKeys: [toPublicKeyEntry('k1', key.publicKey)], now: 0 };
const CODE = signTicketCode(
  { eventId: 'ev-1', ticketId: 't-1', orderId: null, ticketType: 'Adult', validFrom: null, validUntil: null, issuedAt: 0 },
  { keyId: 'k1', privateKey: key.privateKey },
);
const percentEncodeAll = (s: string) => [...s].map((c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')).join('');

describe('link form', () => {
  it('toLink builds https://HOST/v/<code>, with or without a trailing slash or a path', () => {
    expect(toLink('https://gate.example', CODE)).toBe(`https://gate.example/v/${CODE}`);
    expect(toLink('https://gate.example/', CODE)).toBe(`https://gate.example/v/${CODE}`);
    expect(toLink('https://example.org/gate/', CODE)).toBe(`https://example.org/gate/v/${CODE}`);
  });

  it('toLink refuses imported codes: they are matched whole and never unwrapped', () => {
    expect(() => toLink('https://gate.example', '4006381333931')).toThrow(/imported/);
  });

  it('the scanner reads the code out of its own link and it verifies', () => {
    const link = toLink('https://gate.example', CODE);
    expect(extractCode(link)).toBe(CODE);
    expect(decodeCode(link, ctx)).toMatchObject({ ok: true, kind: 'ticket', code: CODE, ticketId: 't-1' });
  });

  it('every variant on any host yields the code', () => {
    for (const text of [
      `https://gate.example/v/${CODE}`,
      `https://other.host:8443/some/prefix/v/${CODE}/`,
      `http://192.168.1.20:3000/v/${CODE}`,
      `HTTPS://GATE.EXAMPLE/V/${CODE}`,
      `https://gate.example/v?c=${CODE}`,
      `https://gate.example/?lang=de&c=${CODE}&x=1`,
      `https://gate.example/v#${CODE}`,
      `https://gate.example/#c=${CODE}`,
    ]) {
      expect(extractCode(text), text).toBe(CODE);
    }
  });

  it('percent-encoded codes are decoded in the path, the query and the fragment', () => {
    const enc = percentEncodeAll(CODE);
    expect(extractCode(`https://gate.example/v/${enc}`)).toBe(CODE);
    expect(extractCode(`https://gate.example/v?c=${enc}`)).toBe(CODE);
    expect(extractCode(`https://gate.example/v#${enc}`)).toBe(CODE);
  });

  it('trailing CR/LF and surrounding whitespace from keyboard-wedge scanners are trimmed', () => {
    expect(extractCode(`${CODE}\r\n`)).toBe(CODE);
    expect(extractCode(`${CODE}\n`)).toBe(CODE);
    expect(extractCode(`  https://gate.example/v/${CODE}\r\n`)).toBe(CODE);
    expect(decodeCode(`${CODE}\r`, ctx)).toMatchObject({ ok: true, code: CODE });
  });

  it('a raw code passes through unchanged', () => {
    expect(extractCode(CODE)).toBe(CODE);
  });

  it('a URL without one of our codes is returned whole, for lookup as an imported code', () => {
    for (const text of ['https://tickets.example.org/v/12345', 'https://example.org/?c=ABC', 'https://example.org/#frag', 'https://']) {
      expect(extractCode(text)).toBe(text);
    }
  });

  it('broken percent-encoding neither throws nor unwraps', () => {
    const text = 'https://gate.example/v/GK1T%E0%A4%A';
    expect(() => extractCode(text)).not.toThrow();
    expect(decodeCode(text, ctx).ok).toBe(false);
  });

  it('a tampered code inside a link is still refused', () => {
    const link = toLink('https://gate.example', CODE.slice(0, -2) + (CODE.at(-2) === 'A' ? 'B' : 'A') + CODE.at(-1));
    expect(decodeCode(link, ctx)).toMatchObject({ ok: false, outcome: 'invalid_signature' });
  });
});
