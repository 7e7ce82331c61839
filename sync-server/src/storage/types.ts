// The storage boundary, async for the PostgreSQL adapter (postgres/). The SQLite adapter
// does each operation in one synchronous better-sqlite3 transaction, which is what makes
// "first scan wins" atomic there; PostgreSQL does it in a transaction under a lock per
// ticket, which also holds between server instances.
import type { HistoryCursor, HistoryEntry } from '@gatekeeper/shared/api/history';
import type { ConflictEntry } from '@gatekeeper/shared/api/live';
import type { ImportMapping } from '@gatekeeper/shared/api/imports';
import type { AuditEntry, AuditQuery, TicketFound } from '@gatekeeper/shared/api/settings';
import type { Measures, VerificationStep } from '@gatekeeper/shared/api/verification';
import type { CodeWordRule } from '@gatekeeper/shared/code-word';
import type { Checkpoint, Conflict, Order, Scan, Ticket } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId, InspectorId, OrderId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { ConflictReview, DeviceAlert, Down, Role } from '@gatekeeper/shared/protocol/index';
import type {
  AuditRecord, ChallengeRecord, ConflictReviewInput, DeviceCertificateRecord, DeviceRecord,
  DeviceReportRecord, EventKey, HistoryExportRow, HistoryQuery, HolderChange, ImportResult, LiveTally,
  OnlineSubmission, OrderLinkRecord, OutboxMailRecord, OutboxSmsRecord, SessionRecord, SmsSend,
  SmsSendLimits, SmsSendVerdict, StaffRecord, StoredScan, SubmitResult, UploadResult,
} from './records.ts';

// Every record, so that a module of the server names one place for the boundary and what it speaks.
export type * from './records.ts';
export { HISTORY_EXPORT_PAGE_MAX } from './records.ts';

export interface Storage {
  // Events and their set-up.
  createEvent(event: GkEvent): Promise<void>;
  getEvent(id: EventId): Promise<GkEvent | null>;
  listEvents(): Promise<GkEvent[]>;
  upsertCheckpoint(checkpoint: Checkpoint, audit?: AuditRecord): Promise<void>;
  listCheckpoints(eventId: EventId): Promise<Checkpoint[]>;
  getCheckpoint(eventId: EventId, id: CheckpointId): Promise<Checkpoint | null>;
  addEventKey(key: EventKey): Promise<void>;
  listEventKeys(eventId: EventId): Promise<EventKey[]>;
  setCodeWord(eventId: EventId, word: string | null): Promise<void>;
  getCodeWord(eventId: EventId): Promise<string | null>;
  /** The list the event's word is drawn from each day; null: the word is set by hand. */
  getCodeWordRule(eventId: EventId): Promise<CodeWordRule | null>;
  setCodeWordRule(eventId: EventId, rule: CodeWordRule | null): Promise<void>;
  /** The word in force and the rule (null: by hand) at once, as a person set them. */
  setCodeWordSetting(eventId: EventId, setting: { word: string | null; rule: CodeWordRule | null }, audit?: AuditRecord): Promise<void>;
  /** Every event whose word is drawn by a rule. */
  listCodeWordRules(): Promise<Array<{ eventId: EventId; rule: CodeWordRule }>>;

  /** A random 32-byte key of the server's, made the first time `name` is asked for and kept. */
  serverSecret(name: string): Promise<Buffer>;

  // Tickets: all or nothing per import; a changed ticket gets a new change number.
  importTickets(eventId: EventId, orders: Order[], tickets: Ticket[], audit?: AuditRecord): Promise<ImportResult>;
  getTicket(eventId: EventId, id: TicketId): Promise<Ticket | null>;
  /** The tickets of these ids that exist, by id: one read for a whole upload batch. */
  getTickets(eventId: EventId, ids: readonly TicketId[]): Promise<Map<TicketId, Ticket>>;
  findTicketByImportedCode(eventId: EventId, code: string): Promise<Ticket | null>;
  listOrderTickets(eventId: EventId, orderId: OrderId): Promise<Ticket[]>;
  setTicketStatus(eventId: EventId, id: TicketId, status: Ticket['status'], audit?: AuditRecord): Promise<void>;
  /** Up to `limit` tickets whose id, order id or imported barcode is `text`, then those whose holder's or buyer's name contains it. */
  searchTickets(eventId: EventId, text: string, limit: number): Promise<TicketFound[]>;
  /**
   * Tickets and orders changed after `since` (0: all), the ids of device certificates
   * revoked after it, and the change number now: one snapshot, so nothing falls between.
   */
  changesSince(eventId: EventId, since: number): Promise<{ version: number; tickets: Ticket[]; orders: Order[]; revokedCertificates: string[] }>;

