// Scans in: online (decided now, inside the storage transaction) and offline batches
// (stored as decided, never rejected). HTTP and the socket both come through here, so
// the checks on who may submit what live in one place.
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { SignatureVerifier } from '@gatekeeper/shared/codec/index';
import type { Conflict, Scan, Verdict } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import { OUTCOME_TEXT } from '@gatekeeper/shared/outcomes';
import { GkError, type Ack, type AckStatus, type ScanRequest } from '@gatekeeper/shared/protocol/index';
import type { OnlineSubmission, StaffRecord, Storage, StoredScan, SubmitResult } from '../storage/types.ts';
import { nodeEd25519Verifier } from './ed25519-node.ts';
import { GroupCommit } from './group-commit.ts';
import { resolveTicket } from './resolve-ticket.ts';

/** Told about every scan stored and every conflict found, to gossip them. */
export interface ScanListener {
  stored(eventId: EventId, scans: StoredScan[]): void;
  conflicts(eventId: EventId, conflicts: Conflict[]): void;
}

export interface OnlineResult { status: AckStatus; verdict: Verdict; scan: Scan; cursor: number }

export class ScanService {
  private readonly online: GroupCommit<OnlineSubmission, SubmitResult>;

  constructor(
    private readonly storage: Storage,
    private readonly listener: ScanListener,
    private readonly now: () => number = Date.now,
    /** Signature checks for scanned codes: native, with the scanner's strict rules. */
    private readonly verify: SignatureVerifier = nodeEd25519Verifier(),
  ) {
    this.online = new GroupCommit((items) => this.storage.submitOnline(items, this.now()));
  }

  /** Who may submit a scan: the logged-in inspector, from their own registered device. */
  private async checkSubmitter(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, scan: Pick<Scan, 'eventId' | 'deviceId' | 'inspectorId'>): Promise<void> {
    if (scan.eventId !== eventId) throw new GkError('forbidden', `scan for event ${scan.eventId} sent to event ${eventId}`);
    if (scan.deviceId !== deviceId) throw new GkError('forbidden', `scan made by device ${scan.deviceId}, sent from device ${deviceId}`);
    if (scan.inspectorId !== staff.id) throw new GkError('forbidden', `scan made by inspector ${scan.inspectorId}, sent by ${staff.id}`);
  }

  async submitOnline(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, req: ScanRequest): Promise<OnlineResult> {
    await this.checkSubmitter(staff, deviceId, eventId, req);
    const checkpoint = await this.storage.getCheckpoint(eventId, req.checkpointId);
    if (!checkpoint) throw new GkError('bad_request', `no checkpoint ${req.checkpointId} in event ${eventId}`);
    const now = this.now();
    const resolution = await resolveTicket(this.storage, req, now, this.verify);
    // The copied zone/mode must be the checkpoint's: arbitration trusts them later.
    const request = { ...req, zone: checkpoint.zone, mode: checkpoint.mode, ticketId: resolution.ok ? resolution.ticket.id : null };
    const decide = (prior: readonly Scan[]): Verdict => {
      if (!resolution.ok) {
        return { outcome: resolution.outcome, offline: false, ticketId: null, firstScan: null, explanation: `${OUTCOME_TEXT[resolution.outcome]} (${resolution.reason})` };
      }
      return decideAdmission(resolution.ticket, checkpoint, prior, now, { direction: req.direction, idChecked: req.idChecked, offline: false });
    };
    const r = await this.online.submit({ request, decide }).catch((e: unknown) => this.afterFailedWrite(e, eventId, deviceId, [req.id]));
    if (r.status !== 'duplicate') this.listener.stored(eventId, [r.stored]);
    if (r.conflicts.length) this.listener.conflicts(eventId, r.conflicts);
    return { status: r.status, verdict: r.verdict, scan: r.stored.scan, cursor: r.stored.seq };
  }

  /**
   * A write that failed `unavailable` may still have committed: the fsync after the commit
   * is what failed. Its scans are then in the log, with seqs, but were never gossiped, and
   * the next gossip's cursor would carry every scanner past them. So the ones that are
   * there are gossiped now, with the conflicts they are part of; the sender is still told
   * `unavailable` and sends them again, which the server answers as duplicates once an
   * fsync has succeeded (index.ts).
   */
  private async afterFailedWrite(e: unknown, eventId: EventId, deviceId: DeviceId, ids: readonly string[]): Promise<never> {
    // Only when the storage says the rows may be in: a rolled-back write has nothing to tell,
    // and looking would cost a history read for every scan refused while the disk is full.
    if (e instanceof GkError && e.code === 'unavailable' && (e.details as { stored?: string } | undefined)?.stored === 'unknown') {
      const wanted = new Set(ids);
      const found: StoredScan[] = [];
      try {
        // The device's newest scans first: a batch is at most MAX_BATCH, so two pages.
        let before: number | undefined;
        for (let page = 0; page < 2 && found.length < wanted.size; page++) {
          const { scans, next } = await this.storage.history({ eventId, deviceId, limit: 500, ...(before === undefined ? {} : { before }) });
          for (const s of scans) if (wanted.has(s.scan.id)) found.push(s);
          if (next === null) break;
          before = next;
        }
        if (found.length) {
          this.listener.stored(eventId, found);
          // And the conflicts that transaction recorded, to the inspectors involved.
          const ids = new Set(found.map((s) => s.scan.id));
          const conflicts = (await this.storage.listConflicts(eventId)).filter((c) => ids.has(c.loser.scanId) || ids.has(c.winner.scanId));
          if (conflicts.length) this.listener.conflicts(eventId, conflicts);
        }
      } catch { /* reads failing too: the scanners catch up on their next connect */ }
    }
    throw e;
  }

  async uploadOffline(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, scans: Scan[]): Promise<Ack[]> {
    for (const s of scans) await this.checkSubmitter(staff, deviceId, eventId, s);
    const results = await this.storage.uploadOffline(scans, this.now())
      .catch((e: unknown) => this.afterFailedWrite(e, eventId, deviceId, scans.map((s) => s.id)));
    const fresh = results.filter((r) => r.status !== 'duplicate').map((r) => r.stored);
    if (fresh.length) this.listener.stored(eventId, fresh);
    const conflicts = results.flatMap((r) => r.conflicts);
    if (conflicts.length) this.listener.conflicts(eventId, conflicts);
    return results.map((r) => ({ scanId: r.scanId, status: r.status, conflict: r.conflicts[0] ?? null }));
  }
}
