// A device certificate: the event's key vouches that one ticket is shown by the phone
// holding one Ed25519 key. The holder's phone keeps it and puts it into every rotating
// code it makes (rotating.ts), so a scanner checks the binding offline with the event's
// public keys alone. Layout (format version 1; str/varint as in format.ts):
//   u8      format version (= 1)
//   str     key id (the event key that signs it)
//   str     event id
//   str     ticket id
//   8 bytes certificate id (random; revocation lists name it in base64url, 11 characters)
//   32 bytes device public key (Ed25519, raw)
//   u8      step length in seconds (1..255; the event's rotation period)
//   varint  issued at (seconds)
// then a 64-byte Ed25519 signature by the event key over ASCII "GK1C" || those bytes:
// "C" is no scannable kind, so a certificate's signature never passes for a code's.
import { z } from 'zod';
import { isId, zId, type EventId, type TicketId } from '../ids.ts';
import { toBase64Url } from './base64url.ts';
import { ByteReader, ByteWriter, MalformedPayload } from './bytes.ts';
import { CERTIFICATE_KIND, FORMAT_VERSION, KEY_ID_PATTERN, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, codePrefix } from './format.ts';
import { signBytes, type SigningKey } from './keys.ts';
import { zKeyId } from './payload.ts';
import { quote } from './problems.ts';
import { signedMessage } from './sign.ts';

export const CERTIFICATE_ID_LENGTH = 8;
/** 20 s: long enough for a phone camera at a gate, short enough that a forwarded screenshot is stale by the time it is used. */
export const DEFAULT_STEP_SECONDS = 20;
const MAX_ID_BYTES = 64;
const MAX_KEY_ID_BYTES = 16;
/** A step of at least a second; its byte holds 255 at most. */
const MIN_STEP_SECONDS = 1;
const MAX_STEP_SECONDS = 255;
/** Epoch ms: the latest date a JavaScript Date holds. */
const MAX_ISSUED_AT = 8.64e15;

const zBytes = (length: number) =>
  z.custom<Uint8Array>((b) => b instanceof Uint8Array && b.length === length, `must be ${length} bytes`);

export const zCertificateFields = z.object({
  eventId: zId<EventId>(),
  ticketId: zId<TicketId>(),
  certificateId: zBytes(CERTIFICATE_ID_LENGTH),
  devicePublicKey: zBytes(PUBLIC_KEY_LENGTH),
  stepSeconds: z.number().int().min(MIN_STEP_SECONDS).max(MAX_STEP_SECONDS),
  /** Epoch ms, stored as whole seconds (floored). */
  issuedAt: z.number().int().min(0).max(MAX_ISSUED_AT),
});
export type CertificateInput = z.input<typeof zCertificateFields>;
export type CertificateFields = z.output<typeof zCertificateFields>;

export interface ParsedCertificate {
  version: number;
  keyId: string;
  fields: CertificateFields;
  /** The signed bytes (without the signature). */
  payload: Uint8Array;
  signature: Uint8Array;
}

/** The certificate id as revocation lists and the server's records spell it. */
export const certificateIdText = (id: Uint8Array): string => toBase64Url(id);

export const certificatePrefix = (version: number): string => codePrefix(version, CERTIFICATE_KIND);

/**
 * Signs a certificate (server only: it holds the event keys). Returns payload || signature,
 * the bytes the holder's phone keeps and copies into every code.
 */
export function signCertificate(input: CertificateInput, key: SigningKey): Uint8Array {
  const f = zCertificateFields.parse(input);
  const payload = new ByteWriter()
    .u8(FORMAT_VERSION)
    .str(zKeyId.parse(key.keyId), MAX_KEY_ID_BYTES)
    .str(f.eventId, MAX_ID_BYTES)
    .str(f.ticketId, MAX_ID_BYTES)
    .raw(f.certificateId)
    .raw(f.devicePublicKey)
    .u8(f.stepSeconds)
    .varint(Math.floor(f.issuedAt / 1000))
    .bytes();
  const signature = signBytes(signedMessage(certificatePrefix(FORMAT_VERSION), payload), key.privateKey);
  const out = new Uint8Array(payload.length + SIGNATURE_LENGTH);
  out.set(payload);
  out.set(signature, payload.length);
  return out;
}

/**
 * Reads a certificate at the reader's position, signature included. Throws
 * MalformedPayload (the caller turns it into a result); the signature is not checked here.
 */
export function readCertificate(r: ByteReader, bytes: Uint8Array): ParsedCertificate {
  const start = r.position;
  const version = r.u8('format_version');
  const keyId = r.str('key_id', MAX_KEY_ID_BYTES);
  if (!KEY_ID_PATTERN.test(keyId)) throw new MalformedPayload({ kind: 'malformed_key_id', keyId: quote(keyId) });
  const eventId = r.str('event_id', MAX_ID_BYTES);
  const ticketId = r.str('ticket_id', MAX_ID_BYTES);
  const certificateId = r.raw('certificate_id', CERTIFICATE_ID_LENGTH);
  const devicePublicKey = r.raw('device_key', PUBLIC_KEY_LENGTH);
  const stepSeconds = r.u8('step_seconds');
  const issuedAt = r.varint('issued_at') * 1000;
  const payload = bytes.subarray(start, r.position);
  const signature = r.raw('certificate_signature', SIGNATURE_LENGTH);
  // zCertificateFields' rules, checked directly: a scanner reads a certificate in every
  // rotating code, and a pass of the schema cost more than the rest of the read. The reader
  // has already held the byte lengths, the whole numbers and the step's upper bound.
  const invalid = !isId(eventId) ? 'event_id'
    : !isId(ticketId) ? 'ticket_id'
    : stepSeconds < MIN_STEP_SECONDS ? 'step_seconds'
    : issuedAt > MAX_ISSUED_AT ? 'issued_at'
    : null;
  if (invalid) throw new MalformedPayload({ kind: 'invalid_field', field: invalid });
  const fields: CertificateFields = {
    eventId: eventId as EventId, ticketId: ticketId as TicketId, certificateId, devicePublicKey, stepSeconds, issuedAt,
  };
  return { version, keyId, fields, payload, signature };
}