  // Device certificates (rotating codes): a ticket is bound to one phone at a time.
  /**
   * Stores a certificate of a ticket and revokes, under one new change number, every
   * earlier one of that ticket still in force; returns the ids it revoked. not_found for
   * an unknown ticket.
   */
  addDeviceCertificate(cert: Omit<DeviceCertificateRecord, 'revokedAt'>): Promise<string[]>;
  /**
   * Revokes every certificate of the ticket still in force (a box-office change), or of the
   * whole event with `ticketId` null (a verification step switched on: no phone bound before
   * did it), under one new change number; returns their ids.
   */
  revokeDeviceCertificates(eventId: EventId, ticketId: TicketId | null, at: number): Promise<string[]>;
  /** The certificates in force of these tickets (at most one each), by ticket id order. */
  listDeviceCertificatesInForce(eventId: EventId, ticketIds: readonly TicketId[]): Promise<Array<{ ticketId: TicketId; id: string }>>;
  getDeviceCertificate(eventId: EventId, id: string): Promise<DeviceCertificateRecord | null>;

  // Staff, sessions, devices.
  /** With the events they work at (none by default). */
  createStaff(staff: StaffRecord, events?: readonly EventId[], audit?: AuditRecord): Promise<void>;
  getStaff(id: InspectorId): Promise<StaffRecord | null>;
  getStaffByUsername(username: string): Promise<StaffRecord | null>;
  assignStaff(eventId: EventId, inspectorId: InspectorId, audit?: AuditRecord): Promise<void>;
  isStaffOf(eventId: EventId, inspectorId: InspectorId): Promise<boolean>;
  listEventStaff(eventId: EventId): Promise<StaffRecord[]>;
  /** Every member of staff, by username. */
  listStaff(): Promise<StaffRecord[]>;
  /** Throws not_found for an unknown id. */
  setStaffPassword(id: InspectorId, passwordHash: string, audit?: AuditRecord): Promise<void>;
  /** Throws not_found for an unknown id. */
  setStaffDisabled(id: InspectorId, disabled: boolean, audit?: AuditRecord): Promise<void>;
  /** Throws not_found for an unknown id. */
  setStaffRole(id: InspectorId, role: Role, audit?: AuditRecord): Promise<void>;
  /** The events one member of staff works at, replaced as a whole. Throws not_found for an unknown id, bad_request for an unknown event. */
  setStaffEvents(id: InspectorId, eventIds: readonly EventId[], audit?: AuditRecord): Promise<void>;
  /** Every assignment, by member of staff (one without events is absent). */
  listStaffEvents(): Promise<Map<InspectorId, EventId[]>>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** End every session of one member of staff but `keep` (a token hash); returns how many ended. */
  deleteStaffSessions(id: InspectorId, keep?: string): Promise<number>;
  /** A new phone with the hash of its secret (kept apart from DeviceRecord, which is listed to supervisors). */
  registerDevice(device: DeviceRecord, secretHash: string): Promise<void>;
  /** Delete sessions that expired at or before `now`; returns how many went. */
  deleteExpiredSessions(now: number): Promise<number>;
  getDevice(id: DeviceId): Promise<DeviceRecord | null>;
  /** The hash of a device's secret; null for an unknown device or one registered before devices had secrets. */
  getDeviceSecretHash(id: DeviceId): Promise<string | null>;
  /**
   * Bind a session to a device and make the session's staff member its holder. False when
   * the session is gone or already bound to another device (a session speaks for one phone).
   */
  bindSession(tokenHash: string, deviceId: DeviceId, holder: InspectorId): Promise<boolean>;
  listDevices(): Promise<DeviceRecord[]>;
  /** Revoke a device and end every session bound to it. */
  revokeDevice(id: DeviceId, at: number): Promise<void>;
  touchDevice(id: DeviceId, at: number): Promise<void>;
  /** Keep a phone's report for its event, replacing the one before (one row per event and device). */
  recordDeviceReport(report: DeviceReportRecord): Promise<void>;
  /** Every phone that has spoken for the event, as last recorded. */
  listDeviceReports(eventId: EventId): Promise<DeviceReportRecord[]>;

