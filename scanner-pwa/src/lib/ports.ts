// The app's three edges, as narrow interfaces: HTTP (Api), the WebSocket (Socket) and the
// phone's storage (Store). State classes receive them; components never touch fetch,
// WebSocket or Dexie. Tests and benches can hand in their own.
import type { CodeWindowReply, OrderMailsReply, OutboxMail } from '@gatekeeper/shared/api/wallet';
import type { RevokeCertificatesReply } from '@gatekeeper/shared/api/certificates';
import type { HolderChangeBody, HolderChangeReply, HolderReply, Measures } from '@gatekeeper/shared/api/verification';
import type { Checkpoint, Scan, Ticket } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId, InspectorId, OrderId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import type { GkEvent, Manifest, ManifestOrder, PublicKeyEntry } from '@gatekeeper/shared/manifest';
import type { HistoryReply, TicketStoryReply } from '@gatekeeper/shared/api/history';
import type { FleetChange, FleetReply } from '@gatekeeper/shared/api/fleet';
import type { ConflictEntry, ConflictListReply, QuarantineReply } from '@gatekeeper/shared/api/live';
import type { EventDetailsReply, OrderCodeReply, PublicStaff, SessionReply, TicketCodeReply } from '@gatekeeper/shared/api/index';
import type { DryRunReply, DryRunRequest } from '@gatekeeper/shared/api/checkpoints';
import type { ImportMapping, ImportPreviewReply, ImportReply, MappingBody } from '@gatekeeper/shared/api/imports';
import type { ColumnMap } from '@gatekeeper/shared/import-mapping';
import type {
  AuditReply, CodeWordBody, CodeWordReply, CreateStaffBody, StaffInfo, TicketFound,
} from '@gatekeeper/shared/api/settings';
import type { Role } from '@gatekeeper/shared/protocol/index';

// The HTTP answers' shapes are the server's (shared/src/api/): the app parses them on receipt.
export type Inspector = PublicStaff;
export type SessionInfo = SessionReply;
export type EventDetails = EventDetailsReply;
/** A ticket's code carries its imported barcode (supervisors only); an order's has none. */
export type SignedCode = OrderCodeReply & Partial<Pick<TicketCodeReply, 'importedCode'>>;

export interface Api {
  login(username: string, password: string): Promise<SessionInfo>;
  logout(): Promise<void>;
  me(): Promise<SessionInfo>;
  /** A new device for this session; its secret is answered once and must be kept. */
  registerDevice(name: string): Promise<{ id: DeviceId; name: string; secret: string }>;
  /** Bind this session to a device registered earlier on this phone (the next shift on it). */
  claimDevice(id: DeviceId, secret: string): Promise<{ id: DeviceId; name: string }>;
  eventDetails(eventId: EventId): Promise<EventDetails>;
  /** The full manifest (since 0) or the changes after `since`. */
  manifest(eventId: EventId, since: number): Promise<Manifest>;
  ticketCode(eventId: EventId, ticketId: TicketId): Promise<SignedCode>;
  orderCode(eventId: EventId, orderId: OrderId): Promise<SignedCode>;
  /** Supervisors: a page of the event's scan history; `query` as historyQuery writes it, plus `before` and `limit`. */
  history(eventId: EventId, query: string): Promise<HistoryReply>;
  /** Supervisors: one ticket's scans, undos and conflicts. */
  ticketStory(eventId: EventId, ticketId: TicketId): Promise<TicketStoryReply>;
  /** Where the browser downloads the filtered history as CSV (a link, not a fetch: it may be large). */
  historyCsvHref(eventId: EventId, query: string): string;
  /** Supervisors: every phone of the event, online or last seen, with what it reported. */
  fleet(eventId: EventId): Promise<FleetReply>;
  /**
   * Supervisors: be told each phone's row as it changes (GET …/fleet/stream). `reopened`:
   * the stream came back after a break, in which changes may have been missed. Returns the
   * way to stop; where the browser has no EventSource, nothing is told.
   */
  watchFleet(eventId: EventId, on: { change(c: FleetChange): void; reopened(): void }): () => void;
  /** Supervisors: revoke a phone; its sessions end and its sockets close at once. */
  revokeDevice(id: DeviceId): Promise<void>;
  /** Supervisors: the event's conflicts, newest first, each with its latest review. */
  conflicts(eventId: EventId): Promise<ConflictListReply>;
  /** Supervisors: record that a conflict was looked at, and what was found (kept, audited). */
  reviewConflict(eventId: EventId, conflictId: ScanId, note: string): Promise<ConflictEntry>;
  /** Supervisors: quarantined scans (newest first) and device alerts. */
  quarantine(eventId: EventId): Promise<QuarantineReply>;
  /** Supervisors: store a checkpoint's rules (new or changed); answers it as stored. */
  saveCheckpoint(checkpoint: Checkpoint): Promise<{ checkpoint: Checkpoint; created: boolean }>;
  /** Supervisors: what the admission rule answers for a ticket at a checkpoint (as given) at a time. */
  dryRun(eventId: EventId, request: DryRunRequest): Promise<DryRunReply>;
  /** Admins: the event's saved column mappings for ticket imports. */
  importMappings(eventId: EventId): Promise<ImportMapping[]>;
  saveImportMapping(eventId: EventId, id: string, body: MappingBody): Promise<ImportMapping>;
  /** Admins: import a ticket file (all or nothing) or, with `preview`, see what it would do. */
  importTickets(eventId: EventId, file: ImportFile, opts: { columns: readonly ColumnMap[]; preview: true }): Promise<ImportPreviewReply>;
  importTickets(eventId: EventId, file: ImportFile, opts: { columns: readonly ColumnMap[]; preview: false }): Promise<ImportReply>;

