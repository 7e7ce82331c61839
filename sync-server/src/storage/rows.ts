// Rows ↔ domain records, in one place. SQLite has no booleans (0/1) and no arrays (JSON
// text), and better-sqlite3 refuses to bind a JS boolean, so every conversion lives here
// and nowhere else reads a column by name. Both adapters read and write through these, so a
// record reads back alike from either: PostgreSQL's BOOLEAN columns come back as true/false,
// and its adapter turns them into 0/1 first (postgres/row-sql.ts).
import type { ConflictEntry } from '@gatekeeper/shared/api/live';
import type { Checkpoint, Conflict, ConflictKind, Order, Scan, ScanSummary, Ticket } from '@gatekeeper/shared/domain';
import type { CheckpointId, DeviceId, EventId, InspectorId, OrderId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import type { QuarantineReason } from '@gatekeeper/shared/quarantine';
import type { ScanKind } from '@gatekeeper/shared/annul';
import type { Role } from '@gatekeeper/shared/protocol/index';
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import type { CodeWordRule } from '@gatekeeper/shared/code-word';
import type { ColumnMap } from '@gatekeeper/shared/import-mapping';
import type {
  DeviceAlert, DeviceCertificateRecord, DeviceRecord, DeviceReportRecord, EventKey, ImportMapping, OrderLinkRecord, OutboxMailRecord, SessionRecord, StaffRecord, StoredScan,
} from './types.ts';
import type { RecordedConflict } from './conflict-bookkeeping.ts';

type Bit = 0 | 1;
const bit = (b: boolean): Bit => (b ? 1 : 0);

export interface EventRow { id: string; name: string; venue: string | null; starts_at: number | null; ends_at: number | null; time_zone: string }

export const eventToRow = (e: GkEvent): EventRow => ({
  id: e.id, name: e.name, venue: e.venue, starts_at: e.startsAt, ends_at: e.endsAt, time_zone: e.timeZone,
});
export const eventFromRow = (r: EventRow): GkEvent => ({
  id: r.id as EventId, name: r.name, venue: r.venue, startsAt: r.starts_at, endsAt: r.ends_at, timeZone: r.time_zone,
});

export interface CheckpointRow {
  event_id: string; id: string; name: string; zone: string; mode: string;
  allowed_types: string | null; valid_from: number | null; valid_until: number | null;
}

export const checkpointToRow = (c: Checkpoint): CheckpointRow => ({
  event_id: c.eventId, id: c.id, name: c.name, zone: c.zone, mode: c.mode,
  allowed_types: c.allowedTypes === null ? null : JSON.stringify(c.allowedTypes),
  valid_from: c.validFrom, valid_until: c.validUntil,
});
export const checkpointFromRow = (r: CheckpointRow): Checkpoint => ({
  id: r.id as CheckpointId, eventId: r.event_id as EventId, name: r.name, zone: r.zone,
  mode: r.mode as Checkpoint['mode'],
  allowedTypes: r.allowed_types === null ? null : (JSON.parse(r.allowed_types) as string[]),
  validFrom: r.valid_from, validUntil: r.valid_until,
});

export interface EventKeyRow { event_id: string; key_id: string; public_key: string; private_key: string; revoked: Bit; created_at: number }

export const eventKeyToRow = (k: EventKey): EventKeyRow => ({
  event_id: k.eventId, key_id: k.keyId, public_key: k.publicKey, private_key: k.privateKey, revoked: bit(k.revoked), created_at: k.createdAt,
});
export const eventKeyFromRow = (r: EventKeyRow): EventKey => ({
  eventId: r.event_id as EventId, keyId: r.key_id, publicKey: r.public_key, privateKey: r.private_key, revoked: r.revoked === 1, createdAt: r.created_at,
});

export interface OrderRow { event_id: string; id: string; buyer_name: string | null; email: string | null; mobile: string | null }

export const orderToRow = (o: Order): OrderRow => ({ event_id: o.eventId, id: o.id, buyer_name: o.buyerName, email: o.email, mobile: o.mobile ?? null });
/** `mobile` only when there is one: most orders have none, and an order is compared whole in many places. */
export const orderFromRow = (r: OrderRow): Order => ({
  id: r.id as OrderId, eventId: r.event_id as EventId, buyerName: r.buyer_name, email: r.email, ...(r.mobile === null ? {} : { mobile: r.mobile }),
});

export interface TicketRow {
  event_id: string; id: string; order_id: string | null; type: string; holder_name: string | null; seat: string | null;
  kind: string; e_ticket: Bit; status: string; valid_from: number | null; valid_until: number | null;
  id_check: Bit; imported_code: string | null;
}

export const ticketToRow = (t: Ticket): TicketRow => ({
  event_id: t.eventId, id: t.id, order_id: t.orderId, type: t.type, holder_name: t.holderName, seat: t.seat,
  kind: t.kind, e_ticket: bit(t.eTicket), status: t.status, valid_from: t.validFrom, valid_until: t.validUntil,
  id_check: bit(t.idCheck), imported_code: t.importedCode,
});
export const ticketFromRow = (r: TicketRow): Ticket => ({
  id: r.id as TicketId, eventId: r.event_id as EventId, orderId: r.order_id as OrderId | null, type: r.type,
  holderName: r.holder_name, seat: r.seat, kind: r.kind as Ticket['kind'], eTicket: r.e_ticket === 1,
  status: r.status as Ticket['status'], validFrom: r.valid_from, validUntil: r.valid_until,
  idCheck: r.id_check === 1, importedCode: r.imported_code,
});

export interface StaffRow { id: string; username: string; name: string; role: string; password_hash: string; disabled: Bit }

export const staffToRow = (s: StaffRecord): StaffRow => ({
  id: s.id, username: s.username, name: s.name, role: s.role, password_hash: s.passwordHash, disabled: bit(s.disabled),
});
export const staffFromRow = (r: StaffRow): StaffRecord => ({
  id: r.id as InspectorId, username: r.username, name: r.name, role: r.role as Role, passwordHash: r.password_hash, disabled: r.disabled === 1,
});

export interface SessionRow { token_hash: string; inspector_id: string; created_at: number; expires_at: number; device_id: string | null }

export const sessionToRow = (s: SessionRecord): SessionRow => ({
  token_hash: s.tokenHash, inspector_id: s.inspectorId, created_at: s.createdAt, expires_at: s.expiresAt, device_id: s.deviceId ?? null,
});
export const sessionFromRow = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash, inspectorId: r.inspector_id as InspectorId, createdAt: r.created_at, expiresAt: r.expires_at,
  deviceId: r.device_id as DeviceId | null,
});

