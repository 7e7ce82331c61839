// Wire protocol version. Bump PROTOCOL_VERSION on any change to a schema in this folder
// (tests/shared/protocol-hash.test.ts fails until you do) and add a line below.
//
// History:
//   1 — first version: hello/welcome/refused, scan/verdict, upload/uploadAck, catchup and
//       gossip as `scans`, conflict, ping/pong, codeWord, error.
//   2 — hello.compress: a client may ask for `scans` messages as binary frames of
//       deflate-raw compressed JSON (gossip at a stadium's peak is ~8 × smaller). A
//       version 1 client lists nothing and gets text, as before.
export const PROTOCOL_VERSION = 2;
/** The oldest client the server still speaks to; older ones are refused `clientTooOld`. */
export const MIN_PROTOCOL_VERSION = 1;

/** Largest WebSocket message or HTTP body the server reads, in bytes. */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** Most scans in one upload batch or one catch-up page. */
export const MAX_BATCH = 1000;
