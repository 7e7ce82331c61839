// Why a scanned code was refused, as data: what the codec found (the kind of problem, and
// the length, character, field, key or event it is about). Each reader words it: the
// scanner in the inspector's language (scanner-pwa i18n), supervisors, the HTTP API and
// the logs in English (`explainCodeProblem` below). Until protocol 8 the codec made English
// sentences, and the Dutch app showed "The code is damaged: its length (…) is cut short".
import { z } from 'zod';
import { valuesOf, type ValueOf } from '../enum-values.ts';

/** The parts of a code's payload (format.ts), as a problem names them. */
export const CodeField = {
  format_version: 'format_version',
  key_id: 'key_id',
  event_id: 'event_id',
  ticket_id: 'ticket_id',
  order_id: 'order_id',
  ticket_type: 'ticket_type',
  validity_flags: 'validity_flags',
  valid_from: 'valid_from',
  valid_until: 'valid_until',
  issued_at: 'issued_at',
  // Rotating codes (kind R, since protocol 14: older phones get `not_supported` R instead).
  device_key: 'device_key',
  certificate_id: 'certificate_id',
  step_seconds: 'step_seconds',
  step: 'step',
  certificate_signature: 'certificate_signature',
  device_signature: 'device_signature',
} as const;
export type CodeField = ValueOf<typeof CodeField>;
export const CODE_FIELDS = valuesOf(CodeField);

const count = z.number().int().nonnegative();
const field = z.enum(CODE_FIELDS);
/** Text out of the scanned code itself (a character, a key id): short, whatever it holds. */
const quoted = z.string().max(64);

/** What is wrong with the bytes of one of our codes (outcome invalid_signature). */
export const zCodeDamage = z.discriminatedUnion('kind', [
  /** Longer than any of our codes could be (MAX_CODE_LENGTH). */
  z.object({ kind: z.literal('too_long'), length: count }),
  /** "GK1" and nothing after it. */
  z.object({ kind: z.literal('no_kind') }),
  /** The letter after the version is no kind of code. */
  z.object({ kind: z.literal('not_a_kind'), letter: quoted }),
  /** base64url: a length no encoder produces. */
  z.object({ kind: z.literal('length'), length: count }),
  /** base64url: a character outside its alphabet, at a 1-based position of the body. */
  z.object({ kind: z.literal('character'), character: quoted, position: count }),
  /** base64url: the last character's unused bits are set (an edit a lenient decoder hides). */
  z.object({ kind: z.literal('last_character') }),
  /** Too short to hold a signature. */
  z.object({ kind: z.literal('cut_short') }),
  /** The payload ends before, or inside, a field. */
  z.object({ kind: z.literal('ends_before'), field }),
  z.object({ kind: z.literal('ends_inside'), field }),
  /** A number (or a length) spelled with more bytes than it needs, or too large. */
  z.object({ kind: z.literal('not_minimal'), field }),
  z.object({ kind: z.literal('too_large'), field }),
  /** A text field longer than any code has. */
  z.object({ kind: z.literal('field_too_long'), field, bytes: count, max: count }),
  /** A text field that is not UTF-8. */
  z.object({ kind: z.literal('not_text'), field }),
  /** A field's value no code could be signed with (a malformed id, a window the wrong way round). */
  z.object({ kind: z.literal('invalid_field'), field }),
  z.object({ kind: z.literal('unknown_flags') }),
  z.object({ kind: z.literal('malformed_key_id'), keyId: quoted }),
  z.object({ kind: z.literal('extra_bytes') }),
  /** The prefix and the payload disagree on the format version. */
  z.object({ kind: z.literal('version_mismatch'), prefix: count, contents: count }),
]);
export type CodeDamage = z.infer<typeof zCodeDamage>;

