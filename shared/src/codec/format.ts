// The ticket-code format: what a printed or wallet code looks like, byte for byte.
// Printed tickets outlive app releases, so a scanner must read every version it was
// built for and refuse (never guess at) any version it was not.
//
// Format version history (bump on any change to the bytes or to what they mean; keep
// the golden vectors of every older version in tests/shared/codec.test.ts passing):
//   1  `GK1T` signed static ticket code, `GK1O` signed order code.
//      `GK1R` rotating device-bound code (rotating.ts): kind R was reserved from the
//      start, and builds before it refuse it `not_supported`, so version 1 still holds.
//
// Text form:  "GK" <version, decimal> <kind letter> base64url(payload || signature)
//   - base64url without padding, canonical (unused trailing bits must be zero), so
//     exactly one text spells each code and no edit to the text keeps it valid.
//   - signature: 64-byte Ed25519 over ASCII("GK1" + kind) || payload. The prefix is
//     signed so a ticket payload can never be replayed as an order code or read under
//     another version.
//
// Payload, version 1. str = varint byte length, then UTF-8; varint = unsigned LEB128,
// minimal, at most 7 bytes; times are whole seconds since the epoch.
//   ticket (T)                         order (O)
//     u8      format version (= 1)       u8      format version (= 1)
//     str     key id                     str     key id
//     str     event id                   str     event id
//     str     ticket id                  str     order id
//     str     order id ("" = none)       varint  issued at
//     str     ticket type
//     u8      flags: bit 0 validFrom present, bit 1 validUntil present, others 0
//     varint  validFrom   (if bit 0)
//     varint  validUntil  (if bit 1)
//     varint  issued at
// A ticket code with short ids is ~160 characters: a version 9 QR code at error level M.
// Rotating codes (R) carry a certificate and a second signature: layout in rotating.ts
// and docs/codes.md.

export const CODE_MAGIC = 'GK';
export const FORMAT_VERSION = 1;
/** Versions this build reads. */
export const SUPPORTED_VERSIONS: ReadonlySet<number> = new Set([1]);

export const CodeKind = { ticket: 'T', order: 'O', rotating: 'R' } as const;
export type CodeKind = (typeof CodeKind)[keyof typeof CodeKind];
/**
 * Letters that sign something other than a scannable code: a device certificate is signed
 * under "GK1C" so that its signature can never pass for a code's. Never read as a code.
 */
export const CERTIFICATE_KIND = 'C';
/** Kind letters assigned but not readable yet; refused `not_supported`. None at present. */
export const RESERVED_KINDS: ReadonlySet<string> = new Set<string>();

export const SIGNATURE_LENGTH = 64;
export const PUBLIC_KEY_LENGTH = 32;
export const PRIVATE_KEY_LENGTH = 32;

/**
 * Longest scanned text treated as one of our codes. Real codes are ~150 characters; the
 * cap keeps base64 decoding and parsing bounded whatever a QR code or a keyboard-wedge
 * scanner feeds us.
 */
export const MAX_CODE_LENGTH = 2048;
/** Imported codes are stored as at most 256 characters (zTicket.importedCode). */
export const MAX_IMPORTED_LENGTH = 256;
/** Longest text that extractCode looks inside for a link; longer text is refused later. */
export const MAX_SCAN_TEXT_LENGTH = 8192;

/** Key ids travel in every code, so they are short: "k1", "2025-a". */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,15}$/;

/** Our codes are "GK" and a version digit; anything else is some other system's barcode. */
export const isOurCode = (text: string): boolean =>
  text.length > 2 && text.startsWith(CODE_MAGIC) && text.charCodeAt(2) >= 48 && text.charCodeAt(2) <= 57;

/** The signed prefix: "GK1T" for a version 1 ticket code. */
export const codePrefix = (version: number, kind: string): string => `${CODE_MAGIC}${version}${kind}`;
