// Why a stored scan does not count. An offline scan is never rejected (the holder was let
// in or turned away; the record is evidence), but one that is not plausible must not make
// a genuine ticket "already used": the server marks it quarantined when it stores it, the
// mark travels with the scan to every phone, and `arbitrate` / `decideAdmission` skip it.
// Supervisors see the quarantined scans with their reason (GET /api/events/:id/quarantine).
import { valuesOf, type ValueOf } from './enum-values.ts';
export const QuarantineReason = {
  /** The scan names a checkpoint that the event does not have. */
  unknown_checkpoint: 'unknown_checkpoint',
  /** The scanned code does not resolve (by signature or lookup) to the ticket the scan names. */
  code_mismatch: 'code_mismatch',
  /** Stamped before the device that made it was registered. */
  clock_before_device: 'clock_before_device',
  /** Stamped later than the server's time when it arrived, beyond the tolerance. */
  clock_ahead: 'clock_ahead',
  // Since protocol 5: annulments (annul.ts) that break the rule of who may annul what.
  /** The annulment names no stored scan of its event and ticket (nor one earlier in its upload). */
  annul_unknown_scan: 'annul_unknown_scan',
  /** The annulment names a scan that did not admit, does not count, or is an annulment itself. */
  annul_not_admission: 'annul_not_admission',
  /** An inspector's annulment of an admission made on another device. */
  annul_other_device: 'annul_other_device',
  /** An inspector's annulment stamped more than the window (2 minutes) after the admission. */
  annul_outside_window: 'annul_outside_window',
  // Since protocol 12.
  /** An annulment that would leave a later admission of its ticket standing twice (annul.ts later_admission). */
  annul_later_admission: 'annul_later_admission',
} as const;
export type QuarantineReason = ValueOf<typeof QuarantineReason>;
export const QUARANTINE_REASONS = valuesOf(QuarantineReason);

/** English, for supervisors and the logs; the scanner translates by reason. */
export const QUARANTINE_TEXT: Record<QuarantineReason, string> = {
  unknown_checkpoint: 'The scan names a checkpoint this event does not have.',
  code_mismatch: 'The scanned code is not the ticket the scan names.',
  clock_before_device: 'The scan is stamped before its device was registered.',
  clock_ahead: 'The scan is stamped in the future.',
  annul_unknown_scan: 'The annulment names no scan of this ticket.',
  annul_not_admission: 'The annulment names a scan that admitted nobody.',
  annul_other_device: 'An inspector annulled an admission made on another device.',
  annul_outside_window: 'An inspector annulled an admission after the undo window.',
  annul_later_admission: 'The annulment would undo an exit that a later entry depends on.',
};

/** Whether a scan counts in arbitration: every scan but a quarantined one. */
export const counts = (scan: { quarantine?: QuarantineReason | undefined }): boolean => scan.quarantine === undefined;