export interface DeviceRow { id: string; inspector_id: string; name: string; created_at: number; revoked_at: number | null; last_seen_at: number | null }

export const deviceToRow = (d: DeviceRecord): DeviceRow => ({
  id: d.id, inspector_id: d.inspectorId, name: d.name, created_at: d.createdAt, revoked_at: d.revokedAt, last_seen_at: d.lastSeenAt,
});
export const deviceFromRow = (r: DeviceRow): DeviceRecord => ({
  id: r.id as DeviceId, inspectorId: r.inspector_id as InspectorId, name: r.name, createdAt: r.created_at,
  revokedAt: r.revoked_at, lastSeenAt: r.last_seen_at,
});

/** A scan row as inserted (seq is assigned by SQLite). */
export interface ScanInsertRow {
  id: string; event_id: string; ticket_id: string | null; order_id: string | null; code: string;
  checkpoint_id: string; zone: string; mode: string; direction: string; device_id: string; inspector_id: string;
  hlc: string; at: number; clock_offset: number; outcome: string; offline: Bit; id_checked: Bit; received_at: number;
  quarantine: string | null; kind: string | null; annuls: string | null;
}
export interface ScanRow extends ScanInsertRow { seq: number }

export const scanToRow = (s: Scan, receivedAt: number): ScanInsertRow => ({
  id: s.id, event_id: s.eventId, ticket_id: s.ticketId, order_id: s.orderId, code: s.code,
  checkpoint_id: s.checkpointId, zone: s.zone, mode: s.mode, direction: s.direction, device_id: s.deviceId,
  inspector_id: s.inspectorId, hlc: s.hlc, at: s.at, clock_offset: s.clockOffset, outcome: s.outcome,
  offline: bit(s.offline), id_checked: bit(s.idChecked), received_at: receivedAt, quarantine: s.quarantine ?? null,
  kind: s.kind ?? null, annuls: s.annuls ?? null,
});
export const scanFromRow = (r: ScanRow): Scan => ({
  id: r.id as ScanId, eventId: r.event_id as EventId, ticketId: r.ticket_id as TicketId | null,
  orderId: r.order_id as OrderId | null, code: r.code, checkpointId: r.checkpoint_id as CheckpointId,
  zone: r.zone, mode: r.mode as Scan['mode'], direction: r.direction as Scan['direction'],
  deviceId: r.device_id as DeviceId, inspectorId: r.inspector_id as InspectorId, hlc: r.hlc, at: r.at,
  clockOffset: r.clock_offset, outcome: r.outcome as Outcome, offline: r.offline === 1, idChecked: r.id_checked === 1,
  // Absent, not undefined, on a scan that counts: it then equals the phone's own copy.
  ...(r.quarantine === null ? {} : { quarantine: r.quarantine as QuarantineReason }),
  ...(r.kind === null ? {} : { kind: r.kind as ScanKind }),
  ...(r.annuls === null ? {} : { annuls: r.annuls as ScanId }),
});
export const storedScanFromRow = (r: ScanRow): StoredScan => ({ seq: r.seq, receivedAt: r.received_at, scan: scanFromRow(r) });

