// The records the storage boundary speaks (types.ts): what each adapter takes and gives
// back, the same for SQLite and PostgreSQL. Rows as the databases hold them are rows.ts's.
import type { HistoryCursor, HistoryEntry } from '@gatekeeper/shared/api/history';
import type { ImportMapping } from '@gatekeeper/shared/api/imports';
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import type { VerificationStep } from '@gatekeeper/shared/api/verification';
import type { Conflict, Scan, Verdict } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId, InspectorId, OrderId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import type { AckStatus, DeviceAlert, Role } from '@gatekeeper/shared/protocol/index';
import type { Outcome } from '@gatekeeper/shared/outcomes';

export interface StaffRecord {
  id: InspectorId;
  username: string;
  /** Shown on every verdict screen: a copied validation page shows someone else's. */
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
}

export interface SessionRecord {
  tokenHash: string; inspectorId: InspectorId; createdAt: number; expiresAt: number;
  /** The phone this session registered or claimed; null (or absent) until it does. A session speaks for that device only. */
  deviceId?: DeviceId | null;
}

export interface DeviceRecord {
  id: DeviceId;
  inspectorId: InspectorId;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
}

/**
 * What a phone last said about itself for one event (protocol 10's device report, with the
 * hello's checkpoint and version) and when the server last heard it: a row of the fleet.
 */
export interface DeviceReportRecord {
  eventId: EventId;
  deviceId: DeviceId;
  /** Who was signed in on it. */
  inspectorId: InspectorId;
  checkpointId: CheckpointId | null;
  protocolVersion: number;
  /** null from a phone of protocol 9 or older. */
  appVersion: string | null;
  clockOffsetMs: number | null;
  waiting: number | null;
  seenAt: number;
}

export interface OrderLinkRecord { tokenHash: string; eventId: EventId; orderId: OrderId; createdAt: number }

/** A code sent by SMS or a link sent by mail, for one order on one device (wallet/verification.ts). */
export interface ChallengeRecord {
  id: number; eventId: EventId; orderId: OrderId;
  /** SHA-256 of the secret the wallet keeps for its device. */
  deviceHash: string;
  kind: VerificationStep;
  /** A keyed hash of the code or the link's secret: a copy of the database gives neither. */
  secretHash: string;
  createdAt: number; expiresAt: number;
  /** Wrong guesses so far. */
  tries: number;
  usedAt: number | null;
}

/** One SMS about to go, and what it may not exceed (sms/sms-codes.ts). */
export interface SmsSend { to: string; address: string; at: number }
export interface SmsSendLimits {
  /** Sends counted per number and per address from this time. */
  windowStart: number; perNumber: number; perAddress: number;
  /** Sends counted against the daily cap from this time. */
  dayStart: number; perDay: number;
}
export type SmsSendVerdict = 'ok' | 'number' | 'address' | 'cap';

/** A box-office change of who an order is for (measure 6). */
export interface HolderChange {
  buyerName: string | null; email: string | null; mobile: string | null;
  /** Holders' names by ticket id; tickets not named keep theirs. */
  holderNames?: Readonly<Record<string, string | null>>;
}

export interface OutboxSmsRecord { id: number; to: string; body: string; at: number }

export interface OutboxMailRecord { id: number; to: string; subject: string; text: string; at: number }

/** A device certificate the server signed (shared/src/codec/certificate.ts), as it keeps it. */
export interface DeviceCertificateRecord {
  eventId: EventId;
  /** base64url of the certificate's 8-byte id: what revocation lists name. */
  id: string;
  ticketId: TicketId;
  /** base64url, raw Ed25519. */
  devicePublicKey: string;
  stepSeconds: number;
  issuedAt: number;
  revokedAt: number | null;
}

export interface EventKey {
  eventId: EventId;
  keyId: string;
  /** base64url raw 32-byte Ed25519 keys. */
  publicKey: string;
  privateKey: string;
  revoked: boolean;
  createdAt: number;
}

/** A scan as the server holds it: with its place in the event's log. */
export interface StoredScan { seq: number; receivedAt: number; scan: Scan }