export const zCodeProblem = z.discriminatedUnion('kind', [
  // Not one of ours (outcome unknown):
  z.object({ kind: z.literal('empty') }),
  /** Longer than any imported barcode of the event may be. */
  z.object({ kind: z.literal('too_long'), length: count, max: count }),
  /** A genuine-looking code of another event: unverified (this scanner has only its event's keys). */
  z.object({ kind: z.literal('other_event'), eventId: quoted }),
  // Ours, refused (outcome invalid_signature):
  /** A format version newer than this app reads (`reads`): update the app. */
  z.object({ kind: z.literal('future_version'), version: quoted, reads: count }),
  /** A format version that never existed (0, or with leading zeros). */
  z.object({ kind: z.literal('no_such_version'), version: quoted }),
  /** A kind of code assigned but not read yet (format.ts RESERVED_KINDS; R: rotating). */
  z.object({ kind: z.literal('not_supported'), letter: quoted }),
  z.object({ kind: z.literal('damaged'), damage: zCodeDamage }),
  z.object({ kind: z.literal('unknown_key'), keyId: quoted }),
  z.object({ kind: z.literal('revoked_key'), keyId: quoted }),
  /** This scanner's copy of the key does not decode: sync it. */
  z.object({ kind: z.literal('damaged_key'), keyId: quoted }),
  z.object({ kind: z.literal('bad_signature') }),
  // Rotating codes (kind R; protocol 14, older phones get `not_supported` R instead):
  /** Made for a step before the previous one (a screenshot, or a phone showing an old code): outcome expired_code. `madeAt`: the step's start, epoch ms. */
  z.object({ kind: z.literal('expired_step'), madeAt: z.number().int() }),
  /** Made for a step after the next one: the holder's clock or this scanner's is off. */
  z.object({ kind: z.literal('future_step'), madeAt: z.number().int() }),
  /** The ticket's certificate for that phone was revoked (moved to another phone, or re-issued). */
  z.object({ kind: z.literal('revoked_certificate'), certificateId: quoted }),
  /** The certificate is genuine but the code was not signed by the phone it names. */
  z.object({ kind: z.literal('other_device') }),
  /** The codec failed where nothing is known to fail; `error` is its message, for the logs. */
  z.object({ kind: z.literal('unchecked'), error: z.string().max(200) }),
]);
export type CodeProblem = z.infer<typeof zCodeProblem>;

const utcSeconds = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** Problems and fields a client below protocol 14 cannot parse: all about rotating codes. */
const ROTATING_PROBLEMS: ReadonlySet<string> = new Set(['expired_step', 'future_step', 'revoked_certificate', 'other_device']);
const ROTATING_FIELDS: ReadonlySet<string> = new Set(['device_key', 'certificate_id', 'step_seconds', 'step', 'certificate_signature', 'device_signature']);
export const ROTATING_PROBLEMS_SINCE = 14;

/**
 * `p` as a client of `version` reads it. A phone older than 14 reads no rotating code
 * (it refuses kind R as `not_supported`), so that is the nearest older problem, and its
 * wording ("not supported by this app version") is true for it.
 */
export function codeProblemForVersion(p: CodeProblem, version: number): CodeProblem {
  if (version >= ROTATING_PROBLEMS_SINCE) return p;
  const rotating = ROTATING_PROBLEMS.has(p.kind) ||
    (p.kind === 'damaged' && 'field' in p.damage && ROTATING_FIELDS.has(p.damage.field));
  return rotating ? { kind: 'not_supported', letter: 'R' } : p;
}

/** Text from a code, cut to what the schema carries. */
export const quote = (text: string): string => text.slice(0, 64);

const FIELD_TEXT: Record<CodeField, string> = {
  format_version: 'format version', key_id: 'key id', event_id: 'event id', ticket_id: 'ticket id', order_id: 'order id',
  ticket_type: 'ticket type', validity_flags: 'validity flags', valid_from: 'start of validity', valid_until: 'end of validity',
  issued_at: 'issue time', device_key: 'device key', certificate_id: 'certificate id', step_seconds: 'step length',
  step: 'step number', certificate_signature: 'certificate signature', device_signature: 'phone\'s signature',
};

