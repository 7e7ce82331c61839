/**
 * Close codes in the private range, so a client can tell why without a message
 * (docs/protocol.md). tooSlow and tooManyMessages come without a `refused`: the phone
 * reconnects with its backoff and resumes from its cursor.
 */
export const CLOSE = {
  refused: 4000, unauthenticated: 4001, forbidden: 4003, revoked: 4004, helloTimeout: 4008,
  /** The socket's unsent answers passed SOCKET_LIMITS.closeBytes: it does not read what it asks for. */
  tooSlow: 4009,
  /** More messages queued than SOCKET_LIMITS allows: it sends faster than they can be handled. */
  tooManyMessages: 4029,
  helloFailed: 1011,
} as const;
