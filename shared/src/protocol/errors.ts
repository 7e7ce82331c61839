// One error vocabulary and one error body, for HTTP and the socket alike.
import { z } from 'zod';

export const ErrorCode = {
  bad_request: 'bad_request',
  malformed_message: 'malformed_message',
  payload_too_large: 'payload_too_large',
  /** HTTP only: a state-changing request whose body is not JSON (or CSV, for an import). */
  unsupported_media_type: 'unsupported_media_type',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  rate_limited: 'rate_limited',
  device_revoked: 'device_revoked',
  not_ready: 'not_ready',
  invalid_import: 'invalid_import',
  scans_unsynced: 'scans_unsynced',
  /** The server could not store, or not make durable, what was sent (disk full, an I/O error, the database locked): send it again later. */
  unavailable: 'unavailable',
  /** Too much work of one kind at once (password checks during a login flood): try again after Retry-After. Nothing was done. */
  busy: 'busy',
  /** HTTP only (version 7): an annulment refused; details.reason says why (AnnulRefusal in annul.ts). */
  annul_refused: 'annul_refused',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const zErrorCode = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

export const zErrorBody = z.object({
  error: z.object({
    code: zErrorCode,
    message: z.string(),
    /** Per-item details, e.g. the rows of a refused import. */
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof zErrorBody>;

const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400, malformed_message: 400, payload_too_large: 413, unsupported_media_type: 415, unauthenticated: 401,
  forbidden: 403, not_found: 404, rate_limited: 429, device_revoked: 403, not_ready: 409,
  invalid_import: 422, scans_unsynced: 409, unavailable: 503, busy: 503, annul_refused: 409, internal: 500,
};

/** The one error class: thrown anywhere, turned into the one error body at the edge. */
export class GkError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'GkError';
    this.code = code;
    this.details = details;
  }
  get status(): number { return HTTP_STATUS[this.code]; }
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