function explainDamage(d: CodeDamage): string {
  switch (d.kind) {
    case 'too_long': return `it is ${d.length} characters long, far more than any ticket code`;
    case 'no_kind': return 'it ends after its prefix';
    case 'not_a_kind': return `${JSON.stringify(d.letter)} is not a kind of code`;
    case 'length': return `its length (${d.length} characters) is cut short`;
    case 'character': return `character ${JSON.stringify(d.character)} at position ${d.position} is not allowed in a code`;
    case 'last_character': return 'its last character has been altered';
    case 'cut_short': return 'it is cut short';
    case 'ends_before': return `it ends before the ${FIELD_TEXT[d.field]}`;
    case 'ends_inside': return `it ends inside the ${FIELD_TEXT[d.field]}`;
    case 'not_minimal': return `the ${FIELD_TEXT[d.field]} is not minimally encoded`;
    case 'too_large': return `the ${FIELD_TEXT[d.field]} is too large`;
    case 'field_too_long': return `the ${FIELD_TEXT[d.field]} is ${d.bytes} bytes long (at most ${d.max})`;
    case 'not_text': return `the ${FIELD_TEXT[d.field]} is not valid text`;
    case 'invalid_field': return `its ${FIELD_TEXT[d.field]} is invalid`;
    case 'unknown_flags': return 'it sets validity flags no version 1 code sets';
    case 'malformed_key_id': return `its key id ${JSON.stringify(d.keyId)} is malformed`;
    case 'extra_bytes': return 'it has extra bytes after its fields';
    case 'version_mismatch': return `its prefix says format version ${d.prefix} but its contents say ${d.contents}`;
  }
}

/** The one English rendering, for supervisors (HTTP), logs and clients below protocol 8. */
export function explainCodeProblem(p: CodeProblem): string {
  switch (p.kind) {
    case 'empty': return 'The scan was empty.';
    case 'too_long': return `The code is ${p.length} characters long; no ticket of this event has a code over ${p.max}.`;
    case 'other_event': return `The code is for another event (${JSON.stringify(p.eventId)}), not this one.`;
    case 'future_version': return `The code uses format version ${p.version}, which this app does not read yet (it reads version ${p.reads}). Update the app.`;
    case 'no_such_version': return `The code claims format version ${p.version}, which has never existed.`;
    case 'not_supported': return p.letter === 'R'
      ? 'The code is a kind this app cannot check yet: rotating wallet codes are not supported by this app version yet.'
      : `The code is a kind this app cannot check yet (${JSON.stringify(p.letter)}).`;
    case 'damaged': return `The code is damaged: ${explainDamage(p.damage)}.`;
    case 'unknown_key': return `The code is signed with key ${JSON.stringify(p.keyId)}, which this scanner does not know. Sync the scanner; if it still fails, the code is forged.`;
    case 'revoked_key': return `The code is signed with key ${JSON.stringify(p.keyId)}, which has been revoked.`;
    case 'damaged_key': return `This scanner's copy of key ${JSON.stringify(p.keyId)} is damaged. Sync the scanner.`;
    case 'bad_signature': return 'The signature does not match: the code has been altered or forged.';
    case 'unchecked': return `The code could not be checked (${p.error}).`;
    case 'expired_step': return `The code was made at ${utcSeconds(p.madeAt)} and has expired: a screenshot or an old screen. Ask the holder to open the live ticket.`;
    case 'future_step': return `The code was made for ${utcSeconds(p.madeAt)}, later than now: the holder's phone clock or this scanner's is wrong. Ask the holder to open the live ticket; sync the scanner.`;
    case 'revoked_certificate': return `The ticket was moved from the phone that made this code (certificate ${JSON.stringify(p.certificateId)} revoked).`;
    case 'other_device': return 'The code was not made by the phone its ticket is bound to: copied or forged.';
  }
}
