// A code's strings as ByteReader reads them: ASCII byte by byte, the rest of UTF-8 through
// a fatal decoder, and the same text either way as the writer wrote it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, MalformedPayload } from '@gatekeeper/shared/codec/bytes';

const readBack = (s: string) => new ByteReader(new ByteWriter().str(s, 1024).u8(7).bytes());

describe('ByteReader.str', () => {
  it('reads back any text the writer wrote, and stops exactly after it', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.startsWith('\ufeff')), (s) => {
      const r = readBack(s);
      expect(r.str('ticket_type', 1024)).toBe(s);
      expect(r.u8('format_version')).toBe(7);
      expect(r.done).toBe(true);
    }), { numRuns: 500 });
  });

  it('keeps a NUL and a control character; a leading byte-order mark is dropped, as the decoder drops it', () => {
    for (const s of ['a\u0000b', '\u007f', 'x\ufeff', 'Zo\u00eb', '\u{1f39f}']) expect(readBack(s).str('ticket_type', 1024)).toBe(s);
    expect(readBack('\ufeffx').str('ticket_type', 1024)).toBe('x');
  });

  it('refuses bytes that are no UTF-8 as not_text, naming the field', () => {
    for (const bad of [[0xff], [0x41, 0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80]]) {
      const r = new ByteReader(Uint8Array.of(bad.length, ...bad));
      expect(() => r.str('ticket_type', 64)).toThrow(MalformedPayload);
      try {
        new ByteReader(Uint8Array.of(bad.length, ...bad)).str('ticket_type', 64);
      } catch (e) {
        expect((e as MalformedPayload).damage).toEqual({ kind: 'not_text', field: 'ticket_type' });
      }
    }
  });
});
