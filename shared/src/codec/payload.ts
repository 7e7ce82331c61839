// The signed payloads of format version 1 (layout in format.ts). One zod schema per kind
// checks the fields both ways: what the server is asked to sign, and what a scanner read
// out of a code, so a code can only ever carry what the server could have signed.
import { z } from 'zod';
import { zId, type EventId, type OrderId, type TicketId } from '../ids.ts';
import { ByteReader, ByteWriter, MalformedPayload } from './bytes.ts';
import { KEY_ID_PATTERN } from './format.ts';
import { quote, type CodeDamage, type CodeField } from './problems.ts';

/** The latest instant a JS Date can hold; later times are damage, not dates. */
const MAX_TIME_MS = 8.64e15;
const zTime = z.number().int().min(0).max(MAX_TIME_MS);

// Byte caps per string: ids are at most 64 ASCII characters, ticket types 64 characters
// of any script (zTicket.type).
const MAX_KEY_ID_BYTES = 16;
const MAX_ID_BYTES = 64;
const MAX_TYPE_BYTES = 256;

export const zKeyId = z.string().regex(KEY_ID_PATTERN, 'not a valid key id');

export const zTicketCodeFields = z
  .object({
    eventId: zId<EventId>(),
    ticketId: zId<TicketId>(),
    orderId: zId<OrderId>().nullable(),
    /** As sold ("Adult"); checkpoints may admit only some types. */
    ticketType: z.string().min(1).max(64),
    /** Epoch ms. Stored as seconds, widened to whole seconds, never narrowed. */
    validFrom: zTime.nullable(),
    validUntil: zTime.nullable(),
    issuedAt: zTime,
  })
  .refine((f) => f.validFrom === null || f.validUntil === null || f.validFrom <= f.validUntil, {
    message: 'validFrom is after validUntil',
    path: ['validFrom'],
  });
/** What signTicketCode takes: plain strings are fine, they are parsed. */
export type TicketCodeInput = z.input<typeof zTicketCodeFields>;
/** What a verified ticket code says, with branded ids. */
export type TicketCodeFields = z.output<typeof zTicketCodeFields>;

export const zOrderCodeFields = z.object({
  eventId: zId<EventId>(),
  orderId: zId<OrderId>(),
  issuedAt: zTime,
});
export type OrderCodeInput = z.input<typeof zOrderCodeFields>;
export type OrderCodeFields = z.output<typeof zOrderCodeFields>;

export interface PayloadHeader {
  version: number;
  keyId: string;
}

export type PayloadResult<F> = { ok: true; header: PayloadHeader; fields: F } | { ok: false; damage: CodeDamage };

const FLAG_VALID_FROM = 1;
const FLAG_VALID_UNTIL = 2;

const toSeconds = (ms: number, round: (x: number) => number): number => round(ms / 1000);

function writeHeader(w: ByteWriter, header: PayloadHeader): void {
  w.u8(header.version).str(zKeyId.parse(header.keyId), MAX_KEY_ID_BYTES);
}

export function encodeTicketPayload(header: PayloadHeader, fields: TicketCodeFields): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, header);
  w.str(fields.eventId, MAX_ID_BYTES)
    .str(fields.ticketId, MAX_ID_BYTES)
    .str(fields.orderId ?? '', MAX_ID_BYTES)
    .str(fields.ticketType, MAX_TYPE_BYTES)
    .u8((fields.validFrom !== null ? FLAG_VALID_FROM : 0) | (fields.validUntil !== null ? FLAG_VALID_UNTIL : 0));
  // The window is widened to whole seconds so rounding never turns a holder away.
  if (fields.validFrom !== null) w.varint(toSeconds(fields.validFrom, Math.floor));
  if (fields.validUntil !== null) w.varint(toSeconds(fields.validUntil, Math.ceil));
  w.varint(toSeconds(fields.issuedAt, Math.floor));
  return w.bytes();
}

export function encodeOrderPayload(header: PayloadHeader, fields: OrderCodeFields): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, header);
  w.str(fields.eventId, MAX_ID_BYTES).str(fields.orderId, MAX_ID_BYTES).varint(toSeconds(fields.issuedAt, Math.floor));
  return w.bytes();
}

export function decodeTicketPayload(bytes: Uint8Array): PayloadResult<TicketCodeFields> {
  return read(bytes, zTicketCodeFields, (r) => {
    const raw = {
      eventId: r.str('event_id', MAX_ID_BYTES),
      ticketId: r.str('ticket_id', MAX_ID_BYTES),
      orderId: r.str('order_id', MAX_ID_BYTES) || null,
      ticketType: r.str('ticket_type', MAX_TYPE_BYTES),
      validFrom: null as number | null,
      validUntil: null as number | null,
      issuedAt: 0,
    };
    const flags = r.u8('validity_flags');
    if (flags & ~(FLAG_VALID_FROM | FLAG_VALID_UNTIL)) throw new MalformedPayload({ kind: 'unknown_flags' });
    if (flags & FLAG_VALID_FROM) raw.validFrom = r.varint('valid_from') * 1000;
    if (flags & FLAG_VALID_UNTIL) raw.validUntil = r.varint('valid_until') * 1000;
    raw.issuedAt = r.varint('issued_at') * 1000;
    return raw;
  });
}

export function decodeOrderPayload(bytes: Uint8Array): PayloadResult<OrderCodeFields> {
  return read(bytes, zOrderCodeFields, (r) => ({
    eventId: r.str('event_id', MAX_ID_BYTES),
    orderId: r.str('order_id', MAX_ID_BYTES),
    issuedAt: r.varint('issued_at') * 1000,
  }));
}

/** The schema's keys as the fields a problem names. */
const FIELD_OF: Readonly<Record<string, CodeField>> = {
  eventId: 'event_id', ticketId: 'ticket_id', orderId: 'order_id', ticketType: 'ticket_type',
  validFrom: 'valid_from', validUntil: 'valid_until', issuedAt: 'issued_at',
};

/** Header, then the kind's fields, then nothing: trailing bytes are damage too. */
function read<F>(bytes: Uint8Array, schema: z.ZodType<F>, body: (r: ByteReader) => unknown): PayloadResult<F> {
  try {
    const r = new ByteReader(bytes);
    const version = r.u8('format_version');
    const keyId = r.str('key_id', MAX_KEY_ID_BYTES);
    if (!KEY_ID_PATTERN.test(keyId)) return { ok: false, damage: { kind: 'malformed_key_id', keyId: quote(keyId) } };
    const raw = body(r);
    if (!r.done) return { ok: false, damage: { kind: 'extra_bytes' } };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const path = String(parsed.error.issues[0]?.path[0]);
      const field = FIELD_OF[path];
      // Every key of both schemas is listed above; decodeCode turns this into `unchecked`.
      if (!field) throw new Error(`invalid payload field ${path} has no name`);
      return { ok: false, damage: { kind: 'invalid_field', field } };
    }
    return { ok: true, header: { version, keyId }, fields: parsed.data };
  } catch (e) {
    if (e instanceof MalformedPayload) return { ok: false, damage: e.damage };
    throw e;
  }
}
