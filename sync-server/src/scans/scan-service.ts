// Scans in: online (decided now, inside the storage transaction) and offline batches
// (stored as decided, never rejected, but quarantined when not plausible: plausibility.ts).
// HTTP and the socket both come through here, so the checks on who may submit what, and
// how much (device-limits.ts), live in one place.
import { decideAdmission } from '@gatekeeper/shared/admission';
import { AnnulRefusal, annulRefusal, isAnnulment, makeAnnulment, type AnnulAuthority } from '@gatekeeper/shared/annul';
import { formatHlc, parseHlc } from '@gatekeeper/shared/hlc';
import type { SignatureVerifier } from '@gatekeeper/shared/codec/index';
import type { Conflict, Scan, Verdict } from '@gatekeeper/shared/domain';
import { deviceId as deviceIdOf, newId, scanId, type CheckpointId, type DeviceId, type EventId, type ScanId } from '@gatekeeper/shared/ids';
import { GkError, type Ack, type AckStatus, type ErrorCode, type ScanRequest } from '@gatekeeper/shared/protocol/index';
import { silentLogger, type Logger } from '../log.ts';
import type { DeviceAlert, OnlineSubmission, StaffRecord, Storage, StoredScan, SubmitResult } from '../storage/types.ts';
import { DEVICE_LIMITS, DeviceLimits, type Cost, type DeviceLimitRules } from './device-limits.ts';
import { STAFF_LIMITS, StaffLimits, type StaffLimitRules } from './staff-limits.ts';
import { nodeEd25519Verifier } from './ed25519-node.ts';
import { GroupCommit } from './group-commit.ts';
import { clockReason, judgeOffline } from './plausibility.ts';
import { resolveTicket } from './resolve-ticket.ts';

/** Told about every scan stored and every conflict found, to gossip them, and every device alert, for supervisors. */
export interface ScanListener {
  stored(eventId: EventId, scans: StoredScan[]): void;
  conflicts(eventId: EventId, conflicts: Conflict[]): void;
  alerted(eventId: EventId, alert: DeviceAlert): void;
}

export interface OnlineResult { status: AckStatus; verdict: Verdict; scan: Scan; cursor: number }

export interface ScanServiceOptions {
  /** Signature checks for scanned codes: native, with the scanner's strict rules. */
  verify?: SignatureVerifier;
  /** Rotating codes: extra time either side of the accepted steps (GK_ROTATING_LEEWAY_MS). */
  rotatingLeewayMs?: number;
  /** Per-device limits (default DEVICE_LIMITS; config GK_DEVICE_*). */
  limits?: DeviceLimitRules;
  /** Per-login limits on what is done without a device (default STAFF_LIMITS; config GK_SUPERVISOR_*). */
  staffLimits?: StaffLimitRules;
  log?: Logger;
}

/** Supervisors and admins annul any admission of their event; an inspector, their device's only. */
export const authorityOf = (staff: StaffRecord, deviceId: DeviceId | null): AnnulAuthority =>
  staff.role === 'inspector' ? { role: 'inspector', deviceId: deviceId ?? '' } : { role: 'supervisor' };

/** The device an annulment made over HTTP names when its supervisor has no phone (a laptop). */
export const SERVER_DEVICE = deviceIdOf('server');

/** How an annulment refused over HTTP is answered: the code by kind, the reason in details. */
const ANNUL_ERROR: Record<AnnulRefusal, ErrorCode> = {
  unknown_scan: 'not_found', other_device: 'forbidden', outside_window: 'forbidden',
  not_admission: 'annul_refused', already_annulled: 'annul_refused', later_admission: 'annul_refused',
};

export interface AnnulResult { status: AckStatus; scan: Scan; conflicts: Conflict[] }

export class ScanService {
  private readonly online: GroupCommit<OnlineSubmission, SubmitResult>;
  private readonly verify: SignatureVerifier;
  private readonly rotatingLeewayMs: number;
  private readonly limits: DeviceLimits;
  private readonly staffLimits: StaffLimits;
  private readonly log: Logger;