export interface OnlineSubmission {
  request: Omit<Scan, 'outcome' | 'offline'>;
  /** Run inside the transaction with every stored scan of the same ticket. */
  decide: (prior: readonly Scan[]) => Verdict;
}

export interface SubmitResult {
  status: AckStatus;
  /** The scan as stored: for a duplicate, the one stored first. */
  stored: StoredScan;
  /** The verdict decided now, or rebuilt from the stored scan for a duplicate. */
  verdict: Verdict;
  /** Conflicts this submission created (each names both scans). */
  conflicts: Conflict[];
}

export interface UploadResult {
  scanId: ScanId;
  status: AckStatus;
  stored: StoredScan;
  /** Conflicts created by this scan (it lost, or an earlier-stamped scan made another lose). */
  conflicts: Conflict[];
}

/** A device over its scan or upload limit (scans/device-limits.ts), for supervisors: the shape pushed and listed. */
export type { DeviceAlert };

/** A review of a conflict as stored: each review is kept (the latest is the conflict's state). */
export interface ConflictReviewInput { by: InspectorId; at: number; note: string }

export interface ImportResult { orders: number; tickets: number }

export type { AuditEntry, ImportMapping };

/**
 * The audit row of a settings change, as the change's own method takes it: stored in the
 * change's transaction, so neither is ever kept without the other (a change whose row
 * cannot be written is rolled back).
 */
export type AuditRecord = Omit<AuditEntry, 'id' | 'actorName'>;

export interface HistoryQuery {
  eventId: EventId;
  ticketId?: TicketId;
  orderId?: OrderId;
  checkpointId?: CheckpointId;
  inspectorId?: InspectorId;
  deviceId?: DeviceId;
  outcome?: Outcome;
  /** Scans made offline (true) or decided online (false). */
  offline?: boolean;
  /** Part of the ticket holder's or the order's buyer's name, any case, any accents. */
  holder?: string;
  /** Inclusive range on the scan's `at`. */
  from?: number;
  to?: number;
  /** Newest first by `at`, then seq; pass the returned `next` to get the following page. */
  before?: HistoryCursor;
  limit: number;
  /**
   * false: every entry's `holder` is null, and no ticket or order is read for it. The
   * export reads the event's names once (holderNames) rather than twice per row.
   */
  holders?: false;
}

/**
 * One scan of the history as the CSV export reads it: these columns in this order, as
 * the database holds them, with no record built per row (a million rows of Scan objects
 * kept the collector busy a fifth of the export). Flags are 1 (yes) or 0 (no).
 */
export type HistoryExportRow = readonly [
  at: number, outcome: Outcome, ticketId: TicketId | null, orderId: OrderId | null, checkpointId: CheckpointId,
  direction: Scan['direction'], inspectorId: InspectorId, deviceId: DeviceId, offline: 0 | 1, idChecked: 0 | 1,
  kind: NonNullable<Scan['kind']> | null, annuls: ScanId | null, quarantine: NonNullable<Scan['quarantine']> | null, id: ScanId, seq: number, receivedAt: number,
];

/** Rows of one export page at most: a page is read in one go, so this bounds both its memory and its time on the event loop. */
export const HISTORY_EXPORT_PAGE_MAX = 2_000;

/**
 * The live counters as storage tallies them while it stores scans (migration 10), every
 * admission counted as if none were annulled; `annulled` holds what it takes to correct
 * that (live/counters.ts). Read in one transaction: everything is as of `cursor`.
 */
export interface LiveTally {
  /** Every scan of the event up to this sequence number is in the tally, no later one. */
  cursor: number;
  quarantined: number;
  /** Tickets with at least one entry. */
  admitted: number;
  outcomes: Array<{ outcome: Outcome; count: number }>;
  /** Entries per checkpoint and minute. */
  minutes: Array<{ checkpointId: CheckpointId; minute: number; entries: number }>;
  /** People inside each entry/exit zone: tickets whose last movement there was an entry. */
  zones: Array<{ zone: string; inside: number }>;
  /** Every scan (up to `cursor`) of each ticket with an annulment among its scans. */
  annulled: StoredScan[];
}

export type { HistoryCursor, HistoryEntry };
