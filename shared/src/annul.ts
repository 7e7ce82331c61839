// Undo (issue 9): an admission made by mistake, or a holder who turns back at the gate, is
// annulled by another scan, of kind `annul`, that names it. The set of scans stays
// grow-only, so arbitration stays a function of the set: an annulled admission no longer
// uses up its scope on any node, whatever order the scans arrive in (admission.ts).
//
// Who may annul what is one rule for phone and server alike (`annulRefusal`): the inspector
// whose device made the admission, within ANNUL_WINDOW_MS of it (pretixSCAN lets the same
// device undo for a few minutes); a supervisor or admin, any admission of their event at
// any time; in either case not while a later admission of the ticket depends on it (an
// exit between two entries), so undoing never makes a double admission. The phone checks
// it before it offers Undo; the server checks it again when it
// stores an annulment and quarantines one that breaks it (quarantine.ts), so a phone
// cannot annul another gate's admissions by uploading annulments.
import type { Scan } from './domain.ts';
import { parseHlc } from './hlc.ts';
import type { ScanId } from './ids.ts';
import { isAdmitting, Outcome } from './outcomes.ts';
import { counts } from './quarantine.ts';
import { valuesOf, type ValueOf } from './enum-values.ts';
import { annulmentWouldDoubleAdmit } from './admission.ts';
import { isAnnulment, ScanKind } from './scan-kind.ts';

export { ScanKind, SCAN_KINDS, isAnnulment } from './scan-kind.ts';

/**
 * How long after an admission its inspector may undo it from the same device: 2 minutes,
 * long enough for "wrong person" or "they turned back" at the gate, short enough that an
 * inspector cannot quietly free a ticket later on (supervisors can, at any time).
 */
export const ANNUL_WINDOW_MS = 2 * 60_000;

/**
 * The outcome an annulment carries: it is no verdict on a ticket, and it must not admit. A
 * version 6 or older phone, which drops `kind` and `annuls`, then takes it for a refused scan that
 * counts for nothing (it does not learn of the annulment, so it stays on the safe side).
 */
export const ANNUL_OUTCOME: Outcome = Outcome.unknown;

/** Why an annulment may not be made (HTTP error details) or does not count (quarantine). */
export const AnnulRefusal = {
  /** No such scan in the event (or of another ticket than the annulment says). */
  unknown_scan: 'unknown_scan',
  /** The scan did not admit anyone, counts for nothing (quarantined), or is itself an annulment. */
  not_admission: 'not_admission',
  /** The admission is already annulled. */
  already_annulled: 'already_annulled',
  /** An inspector's annulment more than ANNUL_WINDOW_MS after the admission. */
  outside_window: 'outside_window',
  /** An inspector's annulment of an admission another device made. */
  other_device: 'other_device',
  /**
   * A later admission of the ticket stands on this one: in an entry-exit zone, undoing the
   * exit between two entries would leave both entries standing. Undo the later one first.
   */
  later_admission: 'later_admission',
} as const;
export type AnnulRefusal = ValueOf<typeof AnnulRefusal>;

/** Who annuls: an inspector (same device, within the window) or a supervisor (any, any time). */
export type AnnulAuthority = { role: 'inspector'; deviceId: string } | { role: 'supervisor' };

/**
 * Whether `target` may be annulled at physical time `at` (ms; the annulment's stamp, or now)
 * by `who`, given the other scans of its ticket this node knows (for "already annulled").
 * Null: it may. The first reason that applies otherwise.
 */
export function annulRefusal(target: Scan | null, who: AnnulAuthority, at: number, ticketScans: readonly Scan[] = []): AnnulRefusal | null {
  if (!target) return AnnulRefusal.unknown_scan;
  if (isAnnulment(target) || !counts(target) || !isAdmitting(target.outcome) || target.ticketId === null) return AnnulRefusal.not_admission;
  if (ticketScans.some((s) => s.id !== target.id && isAnnulment(s) && s.annuls === target.id && counts(s))) return AnnulRefusal.already_annulled;
  if (who.role === 'inspector') {
    if (who.deviceId !== target.deviceId) return AnnulRefusal.other_device;
    if (at - parseHlc(target.hlc).physical > ANNUL_WINDOW_MS) return AnnulRefusal.outside_window;
  }
  if (annulmentWouldDoubleAdmit(target, ticketScans)) return AnnulRefusal.later_admission;
  return null;
}

/** What an annulment is made of, besides its own id, stamp and who/where. */
export interface AnnulmentOf {
  target: Scan;
  id: ScanId;
  hlc: string;
  at: number;
  clockOffset: number;
  deviceId: Scan['deviceId'];
  inspectorId: Scan['inspectorId'];
  checkpoint: Pick<Scan, 'checkpointId' | 'zone' | 'mode'>;
  offline: boolean;
}

/**
 * The annulment scan of `target`: the target's event, ticket, order and direction (so it
 * is grouped with the ticket's scans everywhere), no code (it scanned none), ANNUL_OUTCOME.
 */
export function makeAnnulment(a: AnnulmentOf): Scan {
  const t = a.target;
  return {
    id: a.id, eventId: t.eventId, ticketId: t.ticketId, orderId: t.orderId, code: '',
    checkpointId: a.checkpoint.checkpointId, zone: a.checkpoint.zone, mode: a.checkpoint.mode, direction: t.direction,
    deviceId: a.deviceId, inspectorId: a.inspectorId, hlc: a.hlc, at: a.at, clockOffset: a.clockOffset,
    outcome: ANNUL_OUTCOME, offline: a.offline, idChecked: false, kind: ScanKind.annul, annuls: t.id,
  };
}