  constructor(
    private readonly storage: Storage,
    private readonly listener: ScanListener,
    private readonly now: () => number = Date.now,
    options: ScanServiceOptions = {},
  ) {
    this.verify = options.verify ?? nodeEd25519Verifier();
    this.rotatingLeewayMs = options.rotatingLeewayMs ?? 0;
    this.limits = new DeviceLimits(options.limits ?? DEVICE_LIMITS, now);
    this.staffLimits = new StaffLimits(options.staffLimits ?? STAFF_LIMITS, now);
    this.log = options.log ?? silentLogger;
    this.online = new GroupCommit((items) => this.storage.submitOnline(items, this.now()));
  }

  /** When the device was registered: every scan's stamp is checked against it. (The
   *  server's storage holds devices in memory: storage/read-cache.ts.) */
  private async registeredAt(deviceId: DeviceId): Promise<number> {
    const device = await this.storage.getDevice(deviceId);
    if (!device) throw new GkError('forbidden', `device ${deviceId} is not registered`);
    return device.createdAt;
  }

  /**
   * Count a message against the device's limits; beyond them refuse it whole (nothing is
   * stored: the phone keeps the scans and sends them again after `retryAfterMs`), and the
   * first refusal of an episode is logged and recorded for the event's supervisors.
   */
  private async checkLimits(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, cost: Cost): Promise<void> {
    const answer = this.limits.take(deviceId, cost);
    if (answer.ok) return;
    const seconds = Math.ceil(answer.retryAfterMs / 1000);
    const message = `device ${deviceId} is over its limit of ${answer.over === 'scans' ? 'scans' : 'upload messages'}; send again in ${seconds} s`;
    if (answer.firstRefusal) {
      this.log.warn('device over its rate limit', { device: deviceId, inspector: staff.id, event: eventId, over: answer.over, retryAfterMs: answer.retryAfterMs });
      await this.storage.recordDeviceAlert({ eventId, deviceId, inspectorId: staff.id, kind: 'rate_limited', message, at: this.now() })
        .then((alert) => this.listener.alerted(eventId, alert))
        .catch((e: unknown) => this.log.error('could not record a device alert', { device: deviceId, err: String(e) }));
    }
    throw new GkError('rate_limited', message, { retryAfterMs: answer.retryAfterMs });
  }

  /** An annulment without a device, counted against the login's limit; beyond it refused whole. */
  private checkStaffLimit(staff: StaffRecord, eventId: EventId): void {
    const answer = this.staffLimits.takeAnnul(staff.id);
    if (answer.ok) return;
    const seconds = Math.ceil(answer.retryAfterMs / 1000);
    if (answer.firstRefusal) this.log.warn('staff over its annulment limit', { staff: staff.id, role: staff.role, event: eventId, retryAfterMs: answer.retryAfterMs });
    throw new GkError('rate_limited', `${staff.id} is over the limit of annulments; send again in ${seconds} s`, { retryAfterMs: answer.retryAfterMs });
  }

  /** Who may submit a scan: the logged-in inspector, from their own registered device. */
  private async checkSubmitter(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, scan: Pick<Scan, 'eventId' | 'deviceId' | 'inspectorId'>): Promise<void> {
    if (scan.eventId !== eventId) throw new GkError('forbidden', `scan for event ${scan.eventId} sent to event ${eventId}`);
    if (scan.deviceId !== deviceId) throw new GkError('forbidden', `scan made by device ${scan.deviceId}, sent from device ${deviceId}`);
    if (scan.inspectorId !== staff.id) throw new GkError('forbidden', `scan made by inspector ${scan.inspectorId}, sent by ${staff.id}`);
  }