  // The console's settings (supervisors; staff: admins).
  codeWord(eventId: EventId): Promise<CodeWordReply>;
  setCodeWord(eventId: EventId, body: CodeWordBody): Promise<CodeWordReply>;
  /** A ticket id, order id, barcode, signed code or part of a name. */
  findTickets(eventId: EventId, text: string): Promise<TicketFound[]>;
  setTicketStatus(eventId: EventId, ticketId: TicketId, status: Ticket['status'], reason: string): Promise<TicketFound>;
  /** `query` as the server reads it: action, target, before, limit. */
  audit(eventId: EventId, query: string): Promise<AuditReply>;
  /** Just-in-time access: when the event's codes may leave the server (supervisors read, admins set). */
  codeWindow(eventId: EventId): Promise<CodeWindowReply>;
  setCodeWindow(eventId: EventId, leadMinutes: number | null): Promise<CodeWindowReply>;
  /** What the performance asks of holders (supervisors read, admins set; audited). */
  measures(eventId: EventId): Promise<Measures>;
  setMeasures(eventId: EventId, measures: Measures): Promise<Measures>;
  /** Admins, the box office: who an order is for now, and changing it with a reason (audited). */
  orderHolder(eventId: EventId, orderId: OrderId): Promise<HolderReply>;
  changeHolder(eventId: EventId, orderId: OrderId, body: HolderChangeBody): Promise<HolderChangeReply>;
  /** Admins: unbind a ticket from the holder's phone (its rotating codes stop at the gate); audited. */
  revokeTicketPhone(eventId: EventId, ticketId: TicketId, reason: string): Promise<RevokeCertificatesReply>;
  /** Admins: mail each order its holder's wallet link (`again`: those mailed before too). */
  sendOrderMails(eventId: EventId, again: boolean): Promise<OrderMailsReply>;
  /** Admins: the development mailer's outbox, newest first. */
  outbox(): Promise<OutboxMail[]>;
  staff(): Promise<StaffInfo[]>;
  createStaff(body: CreateStaffBody): Promise<StaffInfo>;
  setStaffRole(id: InspectorId, role: Role): Promise<StaffInfo>;
  setStaffEvents(id: InspectorId, events: EventId[]): Promise<StaffInfo>;
  setStaffDisabled(id: InspectorId, disabled: boolean): Promise<StaffInfo>;
  resetStaffPassword(id: InspectorId, newPassword: string): Promise<void>;
}

/** A ticket file as read in the browser: its text and how to read it. */
export interface ImportFile { format: 'csv' | 'json'; text: string }

export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number, reason: string): void;
}
export interface SocketConnection {
  send(text: string): void;
  close(): void;
}
export interface Socket {
  /** Binary encodings this socket inflates before handing text on (hello.compress). */
  readonly encodings: readonly string[];
  /** `handlers.message` gets text only: binary frames arrive inflated, in their turn. */
  connect(url: string, handlers: SocketHandlers): SocketConnection;
}