  // Scans: the grow-only set. Idempotent by scan id.
  /** Decide and store online scans; one transaction for the lot, one decision per scan, in order. */
  submitOnline(items: OnlineSubmission[], receivedAt: number): Promise<SubmitResult[]>;
  /** Store scans decided offline: never rejected; losers become conflicts. */
  uploadOffline(scans: Scan[], receivedAt: number): Promise<UploadResult[]>;
  /** One stored scan of the event by id; null when the event has none of that id. */
  getScan(eventId: EventId, id: ScanId): Promise<StoredScan | null>;
  /** Every stored scan of one ticket. */
  ticketScans(eventId: EventId, ticketId: TicketId): Promise<Scan[]>;
  /** Scans of the event stored after `cursor`, oldest first. */
  scansAfter(eventId: EventId, cursor: number, limit: number): Promise<{ scans: StoredScan[]; cursor: number; more: boolean }>;
  latestCursor(eventId: EventId): Promise<number>;
  /** The identity of this scan log (one per database, made with it): cursors mean something only within it. */
  scanLogId(): Promise<string>;
  history(query: HistoryQuery): Promise<{ scans: HistoryEntry[]; next: HistoryCursor | null }>;
  /** The same page as `history` (holders aside) for the CSV export, as rows of columns; `limit` up to HISTORY_EXPORT_PAGE_MAX. */
  historyExportRows(query: Omit<HistoryQuery, 'holders'>): Promise<{ rows: HistoryExportRow[]; next: HistoryCursor | null }>;
  /** Each ticket's holder, else its order's buyer, for the tickets of the event with either name. */
  holderNames(eventId: EventId): Promise<Map<TicketId, string>>;
  /** The live counters as tallied when each scan was stored. */
  liveTally(eventId: EventId): Promise<LiveTally>;
  /** The scans of these tickets stored up to sequence number `upTo`, oldest first. */
  scansOfTickets(eventId: EventId, ticketIds: readonly TicketId[], upTo: number): Promise<StoredScan[]>;
  /**
   * Conflicts as recorded: double admissions (with `annulment` once one side was annulled:
   * resolved, kept as evidence) and refusals an annulment made needless (refused_annulled).
   */
  listConflicts(eventId: EventId): Promise<Conflict[]>;
  /**
   * The supervisors' conflict inbox: every conflict of the event, newest first, with its id
   * (the losing scan's), when it was recorded, the ticket's holder and its latest review.
   */
  conflictInbox(eventId: EventId): Promise<ConflictEntry[]>;
  /** Record a review of one conflict (kept beside earlier ones); null when the event has no such conflict. */
  reviewConflict(eventId: EventId, conflictId: ScanId, review: ConflictReviewInput): Promise<ConflictEntry | null>;
  /** Tickets of the event that would admit (status paid): what the live view counts admissions against. */
  admissibleTicketCount(eventId: EventId): Promise<number>;
  /** Quarantined scans of the event (stored, not counted), newest first; `next` as in history. */
  quarantined(eventId: EventId, page: { before?: number; limit: number }): Promise<{ scans: StoredScan[]; next: number | null }>;

  // The audit of settings changed by people. Append-only. A change stores its own row (the
  // `audit` argument of each change above), in its transaction.
  /** A row with no change of its own to ride with; returns it as stored, with its id and the actor's name. */
  recordAudit(entry: AuditRecord): Promise<AuditEntry>;
  /** The event's rows newest first, and with `withStaff` the staff accounts' (no event); `next` is the `before` of the next page. */
  listAudit(eventId: EventId, query: AuditQuery & { withStaff: boolean }): Promise<{ entries: AuditEntry[]; next: number | null }>;

  // Ticket-import column mappings, per event.
  /** Newest change first. */
  listImportMappings(eventId: EventId): Promise<ImportMapping[]>;
  getImportMapping(eventId: EventId, id: string): Promise<ImportMapping | null>;
  /** Insert or replace by id. */
  saveImportMapping(eventId: EventId, mapping: ImportMapping, audit?: AuditRecord): Promise<void>;

  // The holders' wallets (sync-server/src/wallet/).
  /** Minutes before the event's start from which codes may leave the server; null: no limit. */
  getCodeLead(eventId: EventId): Promise<number | null>;
  setCodeLead(eventId: EventId, minutes: number | null): Promise<void>;
  /** Keep an order's link (the hash of its token), replacing the order's earlier one. */
  saveOrderLink(link: OrderLinkRecord): Promise<void>;
  findOrderLink(tokenHash: string): Promise<OrderLinkRecord | null>;
  /** The orders of the event that have a link. */
  linkedOrders(eventId: EventId): Promise<Set<OrderId>>;
  addOutboxMail(mail: Omit<OutboxMailRecord, 'id'>): Promise<void>;
  /** Newest first. */
  listOutboxMail(limit: number): Promise<OutboxMailRecord[]>;