/**
 * A conflict row joined with both scans' summary columns, prefixed w_ (winner) and
 * l_ (loser). The join is spelled out in CONFLICT_SELECT so the names match this type.
 */
export interface ConflictRow {
  event_id: string; ticket_id: string; scope: string;
  w_id: string; w_at: number; w_checkpoint_id: string; w_inspector_id: string; w_device_id: string; w_outcome: string; w_offline: Bit;
  l_id: string; l_at: number; l_checkpoint_id: string; l_inspector_id: string; l_device_id: string; l_outcome: string; l_offline: Bit;
  kind: string | null;
  /** The annulment's columns: NULL unless the row names one (LEFT JOIN). */
  a_id: string | null; a_at: number | null; a_checkpoint_id: string | null; a_inspector_id: string | null; a_device_id: string | null; a_outcome: string | null; a_offline: Bit | null;
}

const summaryColumns = (alias: 'w' | 'l' | 'a') =>
  ['id', 'at', 'checkpoint_id', 'inspector_id', 'device_id', 'outcome', 'offline'].map((c) => `${alias}.${c} AS ${alias}_${c}`).join(', ');

export const CONFLICT_SELECT = `
  SELECT c.event_id, c.ticket_id, c.scope, c.kind, ${summaryColumns('w')}, ${summaryColumns('l')}, ${summaryColumns('a')}
  FROM conflicts c
  JOIN scans w ON w.id = c.winner_scan_id
  JOIN scans l ON l.id = c.loser_scan_id
  LEFT JOIN scans a ON a.id = c.annul_scan_id`;

const summaryOf = (id: string, at: number, checkpointId: string, inspectorId: string, deviceId: string, outcome: string, offline: Bit): ScanSummary => ({
  scanId: id as ScanId, at, checkpointId: checkpointId as CheckpointId, inspectorId: inspectorId as InspectorId,
  deviceId: deviceId as DeviceId, outcome: outcome as Outcome, offline: offline === 1,
});

