// The payload's building blocks: u8, minimal unsigned LEB128 varints and length-prefixed
// UTF-8 strings. The reader checks every length against what is left before reading, so
// a forged length can neither allocate nor read past the end.

import type { CodeDamage, CodeField } from './problems.ts';

/** Thrown by ByteReader; payload.ts turns it into a result, it never leaves the codec. */
export class MalformedPayload extends Error {
  constructor(readonly damage: CodeDamage) {
    super(damage.kind);
    this.name = 'MalformedPayload';
  }
}

/** 7 bytes hold 49 bits: seconds up to year ~17 million, and still exact as numbers. */
const MAX_VARINT_BYTES = 7;
const MAX_VARINT = 2 ** (7 * MAX_VARINT_BYTES) - 1;

const encoder = new TextEncoder();
// fatal: a damaged string is refused, not read with U+FFFD in it.
const decoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  readonly #parts: number[] = [];

  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new RangeError(`not a byte: ${n}`);
    this.#parts.push(n);
    return this;
  }

  varint(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > MAX_VARINT) throw new RangeError(`varint out of range: ${n}`);
    // Division, not bit shifts: shifts would cut the number to 32 bits.
    while (n >= 0x80) {
      this.#parts.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.#parts.push(n);
    return this;
  }

  str(s: string, maxBytes: number): this {
    const bytes = encoder.encode(s);
    if (bytes.length > maxBytes) throw new RangeError(`string longer than ${maxBytes} bytes: ${JSON.stringify(s.slice(0, 40))}`);
    this.varint(bytes.length);
    for (const b of bytes) this.#parts.push(b);
    return this;
  }

  /** Bytes of a length both sides know (a key, a signature): no length prefix. */
  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.#parts.push(b);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

export class ByteReader {
  readonly #buf: Uint8Array;
  #pos = 0;
  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  get done(): boolean {
    return this.#pos === this.#buf.length;
  }

  u8(field: CodeField): number {
    if (this.#pos >= this.#buf.length) throw new MalformedPayload({ kind: 'ends_before', field });
    return this.#buf[this.#pos++];
  }

  varint(field: CodeField): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8(field);
      n += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        // Minimal encoding only, so one value has one spelling.
        if (b === 0 && i > 0) throw new MalformedPayload({ kind: 'not_minimal', field });
        return n;
      }
      scale *= 0x80;
    }
    throw new MalformedPayload({ kind: 'too_large', field });
  }

  get position(): number {
    return this.#pos;
  }

  /** `length` bytes as they are (a copy-free view). */
  raw(field: CodeField, length: number): Uint8Array {
    if (this.#pos >= this.#buf.length) throw new MalformedPayload({ kind: 'ends_before', field });
    if (length > this.#buf.length - this.#pos) throw new MalformedPayload({ kind: 'ends_inside', field });
    const slice = this.#buf.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return slice;
  }

  /** A string's length prefix is reported as the string's own field: the inspector needs no more. */
  str(field: CodeField, maxBytes: number): string {
    const len = this.varint(field);
    if (len > maxBytes) throw new MalformedPayload({ kind: 'field_too_long', field, bytes: len, max: maxBytes });
    if (len > this.#buf.length - this.#pos) throw new MalformedPayload({ kind: 'ends_inside', field });
    const start = this.#pos;
    this.#pos += len;
    // Ids and key ids are ASCII, and a rotating code carries three: read byte by byte
    // rather than through the decoder's call, the rest of UTF-8 through it.
    let text = '';
    for (let i = start; i < start + len; i++) {
      const b = this.#buf[i]!;
      if (b >= 0x80) return this.#utf8(field, start, len);
      text += String.fromCharCode(b);
    }
    return text;
  }

  #utf8(field: CodeField, start: number, len: number): string {
    try {
      return decoder.decode(this.#buf.subarray(start, start + len));
    } catch {
      throw new MalformedPayload({ kind: 'not_text', field });
    }
  }
}
