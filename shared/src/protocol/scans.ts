// Submitting scans (one online, or a batch decided offline), their answers, catch-up and
// gossip (both arrive as `scans`), and conflicts.
import { z } from 'zod';
import { zConflict, zScan, zVerdict, type Verdict } from '../domain.ts';
import { zId, type ScanId } from '../ids.ts';
import { QUARANTINE_REASONS, type QuarantineReason } from '../quarantine.ts';
import { codeProblemForVersion, ROTATING_PROBLEMS_SINCE } from '../codec/problems.ts';
import { NO_REASON, ReasonKind, reasonWithNote, withExplanation, type Reason } from '../reasons.ts';

/** The first protocol whose verdicts may carry the reason `verified_device` (reasons.ts). */
export const VERIFIED_DEVICE_SINCE = 15;
import { MAX_BATCH } from './version.ts';

/** An online scan: the server fills in the outcome, `offline: false` and any quarantine mark. */
export const zScanRequest = zScan.omit({ outcome: true, offline: true, quarantine: true });
export type ScanRequest = z.infer<typeof zScanRequest>;

/** Per-scan acknowledgement: stored now, stored before (same id), or stored as a conflict. */
export const zAckStatus = z.enum(['accepted', 'duplicate', 'conflict']);
export type AckStatus = z.infer<typeof zAckStatus>;

export const zSubmitScan = z.object({ type: z.literal('scan'), scan: zScanRequest });

export const zVerdictMsg = z.object({
  type: z.literal('verdict'),
  scanId: zId<ScanId>(),
  status: zAckStatus,
  verdict: zVerdict,
  /** The scan as stored (its outcome may be an earlier one when status is duplicate). */
  scan: zScan,
  cursor: z.number().int().nonnegative(),
});

/**
 * A verdict as a client of `version` reads it. Since 5 the reason is data and the client
 * words it; a version 4 app requires `explanation` and shows it as it comes, so it still
 * gets the English sentence. Since 8 a refused code's reason is the problem as data; a
 * version 5 to 7 app requires the codec's English `note`, so it gets that beside it.
 */
export function verdictForVersion(verdict: Verdict, version: number): Verdict {
  if (version >= VERIFIED_DEVICE_SINCE) return verdict;
  // Before 15 no reason "verified device only": the outcome (expired_code) alone, which an
  // older app words as "ask the holder to refresh it".
  if (verdict.reason.kind === ReasonKind.verified_device) return verdictForVersion({ ...verdict, reason: NO_REASON }, version);
  if (version >= ROTATING_PROBLEMS_SINCE) return verdict;
  const reason = olderCodeReason(verdict.reason, version);
  if (version >= 8) return reason === verdict.reason ? verdict : { ...verdict, reason };
  const v = { ...verdict, reason: reasonWithNote(reason) };
  return version < 5 ? withExplanation(v) : v;
}

/** Since 14 a rotating code's problems; an older phone reads none of them (codec/problems.ts). */
function olderCodeReason(r: Reason, version: number): Reason {
  if (r.kind !== 'code') return r;
  const problem = codeProblemForVersion(r.problem, version);
  return problem === r.problem ? r : { ...r, problem };
}

export const zUpload = z.object({
  type: z.literal('upload'),
  batchId: z.string().min(1).max(64),
  scans: z.array(zScan).min(1).max(MAX_BATCH),
});

export const zAck = z.object({
  scanId: zId<ScanId>(),
  status: zAckStatus,
  conflict: zConflict.nullable(),
  /** Since 4: stored, but not counted in arbitration, and why (the stored scan's mark). */
  quarantine: z.enum(QUARANTINE_REASONS).nullable(),
});
export type Ack = z.infer<typeof zAck>;

export const zUploadAck = z.object({
  type: z.literal('uploadAck'),
  batchId: z.string(),
  results: z.array(zAck),
});

export const zCatchup = z.object({ type: z.literal('catchup'), cursor: z.number().int().nonnegative() });

/** Scans of the event after a cursor: a catch-up page, or gossip of freshly stored scans. */
export const zScansMsg = z.object({
  type: z.literal('scans'),
  scans: z.array(zScan),
  /** Every scan of the event up to this cursor has now been sent. */
  cursor: z.number().int().nonnegative(),
  more: z.boolean(),
});

export const zConflictMsg = z.object({ type: z.literal('conflict'), conflict: zConflict });

/**
 * The version each quarantine reason came with, and what a client older than that gets
 * instead: a reason it parses (zod refuses an unknown one, and with it the whole message
 * of gossip). The mark is what matters to an older phone, the scan then counts for nothing.
 */
const QUARANTINE_SINCE: Partial<Record<QuarantineReason, { since: number; older: QuarantineReason }>> = {
  annul_unknown_scan: { since: 7, older: 'code_mismatch' },
  annul_not_admission: { since: 7, older: 'code_mismatch' },
  annul_other_device: { since: 7, older: 'code_mismatch' },
  annul_outside_window: { since: 7, older: 'code_mismatch' },
  annul_later_admission: { since: 12, older: 'annul_not_admission' },
};

/** The version a client must speak to read `reason` as it is. */
export const quarantineSince = (reason: QuarantineReason): number => QUARANTINE_SINCE[reason]?.since ?? 4;

/** `reason` as a client of `version` reads it: the reason itself, or the nearest older one. */
export function quarantineForVersion(reason: QuarantineReason, version: number): QuarantineReason {
  let out = reason;
  for (let e = QUARANTINE_SINCE[out]; e && version < e.since; e = QUARANTINE_SINCE[out]) out = e.older;
  return out;
}