export const conflictFromRow = (r: ConflictRow): Conflict => ({
  eventId: r.event_id as EventId, ticketId: r.ticket_id as TicketId, scope: r.scope,
  winner: summaryOf(r.w_id, r.w_at, r.w_checkpoint_id, r.w_inspector_id, r.w_device_id, r.w_outcome, r.w_offline),
  loser: summaryOf(r.l_id, r.l_at, r.l_checkpoint_id, r.l_inspector_id, r.l_device_id, r.l_outcome, r.l_offline),
  ...(r.kind === null ? {} : { kind: r.kind as ConflictKind }),
  ...(r.a_id === null ? {} : { annulment: summaryOf(r.a_id, r.a_at!, r.a_checkpoint_id!, r.a_inspector_id!, r.a_device_id!, r.a_outcome!, r.a_offline!) }),
});

/** The columns a conflict is written with; replacing a loser's row rewrites them all. */
export const CONFLICT_COLUMNS = ['loser_scan_id', 'winner_scan_id', 'event_id', 'ticket_id', 'scope', 'created_at', 'kind', 'annul_scan_id'] as const;
export type ConflictInsertRow = Record<typeof CONFLICT_COLUMNS[number], string | number | null>;

export const conflictToRow = (c: Conflict, createdAt: number): ConflictInsertRow => ({
  loser_scan_id: c.loser.scanId, winner_scan_id: c.winner.scanId, event_id: c.eventId, ticket_id: c.ticketId,
  scope: c.scope, created_at: createdAt, kind: c.kind ?? null, annul_scan_id: c.annulment?.scanId ?? null,
});

/** A conflict row's keys, as the bookkeeping after arbitration reads them (conflict-bookkeeping.ts). */
export const RECORDED_CONFLICT_SELECT = 'SELECT loser_scan_id, winner_scan_id, kind, annul_scan_id FROM conflicts';
export interface RecordedConflictRow { loser_scan_id: string; winner_scan_id: string; kind: string | null; annul_scan_id: string | null }
export const recordedConflictFromRow = (r: RecordedConflictRow): RecordedConflict => ({
  loserScanId: r.loser_scan_id, winnerScanId: r.winner_scan_id, kind: r.kind, annulScanId: r.annul_scan_id,
});

/** A conflict row for the inbox: the conflict, its key and time, the holder, and the latest review (r_*, NULL without one). */
export interface ConflictEntryRow extends ConflictRow {
  id: string; created_at: number; holder: string | null;
  r_by: string | null; r_name: string | null; r_at: number | null; r_note: string | null;
}

export const CONFLICT_ENTRY_SELECT = `
  SELECT c.event_id, c.ticket_id, c.scope, c.kind, ${summaryColumns('w')}, ${summaryColumns('l')}, ${summaryColumns('a')},
    c.loser_scan_id AS id, c.created_at, coalesce(t.holder_name, o.buyer_name) AS holder,
    r.reviewed_by AS r_by, st.name AS r_name, r.reviewed_at AS r_at, r.note AS r_note
  FROM conflicts c
  JOIN scans w ON w.id = c.winner_scan_id
  JOIN scans l ON l.id = c.loser_scan_id
  LEFT JOIN scans a ON a.id = c.annul_scan_id
  LEFT JOIN tickets t ON t.event_id = c.event_id AND t.id = c.ticket_id
  LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id
  LEFT JOIN conflict_reviews r ON r.id = (SELECT max(id) FROM conflict_reviews WHERE loser_scan_id = c.loser_scan_id)
  LEFT JOIN staff st ON st.id = r.reviewed_by`;