  async submitOnline(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, req: ScanRequest): Promise<OnlineResult> {
    await this.checkSubmitter(staff, deviceId, eventId, req);
    // An annulment decides nothing about a ticket: it is stored like an offline scan, with
    // the rule of who may annul what (`upload`, or POST …/scans/:scanId/annul).
    if (isAnnulment(req)) throw new GkError('bad_request', 'an annulment is sent with upload (or POST /api/events/:eventId/scans/:scanId/annul), not as an online scan');
    await this.checkLimits(staff, deviceId, eventId, { scans: 1, uploads: 0 });
    const checkpoint = await this.storage.getCheckpoint(eventId, req.checkpointId);
    if (!checkpoint) throw new GkError('bad_request', `no checkpoint ${req.checkpointId} in event ${eventId}`);
    const now = this.now();
    const resolution = await resolveTicket(this.storage, req, now, this.verify, undefined, this.rotatingLeewayMs);
    // The copied zone/mode must be the checkpoint's: arbitration trusts them later. The
    // ticket is the one the code resolves to. The stamp is the phone's: one from 1970 would
    // sort before every admission there is, so it is quarantined as an offline one would be.
    const clock = clockReason(req.hlc, await this.registeredAt(deviceId), now);
    const { verifiedDevice } = await this.storage.getMeasures(eventId);
    const request = {
      ...req, zone: checkpoint.zone, mode: checkpoint.mode, ticketId: resolution.ok ? resolution.ticket.id : null,
      ...(clock ? { quarantine: clock } : {}),
    };
    const decide = (prior: readonly Scan[]): Verdict => {
      if (!resolution.ok) {
        return { outcome: resolution.outcome, offline: false, ticketId: null, firstScan: null, reason: resolution.reason };
      }
      return decideAdmission(resolution.ticket, checkpoint, prior, now, {
        direction: req.direction, idChecked: req.idChecked, offline: false, verifiedDeviceOnly: verifiedDevice, fromBoundDevice: resolution.fromBoundDevice,
      });
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
        // By id: a batch is at most MAX_BATCH scans, each one index lookup.
        for (const id of wanted) {
          const stored = await this.storage.getScan(eventId, id as ScanId);
          if (stored) found.push(stored);
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

  async uploadOffline(staff: StaffRecord, deviceId: DeviceId, eventId: EventId, sent: Scan[]): Promise<Ack[]> {
    for (const s of sent) await this.checkSubmitter(staff, deviceId, eventId, s);
    await this.checkLimits(staff, deviceId, eventId, { scans: sent.length, uploads: 1 });
    // Judged once, here, before storing; a scan stored before (same id) stays as stored,
    // whatever this copy says (the storage answers it as a duplicate with the stored record).
    const now = this.now();
    const judge = {
      checkpoints: new Map((await this.storage.listCheckpoints(eventId)).map((c) => [c.id as string, c])),
      registeredAt: await this.registeredAt(deviceId), now, storage: this.storage, verify: this.verify, rotatingLeewayMs: this.rotatingLeewayMs,
      keys: await this.storage.listEventKeys(eventId),
      tickets: await this.storage.getTickets(eventId, sent.flatMap((s) => (s.ticketId === null ? [] : [s.ticketId]))),
      authority: authorityOf(staff, deviceId), earlier: new Map<string, Scan>(),
    };
    const scans: Scan[] = [];
    for (const s of sent) {
      const judged = await judgeOffline(s, judge);
      scans.push(judged);
      if (!judge.earlier.has(judged.id)) judge.earlier.set(judged.id, judged);
    }
    const quarantined = scans.filter((s) => s.quarantine).length;
    if (quarantined) this.log.warn('offline scans quarantined', { device: deviceId, inspector: staff.id, event: eventId, count: quarantined, of: scans.length });
    const results = await this.storage.uploadOffline(scans, now)
      .catch((e: unknown) => this.afterFailedWrite(e, eventId, deviceId, scans.map((s) => s.id)));
    const fresh = results.filter((r) => r.status !== 'duplicate').map((r) => r.stored);
    if (fresh.length) this.listener.stored(eventId, fresh);
    const conflicts = results.flatMap((r) => r.conflicts);
    if (conflicts.length) this.listener.conflicts(eventId, conflicts);
    return results.map((r) => ({ scanId: r.scanId, status: r.status, conflict: r.conflicts[0] ?? null, quarantine: r.stored.scan.quarantine ?? null }));
  }

  /**
   * Annul an admission now, on the server's word (POST …/scans/:scanId/annul): a supervisor
   * any admission of the event, an inspector one their device made within the window. The
   * annulment is a scan like any other, stored and gossiped; refused with the reason in
   * `details.reason` (AnnulRefusal). `id` makes a retry idempotent: an annulment already
   * stored under it is answered as a duplicate.
   */
  async annul(staff: StaffRecord, device: DeviceId | null, eventId: EventId, targetId: ScanId, opts: { id?: ScanId | undefined; checkpointId?: CheckpointId | undefined } = {}): Promise<AnnulResult> {
    const who = authorityOf(staff, device);
    if (who.role === 'inspector' && device === null) throw new GkError('forbidden', 'an inspector annuls from the phone that admitted (X-Device-Id)', { reason: AnnulRefusal.other_device });
    // An annulment from a phone is one scan in one message, as an upload would be: the same
    // limits, so undo is no way around them. A supervisor's laptop has no device to count:
    // the login's own limit (staff-limits.ts) counts instead.
    if (device !== null) await this.checkLimits(staff, device, eventId, { scans: 1, uploads: 1 });
    else this.checkStaffLimit(staff, eventId);
    if (opts.id !== undefined) {
      const again = await this.storage.getScan(eventId, opts.id);
      if (again) {
        if (again.scan.annuls !== targetId) throw new GkError('bad_request', `scan ${opts.id} is stored already and annuls something else`);
        return { status: 'duplicate', scan: again.scan, conflicts: [] };
      }
    }
    const target = (await this.storage.getScan(eventId, targetId))?.scan ?? null;
    const now = this.now();
    const others = target?.ticketId ? await this.storage.ticketScans(eventId, target.ticketId) : [];
    const refusal = annulRefusal(target, who, now, others);
    if (refusal || !target) {
      const why = refusal ?? AnnulRefusal.unknown_scan;
      throw new GkError(ANNUL_ERROR[why], `cannot annul scan ${targetId}: ${why.replaceAll('_', ' ')}`, { reason: why });
    }
    const checkpoint = opts.checkpointId === undefined ? null : await this.storage.getCheckpoint(eventId, opts.checkpointId);
    if (opts.checkpointId !== undefined && !checkpoint) throw new GkError('bad_request', `no checkpoint ${opts.checkpointId} in event ${eventId}`);
    // Stamped after the admission whatever the clocks say: an undo sorts after what it undoes.
    const t = parseHlc(target.hlc);
    const physical = Math.max(now, t.physical);
    const scan = makeAnnulment({
      target, id: opts.id ?? scanId(newId('s-')), hlc: formatHlc({ physical, counter: physical === t.physical ? t.counter + 1 : 0 }),
      at: now, clockOffset: 0, deviceId: device ?? SERVER_DEVICE, inspectorId: staff.id, offline: false,
      checkpoint: checkpoint ? { checkpointId: checkpoint.id, zone: checkpoint.zone, mode: checkpoint.mode } : target,
    });
    const [r] = await this.storage.uploadOffline([scan], now)
      .catch((e: unknown) => this.afterFailedWrite(e, eventId, scan.deviceId, [scan.id]));
    if (!r) throw new GkError('internal', 'the annulment was not stored');
    this.log.info('admission annulled', { event: eventId, scan: targetId, by: staff.id, role: staff.role, annulment: scan.id });
    if (r.status !== 'duplicate') this.listener.stored(eventId, [r.stored]);
    if (r.conflicts.length) this.listener.conflicts(eventId, r.conflicts);
    return { status: r.status, scan: r.stored.scan, conflicts: r.conflicts };
  }
}
