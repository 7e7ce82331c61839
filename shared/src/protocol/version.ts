// Wire protocol version. Bump PROTOCOL_VERSION on any change to a schema in this folder
// (tests/shared/protocol-hash.test.ts fails until you do) and add a line below.
//
// History:
//   1 — first version: hello/welcome/refused, scan/verdict, upload/uploadAck, catchup and
//       gossip as `scans`, conflict, ping/pong, codeWord, error.
//   2 — hello.compress: a client may ask for `scans` messages as binary frames of
//       deflate-raw compressed JSON (gossip at a stadium's peak is ~8 × smaller). A
//       version 1 client lists nothing and gets text, as before.
//   3 — error code `unavailable`: the server could not store the scan or batch (disk full,
//       an I/O error, the database locked) and stored none of it; send it again later.
//       Version 1 and 2 clients, which do not know the code, get `internal` instead.
//   4 — hardening. Error code `busy` (HTTP 503 with Retry-After): too many password
//       checks at once (a login flood); nothing was done, try again; HTTP only.
//       hello.deviceSecret: the device proves itself with the secret it got at
//       registration, and the session must be the one bound to that device; a hello
//       without it is refused (`clientTooOld` below version 4, `unknownDevice` otherwise).
//       Revocation, logout and session expiry close the socket (refused `deviceRevoked` /
//       4004, `unauthenticated` / 4001).
//       Quarantine: a stored scan may carry `quarantine` (a reason from quarantine.ts) and
//       then counts in no arbitration on any node; uploadAck results say it per scan. Error
//       `rate_limited` (a device over its scan or upload limit) carries `retryAfterMs`.
//       A client that says an older version must still send a device secret (no app
//       before version 4 did), so no phone that would count quarantined scans (zod drops the
//       unknown mark) is served.
//       Error code `unsupported_media_type` (HTTP 415): a state-changing request whose
//       body is not JSON (an import: not JSON or CSV). HTTP only; never sent on the socket.
//       Scans the server sends (verdict, catch-up, gossip) carry `code: ""`: the scanned
//       text stays on the server (same schema, every version gets it).
//   5 — Verdict.reason: why, as data (reasons.ts: the kind, times, checkpoint, zone), worded
//       by the scanner in the inspector's language and the event's time zone. Verdict
//       .explanation (English, UTC) becomes optional: the socket sends it only to clients
//       below 5 (verdictForVersion; a version 4 app requires it), HTTP answers keep it.
//       Nothing a phone sends changed: version 4 phones are served as before.
//   6 — refusal reason `helloTimeout` (close 4008): no hello within the server's deadline
//       (10 s, GK_SOCKET_HELLO_MS). It used to be `unauthenticated`, and a phone whose
//       storage was blocked took itself for signed out; now it reconnects. A client of
//       version 5 or older, whose hello never came, cannot parse the reason, ignores the
//       message and reconnects on the close: the right thing too.
//       welcome.logId: the identity of the server's scan log (random, made with its
//       database). hello.logId: the log the client's cursor was counted under; when it is
//       another one (the database was replaced), the catch-up starts from 0. Before, a
//       replaced database was told only by the client's cursor being ahead of the log.
//   7 — undo (annul.ts): `Scan.kind` (`annul`) and `Scan.annuls` (the admission it cancels);
//       an annulled admission uses up no scope on any node. New quarantine reasons for
//       annulments that break the rule (annul_unknown_scan, annul_not_admission,
//       annul_other_device, annul_outside_window). `Conflict.kind` (`refused_annulled`: a
//       refusal whose admission was annulled later) and `Conflict.annulment`; the server
//       sends conflicts with either only to version 7 sockets. Error code `annul_refused`
//       (HTTP 409, details.reason): POST …/scans/:scanId/annul refused. A version 6 or older phone
//       drops `kind`/`annuls` and takes an annulment (outcome `unknown`) for a refusal.
//   8 — a refused code's reason (`Reason` of kind `code`) is the problem as data (`problem`:
//       codec/problems.ts, the kind and the length, character, field, key or event it is
//       about), worded by the scanner in the inspector's language; before, it was the
//       codec's English sentence (`note`), and the Dutch app showed it in English. A
//       version 5 to 7 client requires `note`: it gets the English beside the problem
//       (verdictForVersion). Nothing a phone sends changed.
//   9 — supervisors' live view (live.ts): `liveSubscribe` from a supervisor's or admin's
//       socket is answered with `live` (a snapshot of the event's counters), then a
//       `liveDelta` per gossiped batch of scans (new values of what changed, and the batch's
//       quarantined scans), `liveAlert` (a device over its limits) and `conflictReviewed`
//       (a conflict marked reviewed, with who, when and the note). An inspector's
//       `liveSubscribe` gets `error` `forbidden`. Nothing is sent unasked: phones of
//       version 8 and older never see these messages.
//  10 — the device fleet: `hello.report` and `ping.report` (misc.ts zDeviceReport) carry the
//       phone's app version, its estimated clock offset and its count of scans waiting to
//       upload, which the server keeps for GET …/fleet. Optional: a version 9 or older phone
//       sends none and is served as before (its fleet row shows no version, offset or count).
//       Nothing the server sends changed.
//  11 — `ticketsChanged` (eventId, version): the event's tickets changed (a supervisor
//       blocked, revoked, cancelled or marked paid a ticket in the console, an admin
//       imported); the phone fetches the manifest's changes at once, so a blocked ticket is
//       refused offline too. Sent only to sockets of version 11 or later (misc.ts
//       TICKETS_CHANGED_SINCE): a version 10 or older phone picks the change up at its next
//       periodic manifest refresh, as before. Nothing a phone sends changed.
//  12 — quarantine reason `annul_later_admission`: an annulment of an exit that a later
//       entry of the ticket stands on (entry, exit, entry again in an entry-exit zone;
//       without the exit both entries would stand). AnnulRefusal `later_admission` (HTTP 409
//       `annul_refused`) says the same for POST …/scans/:scanId/annul. A client of version
//       11 or older gets `annul_not_admission` in its place (scans.ts quarantineForVersion),
//       and one older than 7 gets `code_mismatch` for every annulment reason, which it did
//       not parse before either. Nothing a phone sends changed.
//  13 — `checkpointsChanged` (eventId): a checkpoint's rules changed in the console; the
//       phone fetches the manifest (every one carries every checkpoint) at once, so its
//       next offline decision uses the new rule. Sent only to sockets of version 13 or
//       later (misc.ts CHECKPOINTS_CHANGED_SINCE): a version 12 or older phone picks the
//       change up at its next periodic manifest refresh, as before. Nothing a phone sends
//       changed.
//  14 — rotating device-bound codes (kind R, codec/rotating.ts): a refused code's problem may
//       be `expired_step` (outcome expired_code, with when the code was made),
//       `future_step`, `revoked_certificate` or `other_device`, and a damaged one may name
//       the fields `device_key`, `certificate_id`, `step_seconds`, `step`,
//       `certificate_signature` or `device_signature`. A client of version 13 or older,
//       which refuses kind R itself, gets `not_supported` R in their place
//       (verdictForVersion). Nothing a phone sends changed.
//  15 — "verified device only" (issue 11, measure 4): a verdict's reason may be
//       `verified_device` (outcome expired_code): the performance admits only the live code
//       of the phone the ticket is bound to, and this was another code; the scanner says to
//       send the holder to the wallet. A client of version 14 or older gets the outcome alone
//       (reason `outcome`: "ask the holder to refresh it"; verdictForVersion). The manifest
//       (HTTP) carries `verifiedDeviceOnly`, which an older app ignores. Nothing a phone sends
//       changed.
export const PROTOCOL_VERSION = 15;
/** The oldest client the server still speaks to; older ones are refused `clientTooOld`. */
export const MIN_PROTOCOL_VERSION = 1;

/** Largest WebSocket message or HTTP body the server reads, in bytes. */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** Most scans in one upload batch or one catch-up page. */
export const MAX_BATCH = 1000;
