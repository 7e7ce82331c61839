// Whether an offline scan counts. It is never refused (the holder was let in or turned
// away: the record is evidence), but it counts in arbitration only when it is plausible,
// or one phone (or one stolen login) could upload "valid at checkpoint nowhere, stamped
// 1970" for every ticket and make every genuine holder ALREADY SCANNED (issue 8). The
// server judges a scan once, when it stores it; the mark is part of the stored record
// and travels with it to every phone.
import type { SignatureVerifier } from '@gatekeeper/shared/codec/index';
import type { Checkpoint, Scan, Ticket } from '@gatekeeper/shared/domain';
import { parseHlc } from '@gatekeeper/shared/hlc';
import { QuarantineReason } from '@gatekeeper/shared/quarantine';
import { ANNUL_OUTCOME, AnnulRefusal, annulRefusal, isAnnulment, type AnnulAuthority } from '@gatekeeper/shared/annul';
import type { EventKey, Storage } from '../storage/types.ts';
import { resolveTicket } from './resolve-ticket.ts';

/**
 * How far a plausible stamp may lie before its device's registration or after the server's
 * time when it arrives: 10 minutes. A phone stamps scans with its clock corrected by the
 * offset to the server (clock.ts); before its first pong it uses its own clock, which on a
 * phone set automatically is seconds off, and a phone's quartz drifts under 2 s a day. Ten
 * minutes covers a clock set by hand and not yet corrected, and a registration made just
 * after a phone's first scans were stamped. What a forger gains inside it is small: a
 * stamp 10 minutes before its device existed beats only admissions of those 10 minutes,
 * and a stamp ahead of time sorts after every real scan it could compete with.
 */
export const CLOCK_TOLERANCE_MS = 10 * 60_000;

export interface Judge {
  /** The event's checkpoints by id. */
  checkpoints: ReadonlyMap<string, Checkpoint>;
  /** When the device that made the scans was registered (server time). */
  registeredAt: number;
  /** Server time now. */
  now: number;
  storage: Storage;
  verify: SignatureVerifier;
  /** Rotating codes: the leeway the phones were given with the manifest. */
  rotatingLeewayMs?: number;
  /** The event's signing keys and the tickets the batch names, read once per batch. */
  keys: readonly EventKey[];
  tickets: ReadonlyMap<string, Ticket>;
  /** Who sends the batch: an inspector annuls only their device's admissions, within the window. */
  authority: AnnulAuthority;
  /** Scans of the same batch judged before this one, by id: an annulment may follow its admission in one upload. */
  earlier: ReadonlyMap<string, Scan>;
}

/** Why an annulment that breaks the rule does not count. Already annulled is no reason: the first annulment counts, later ones change nothing. */
const ANNUL_QUARANTINE: Record<Exclude<AnnulRefusal, 'already_annulled'>, QuarantineReason> = {
  unknown_scan: QuarantineReason.annul_unknown_scan,
  not_admission: QuarantineReason.annul_not_admission,
  other_device: QuarantineReason.annul_other_device,
  outside_window: QuarantineReason.annul_outside_window,
  later_admission: QuarantineReason.annul_later_admission,
};

/**
 * An annulment counts only when it follows the rule of annul.ts, judged with the admission
 * as stored (or sent earlier in the same upload: a phone sends its own scans in order).
 * The window is measured between the two stamps, both from the phone's own clock.
 */
async function annulReason(scan: Scan, j: Judge): Promise<QuarantineReason | null> {
  if (scan.annuls === undefined) return QuarantineReason.annul_unknown_scan;
  const target = j.earlier.get(scan.annuls) ?? (await j.storage.getScan(scan.eventId, scan.annuls))?.scan ?? null;
  if (target && target.ticketId !== scan.ticketId) return QuarantineReason.annul_unknown_scan;
  // What the ticket's other scans say (a later entry standing on an exit) as this server
  // knows them when the annulment arrives, with the upload's own earlier scans.
  const stored = target?.ticketId ? await j.storage.ticketScans(scan.eventId, target.ticketId) : [];
  const batch = [...j.earlier.values()].filter((s) => s.ticketId === scan.ticketId);
  const refusal = annulRefusal(target, j.authority, parseHlc(scan.hlc).physical, [...stored, ...batch]);
  return refusal === null || refusal === AnnulRefusal.already_annulled ? null : ANNUL_QUARANTINE[refusal];
}

/** The clock check alone (online scans have the rest checked as they are decided). */
export function clockReason(hlc: string, registeredAt: number, now: number): QuarantineReason | null {
  const { physical } = parseHlc(hlc);
  if (physical < registeredAt - CLOCK_TOLERANCE_MS) return QuarantineReason.clock_before_device;
  if (physical > now + CLOCK_TOLERANCE_MS) return QuarantineReason.clock_ahead;
  return null;
}

/**
 * The scan as the server stores it: zone and mode taken from its checkpoint (arbitration
 * trusts them, so the phone's copy of them is not), and marked quarantined with the first
 * reason it is not plausible. Whatever the phone sent as `quarantine` is dropped.
 */
export async function judgeOffline(scan: Scan, j: Judge): Promise<Scan> {
  // `annuls` means something on an annulment only; an annulment carries ANNUL_OUTCOME
  // whatever the phone said, so it never admits on a node that does not know the kind.
  const { quarantine: _sent, annuls, ...plain } = scan;
  const rest: Scan = isAnnulment(scan) ? { ...plain, outcome: ANNUL_OUTCOME, ...(annuls === undefined ? {} : { annuls }) } : plain;
  const checkpoint = j.checkpoints.get(scan.checkpointId);
  if (!checkpoint) return { ...rest, quarantine: QuarantineReason.unknown_checkpoint };
  const stored: Scan = { ...rest, zone: checkpoint.zone, mode: checkpoint.mode };
  const clock = clockReason(scan.hlc, j.registeredAt, j.now);
  if (clock) return { ...stored, quarantine: clock };
  if (isAnnulment(stored)) {
    // It scanned no code: what it is judged by is the admission it names.
    const reason = await annulReason(stored, j);
    return reason ? { ...stored, quarantine: reason } : stored;
  }
  // A scan that names no ticket counts for nothing anyway; one that does must be that
  // ticket's code (signed for it or its order, or its imported barcode, or its id typed).
  if (scan.ticketId !== null) {
    const r = await resolveTicket(j.storage, scan, parseHlc(scan.hlc).physical, j.verify, j, j.rotatingLeewayMs);
    if (!r.ok || r.ticket.id !== scan.ticketId) return { ...stored, quarantine: QuarantineReason.code_mismatch };
  }
  return stored;
}