/** The manifest minus its ticket and order rows: what the phone keeps as one record. */
export interface ManifestHeader {
  eventId: EventId;
  event: GkEvent;
  version: number;
  checkpoints: Checkpoint[];
  publicKeys: PublicKeyEntry[];
  staff: Array<{ id: InspectorId; name: string }>;
  /** Absent in headers stored before devices were part of the manifest. */
  devices?: Array<{ id: DeviceId; name: string }>;
  codeWord: string | null;
  /** The event's key for imported-code hashes (the ticket rows hold hashes, not codes). */
  importedCodeKey: string;
  revoked: TicketId[];
  /** Rotating codes' device certificates revoked; absent in headers stored before rotating codes. */
  revokedCertificates?: string[];
  /** Rotating codes: extra time either side of the accepted steps, from the server. */
  rotatingLeewayMs?: number;
  /** The measure "verified device only" (admission.ts); absent in headers stored before it: off. */
  verifiedDeviceOnly?: boolean;
  /** Device time of the last successful download. */
  syncedAt: number;
  ticketCount: number;
}

/** A slice of the manifest's rows, stored as one record: rows JSON-encoded. */
export interface ManifestChunk {
  eventId: EventId;
  seq: number;
  /** 'full': part of the last full download; 'delta': changes after it, applied in seq order. */
  kind: 'full' | 'delta';
  /** JSON of `unknown[][]` ticket rows in TICKET_COLUMNS order. */
  tickets: string;
  /** JSON of `Order[]`. */
  orders: string;
}

/**
 * A scan as the phone keeps it: the shared record plus where it came from and whether the
 * server has it. Only the server's copy of the same id ever changes it (see ScanStore.addScans),
 * and a replaced server database, which may lack it (ScanStore.markWaiting).
 */
export type ScanRecord = Scan & {
  /** 1: the server's scan log has this scan (answered online, acknowledged, or heard from it). */
  uploaded: 0 | 1;
  /** 1: made on this phone. 0: heard by gossip or catch-up. */
  own: 0 | 1;
};

/**
 * The phone's scan records and gossip cursors, as LocalScans (lib/scans/) uses them: it is
 * their only reader and writer.
 */
export interface ScanStore {
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta<T>(key: string, value: T): Promise<void>;
  /** Store scans not stored yet; for a known id, a record with `uploaded: 1` is the server's
   *  copy and replaces ours (keeping `own`, and an own scan's code: serverCopy). Returns the new ones. */
  addScans(records: ScanRecord[]): Promise<ScanRecord[]>;
  scansOf(eventId: EventId): Promise<ScanRecord[]>;
  markUploaded(ids: readonly string[]): Promise<void>;
  /** Own scans to upload again: the server's database was replaced, and may lack them. */
  markWaiting(ids: readonly string[]): Promise<void>;
  /** The ids of stored scans waiting to upload, of one event or of all. */
  pendingIds(eventId?: EventId): Promise<string[]>;
}

export interface Store extends ScanStore {
  deleteMeta(key: string): Promise<void>;

  loadManifest(eventId: EventId): Promise<{ header: ManifestHeader; chunks: ManifestChunk[] } | null>;
  /** Replace every chunk of the event (a full download or a compaction). */
  replaceManifest(header: ManifestHeader, chunks: ManifestChunk[]): Promise<void>;
  /** A download that changed nothing: only the header (version, sync time, code word). */
  saveManifestHeader(header: ManifestHeader): Promise<void>;
  /** Add a delta chunk and the new header in one transaction. */
  appendManifest(header: ManifestHeader, chunk: ManifestChunk): Promise<void>;

  /**
   * Sign-out: forget every event this phone holds (manifests, the scans the server has,
   * gossip cursors). Scans still waiting to upload are kept (sign-out is refused while
   * there are any, so there are none unless a scan lands during it).
   */
  forgetEvents(): Promise<void>;
}

/** Meta key of an event's gossip cursor (LocalScans'; forgotten at sign-out). */
export const cursorKey = (eventId: string) => `${CURSOR_PREFIX}${eventId}`;
export const CURSOR_PREFIX = 'cursor:';

/** An order as the phone knows it (the manifest's: no e-mail address). */
export type Order = ManifestOrder;
