// What one socket may cost the server. A phone at a gate sends a scan or a ping at a time
// and reads what it is sent within milliseconds; each limit is far above that and far
// below what a socket that stops reading, or sends as fast as it can, would take.
//
// Found by an attack (issue 8): a socket that stopped reading and asked for a catch-up
// from 0 thirty times, in an event of 30,000 scans, took the server from 185 MB to 1.3 GB,
// because every page of every catch-up was written into the socket's buffer at once.
import { MAX_MESSAGE_BYTES } from '@gatekeeper/shared/protocol/index';

export interface SocketLimits {
  /**
   * While a socket's unsent bytes (ws bufferedAmount) are above this, nothing more is
   * written to it that can wait: a catch-up waits before reading its next page, and gossip
   * is not written (the socket catches up from its cursor once it drains).
   */
  pauseWritesBytes: number;
  /**
   * A socket whose unsent bytes pass this (answers to its own requests, which are always
   * written) is closed with CLOSE.tooSlow; the phone reconnects and resumes from its cursor.
   */
  closeBytes: number;
  /** Messages read from a socket and not yet handled; beyond it: CLOSE.tooManyMessages. */
  queuedMessages: number;
  /** The same in bytes: a few messages near the size limit are as much as a flood of small ones. */
  queuedBytes: number;
  /** Open sockets (from the upgrade, hello said or not) per session; beyond it the upgrade gets 429. */
  socketsPerSession: number;
}

export const SOCKET_LIMITS: SocketLimits = {
  // A catch-up page of 1,000 scans is ~400 kB of JSON: writes pause after about one page.
  pauseWritesBytes: 256 * 1024,
  closeBytes: 2 * 1024 * 1024,
  // The app sends one upload at a time and a few scans; a benchmark pipelines ten
  // uploads and four scans per socket. A burst of 500 malformed messages is answered
  // one by one (tests/integration/hostile-socket.test.ts).
  queuedMessages: 1024,
  queuedBytes: 8 * MAX_MESSAGE_BYTES,
  // One phone has one socket; a reconnect may overlap the old socket until the server
  // notices it is gone; several tabs of the app share a session. GK_SOCKETS_PER_SESSION.
  socketsPerSession: 8,
};