  // The holders' verification (wallet/verification.ts, sms/).
  getOrder(eventId: EventId, orderId: OrderId): Promise<Order | null>;
  /** The event's measures; every one off when none were set. */
  getMeasures(eventId: EventId): Promise<Measures>;
  setMeasures(eventId: EventId, measures: Measures, audit?: AuditRecord): Promise<void>;
  /** Stores a challenge and retires the device's earlier unused ones of the same kind; returns its id. */
  addChallenge(c: Omit<ChallengeRecord, 'id' | 'tries' | 'usedAt'>): Promise<number>;
  /** The device's newest challenge of that kind for the order. */
  latestChallenge(eventId: EventId, orderId: OrderId, deviceHash: string, kind: VerificationStep): Promise<ChallengeRecord | null>;
  findChallengeBySecret(secretHash: string): Promise<ChallengeRecord | null>;
  /** Counts a wrong guess; returns the tries after it. */
  failChallenge(id: number): Promise<number>;
  /** Uses the challenge and records its device verified, at once; false when it was used (or retired) before. */
  passChallenge(id: number, at: number): Promise<boolean>;
  /** The steps this device has done for the order. */
  listVerifications(eventId: EventId, orderId: OrderId, deviceHash: string): Promise<VerificationStep[]>;
  /** Counts the send unless a limit would be passed (checked and counted in one transaction); says which. */
  reserveSmsSend(send: SmsSend, limits: SmsSendLimits): Promise<SmsSendVerdict>;
  addOutboxSms(sms: Omit<OutboxSmsRecord, 'id'>): Promise<void>;
  /** Newest first. */
  listOutboxSms(limit: number): Promise<OutboxSmsRecord[]>;
  /**
   * Changes the order's buyer, address, number and holders' names under one new change
   * number, and re-issues its code material in the same transaction: the order's link, its
   * devices' verifications and open challenges go, and its tickets' certificates are
   * revoked. not_found for an unknown order, bad_request for a ticket not of the order.
   */
  changeHolder(eventId: EventId, orderId: OrderId, change: HolderChange, at: number, audit?: AuditRecord): Promise<{ tickets: TicketId[]; revokedCertificates: string[] }>;

  // Alerts about devices, for supervisors.
  /** Returns the alert as stored (with its id), for the live view to push. */
  recordDeviceAlert(alert: Omit<DeviceAlert, 'id'>): Promise<DeviceAlert>;
  /** Newest first, at most `limit`. */
  listDeviceAlerts(eventId: EventId, limit: number): Promise<DeviceAlert[]>;

  /** Whether writes go through: false from a write that could not be stored until one is. */
  health(): StorageHealth;

  /**
   * What other server instances on the same database store, told as they commit
   * (PostgreSQL's LISTEN/NOTIFY). Absent where one process owns the store (SQLite).
   */
  notifications?: StoreNotifications;

  close(): Promise<void>;
}

/** Another instance's writes, as the hub needs them to gossip (hub/hub.ts). */
export interface StoreListener {
  /**
   * Scans of the event were committed: read its log on. `stored`: those scans, when the
   * notification carried them (in the order they were stored), to send on without a read
   * where they follow what was sent last.
   */
  scans(eventId: EventId, stored?: readonly StoredScan[]): void;
  /** Conflicts were recorded, in the same commit as the scans they name. */
  conflicts(eventId: EventId, conflicts: Conflict[]): void;
  /** Notifications may have been missed (the connection was lost and is back): read every log on. */
  resumed(): void;
  /** Another instance announced a push (`StoreNotifications.announce`): do it here too. */
  announced(announcement: Announcement): void;
}

/**
 * A push one instance makes to its own sockets that every other instance must make to
 * theirs (hub/hub.ts): the phones and consoles of an event are spread over all of them.
 * Each is told after what it announces was stored, so another instance that reads on
 * finds it there.
 */
export type Announcement =
  /** A notice to every socket of the event (code word, tickets or checkpoints changed). */
  | { kind: 'broadcast'; eventId: EventId; msg: Down; minVersion: number }
  /** A revoked device: its sockets close. */
  | { kind: 'deviceRevoked'; deviceId: DeviceId }
  /** A disabled member of staff, or one signed out everywhere: their sockets close. */
  | { kind: 'staffClosed'; staffId: InspectorId }
  /** An ended session (logout): its sockets close. */
  | { kind: 'sessionClosed'; tokenHash: string }
  /** A device alert (rate limited) for the supervisors' live view. */
  | { kind: 'alerted'; eventId: EventId; alert: DeviceAlert }
  /** Tickets imported or changed: the live view counts the admissible ones again. */
  | { kind: 'liveTicketsChanged'; eventId: EventId }
  /** A conflict was reviewed: the live view tells its consoles. */
  | { kind: 'conflictReviewed'; eventId: EventId; conflictId: ScanId; review: ConflictReview }
  /** A code word rule set or ended: every instance arms or disarms its daily draw (code-words.ts). */
  | { kind: 'codeWordRule'; eventId: EventId };

export interface StoreNotifications {
  /** Start listening: resolves once listening, with the function that stops. */
  listen(listener: StoreListener): Promise<() => Promise<void>>;
  /** Tell every other instance listening (not this one) to make a push too. */
  announce(announcement: Announcement): Promise<void>;
}

export interface StorageHealth {
  writable: boolean;
  /** While not writable: why (SQLITE_FULL, ENOSPC, …) and since when (ms). */
  cause: string | null;
  since: number | null;
}
