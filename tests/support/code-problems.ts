// One refused code of every kind of problem and damage (shared/src/codec/problems.ts), as
// data: for the wire tests and for the app's wording of each. The codec tests show each
// is what a real code gets.
import type { CodeDamage, CodeProblem } from '@gatekeeper/shared/codec/problems';

export const CODE_DAMAGES: CodeDamage[] = [
  { kind: 'too_long', length: 2049 },
  { kind: 'no_kind' },
  { kind: 'not_a_kind', letter: 'X' },
  { kind: 'length', length: 157 },
  { kind: 'character', character: '=', position: 7 },
  { kind: 'last_character' },
  { kind: 'cut_short' },
  { kind: 'ends_before', field: 'issued_at' },
  { kind: 'ends_inside', field: 'ticket_type' },
  { kind: 'not_minimal', field: 'valid_from' },
  { kind: 'too_large', field: 'valid_until' },
  { kind: 'field_too_long', field: 'ticket_id', bytes: 200, max: 64 },
  { kind: 'not_text', field: 'order_id' },
  { kind: 'invalid_field', field: 'event_id' },
  { kind: 'unknown_flags' },
  { kind: 'malformed_key_id', keyId: 'k 1' },
  { kind: 'extra_bytes' },
  { kind: 'version_mismatch', prefix: 1, contents: 2 },
];

export const CODE_PROBLEMS: CodeProblem[] = [
  { kind: 'empty' },
  { kind: 'too_long', length: 300, max: 256 },
  { kind: 'other_event', eventId: 'ev-2024' },
  { kind: 'future_version', version: '2', reads: 1 },
  { kind: 'no_such_version', version: '0' },
  { kind: 'not_supported', letter: 'R' },
  ...CODE_DAMAGES.map((damage): CodeProblem => ({ kind: 'damaged', damage })),
  { kind: 'unknown_key', keyId: 'k2' },
  { kind: 'revoked_key', keyId: 'k1' },
  { kind: 'damaged_key', keyId: 'k1' },
  { kind: 'bad_signature' },
  { kind: 'unchecked', error: 'RangeError: out of memory' },
  { kind: 'expired_step', madeAt: 1_750_000_000_000 },
  { kind: 'future_step', madeAt: 1_750_000_060_000 },
  { kind: 'revoked_certificate', certificateId: 'AAECAwQFBgc' },
  { kind: 'other_device' },
];
