// The records every node (server and each scanner) holds. Times are epoch milliseconds.
import { z } from 'zod';
import {
  zId, type CheckpointId, type DeviceId, type EventId, type InspectorId, type OrderId,
  type ScanId, type TicketId,
} from './ids.ts';
import { HLC_PATTERN } from './hlc.ts';
import { OUTCOMES } from './outcomes.ts';
import { QUARANTINE_REASONS } from './quarantine.ts';
import { SCAN_KINDS } from './scan-kind.ts';
import { zReason } from './reasons.ts';
import { DIRECTIONS, TICKET_STATUSES, zRuleMode } from './vocabulary.ts';
import type { ValueOf } from './enum-values.ts';

export * from './vocabulary.ts';

export const zTicket = z.object({
  id: zId<TicketId>(),
  eventId: zId<EventId>(),
  orderId: zId<OrderId>().nullable(),
  /** Ticket type as sold, e.g. "Adult", "Child". Checkpoints may allow only some types. */
  type: z.string().min(1).max(64),
  holderName: z.string().max(128).nullable(),
  seat: z.string().max(64).nullable(),
  /** Only event and travel tickets exist; a travel ticket is scanned outward and back. */
  kind: z.enum(['event', 'travel']),
  /** false: a paper or box-office ticket; the scanner highlights it. */
  eTicket: z.boolean(),
  status: z.enum(TICKET_STATUSES),
  validFrom: z.number().int().nullable(),
  validUntil: z.number().int().nullable(),
  /** Personalised ticket: the inspector checks the holder's ID before admitting. */
  idCheck: z.boolean(),
  /** A plain barcode from another ticketing system, validated by lookup only. */
  importedCode: z.string().min(1).max(256).nullable(),
});
export type Ticket = z.infer<typeof zTicket>;

export const zOrder = z.object({
  id: zId<OrderId>(),
  eventId: zId<EventId>(),
  buyerName: z.string().max(128).nullable(),
  email: z.string().max(254).nullable(),
  /** Where an SMS verification code goes (issue 11); absent on import: the kept one stays. Never sent to phones. */
  mobile: z.string().regex(/^\+?[0-9]{6,15}$/).nullable().optional(),
});
export type Order = z.infer<typeof zOrder>;

export const zCheckpoint = z.object({
  id: zId<CheckpointId>(),
  eventId: zId<EventId>(),
  /** The inspector's role as people say it: "Main gate", "Ice Rink", "1030 Padd-Oxford". */
  name: z.string().min(1).max(80),
  zone: z.string().min(1).max(64),
  mode: zRuleMode,
  /** null: every ticket type is allowed. */
  allowedTypes: z.array(z.string().min(1).max(64)).max(100).nullable(),
  validFrom: z.number().int().nullable(),
  validUntil: z.number().int().nullable(),
});
export type Checkpoint = z.infer<typeof zCheckpoint>;

/**
 * A scan: immutable once made, with an id made on the phone. Denied scans are scans too.
 * The checkpoint's zone and mode are copied in at scan time so that arbitration is a
 * function of the scans alone, whatever the rules say later.
 */
export const zScan = z.object({
  id: zId<ScanId>(),
  eventId: zId<EventId>(),
  /** null when the code named no ticket of this event (forged, unknown). */
  ticketId: zId<TicketId>().nullable(),
  orderId: zId<OrderId>().nullable(),
  /** The scanned text, cut to 512 characters: evidence for the history. */
  code: z.string().max(512),
  checkpointId: zId<CheckpointId>(),
  zone: z.string().min(1).max(64),
  mode: zRuleMode,
  direction: z.enum(DIRECTIONS),
  deviceId: zId<DeviceId>(),
  inspectorId: zId<InspectorId>(),
  /** Hybrid logical clock stamp (see hlc.ts): the order every node agrees on. */
  hlc: z.string().regex(HLC_PATTERN),
  /** Device wall time corrected by clockOffset, for display. */
  at: z.number().int(),
  /** Estimated server time minus device time when the scan was made. */
  clockOffset: z.number().int(),
  /** The verdict the scanner showed. */
  outcome: z.enum(OUTCOMES),
  offline: z.boolean(),
  /** The inspector confirmed the holder's ID. */
  idChecked: z.boolean(),
  /**
   * Since protocol 4. Set by the server alone, when it stores the scan: why this scan does
   * not count in arbitration (quarantine.ts). Absent on every plausible scan and on every
   * scan a phone makes; what a phone sends here is ignored.
   */
  quarantine: z.enum(QUARANTINE_REASONS).optional(),
  /**
   * Since protocol 5. Absent: an ordinary scan. `annul`: this scan cancels the admission
   * named in `annuls` (annul.ts); it carries that admission's ticket and ANNUL_OUTCOME.
   */
  kind: z.enum(SCAN_KINDS).optional(),
  /** Since protocol 5, with `kind: annul`: the id of the admission it cancels. */
  annuls: zId<ScanId>().optional(),
});
export type Scan = z.infer<typeof zScan>;

export const zScanSummary = z.object({
  scanId: zId<ScanId>(),
  at: z.number().int(),
  checkpointId: zId<CheckpointId>(),
  inspectorId: zId<InspectorId>(),
  deviceId: zId<DeviceId>(),
  outcome: z.enum(OUTCOMES),
  offline: z.boolean(),
});
export type ScanSummary = z.infer<typeof zScanSummary>;

export const summarise = (s: Scan): ScanSummary => ({
  scanId: s.id, at: s.at, checkpointId: s.checkpointId, inspectorId: s.inspectorId,
  deviceId: s.deviceId, outcome: s.outcome, offline: s.offline,
});

export const zVerdict = z.object({
  outcome: z.enum(OUTCOMES),
  /** Decided by a scanner alone: provisional until the server has seen it. */
  offline: z.boolean(),
  ticketId: zId<TicketId>().nullable(),
  /** The first earlier admitting scan that this verdict is about, if any. */
  firstScan: zScanSummary.nullable(),
  /** Since protocol 5: why, as data (reasons.ts); each reader words it in its own language. */
  reason: zReason,
  /**
   * English, UTC times: `explainVerdict(verdict)`. Until protocol 4 the only explanation;
   * now sent only where English is wanted: HTTP answers and clients below version 5.
   */
  explanation: z.string().max(500).optional(),
});
export type Verdict = z.infer<typeof zVerdict>;

export const ConflictKind = {
  /**
   * A scan refused ALREADY SCANNED because of an admission that was annulled afterwards:
   * someone may have been turned away for nothing. `winner` is the annulled admission,
   * `loser` the refusal, `annulment` who annulled it and when.
   */
  refused_annulled: 'refused_annulled',
} as const;
export type ConflictKind = ValueOf<typeof ConflictKind>;

/** Two admissions of one ticket where only one was allowed: both scans named. */
export const zConflict = z.object({
  eventId: zId<EventId>(),
  ticketId: zId<TicketId>(),
  scope: z.string(),
  winner: zScanSummary,
  loser: zScanSummary,
  /** Since protocol 5. Absent: two admissions where one was allowed. */
  kind: z.enum(Object.values(ConflictKind) as [ConflictKind, ...ConflictKind[]]).optional(),
  /**
   * Since protocol 5: the annulment this conflict is about. With `refused_annulled`, the
   * one that made the refusal needless; without a kind, the one that resolved the double
   * admission (the server's list only: `arbitrate` no longer reports a resolved conflict).
   */
  annulment: zScanSummary.optional(),
});
export type Conflict = z.infer<typeof zConflict>;