export const conflictEntryFromRow = (r: ConflictEntryRow): ConflictEntry => ({
  ...conflictFromRow(r), id: r.id as ScanId, createdAt: r.created_at, holder: r.holder,
  review: r.r_by === null ? null : { by: r.r_by as InspectorId, byName: r.r_name ?? r.r_by, at: r.r_at!, note: r.r_note! },
});

export interface DeviceAlertRow { id: number; event_id: string; device_id: string; inspector_id: string; kind: string; message: string; at: number }

export const deviceAlertFromRow = (r: DeviceAlertRow): DeviceAlert => ({
  id: r.id, eventId: r.event_id as EventId, deviceId: r.device_id as DeviceId, inspectorId: r.inspector_id as InspectorId,
  kind: r.kind as DeviceAlert['kind'], message: r.message, at: r.at,
});

// Rows of the settings, audit, fleet, wallet and certificate tables (both adapters read these).

export interface AuditRow {
  id: number; event_id: string | null; actor: string; actor_name: string | null; action: string; target: string;
  before_json: string | null; after_json: string | null; reason: string | null; at: number;
}

export const auditJson = (v: AuditEntry['before']): string | null => (v === null ? null : JSON.stringify(v));
const unjson = (text: string | null): AuditEntry['before'] => (text === null ? null : JSON.parse(text));

export const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id, eventId: r.event_id as EventId | null, actor: r.actor as InspectorId, actorName: r.actor_name,
  action: r.action as AuditEntry['action'], target: r.target,
  before: unjson(r.before_json), after: unjson(r.after_json), reason: r.reason, at: r.at,
});

export interface CertificateRow {
  event_id: string; id: string; ticket_id: string; device_public_key: string; step_seconds: number; issued_at: number;
  revoked_at: number | null; revoked_seq: number | null;
}

export const certificateFromRow = (r: CertificateRow): DeviceCertificateRecord => ({
  eventId: r.event_id as EventId, id: r.id, ticketId: r.ticket_id as TicketId, devicePublicKey: r.device_public_key,
  stepSeconds: r.step_seconds, issuedAt: r.issued_at, revokedAt: r.revoked_at,
});

export interface RuleRow { event_id: string; words: string; change_at: string }

export const ruleFromRow = (r: RuleRow): CodeWordRule => ({ words: JSON.parse(r.words) as string[], changeAt: r.change_at });

export interface ReportRow {
  event_id: string; device_id: string; inspector_id: string; checkpoint_id: string | null; protocol_version: number;
  app_version: string | null; clock_offset_ms: number | null; waiting: number | null; seen_at: number;
}

export const reportFromRow = (r: ReportRow): DeviceReportRecord => ({
  eventId: r.event_id as EventId, deviceId: r.device_id as DeviceId, inspectorId: r.inspector_id as InspectorId,
  checkpointId: r.checkpoint_id as CheckpointId | null, protocolVersion: r.protocol_version,
  appVersion: r.app_version, clockOffsetMs: r.clock_offset_ms, waiting: r.waiting, seenAt: r.seen_at,
});

export interface MappingRow { event_id: string; id: string; name: string; columns_json: string; updated_by: string; updated_at: number }

export const mappingFromRow = (r: MappingRow): ImportMapping => ({
  id: r.id, name: r.name, columns: JSON.parse(r.columns_json) as ColumnMap[], updatedAt: r.updated_at, updatedBy: r.updated_by as InspectorId,
});

export interface LinkRow { token_hash: string; event_id: string; order_id: string; created_at: number }
export interface MailRow { id: number; to_addr: string; subject: string; text: string; at: number }

export const linkFromRow = (r: LinkRow): OrderLinkRecord => ({
  tokenHash: r.token_hash, eventId: r.event_id as EventId, orderId: r.order_id as OrderId, createdAt: r.created_at,
});

export const mailFromRow = (r: MailRow): OutboxMailRecord => ({ id: r.id, to: r.to_addr, subject: r.subject, text: r.text, at: r.at });
