// Turning one ticket at one checkpoint into a recorded scan and a verdict: online first
// (the server decides inside its transaction: first scan wins across every gate), the
// phone's own decision when the server is unreachable or slower than the budget. Both
// paths use the same scan id, so the server stores the scan once whichever arrives.
// The rule itself is decideAdmission from shared: never written twice.
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { Checkpoint, Direction, Scan, Ticket, Verdict } from '@gatekeeper/shared/domain';
import { newId, scanId, type DeviceId, type EventId, type InspectorId, type OrderId, type TicketId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import { NO_REASON, type Reason } from '@gatekeeper/shared/reasons';
import type { ScanRequest } from '@gatekeeper/shared/protocol/index';
import type { LocalScans } from '../scans/local-scans.svelte.ts';
import type { ServerClock } from '../state/server-clock.svelte.ts';
import type { OnlineAnswer } from '../sync/verdict-requests.ts';

export interface ScanContext {
  eventId: EventId;
  checkpoint: Checkpoint;
  direction: Direction;
  deviceId: DeviceId;
  inspectorId: InspectorId;
  /** The event's measure "verified device only", from the manifest (admission.ts). Absent: off. */
  verifiedDeviceOnly?: boolean;
}

export interface Decision { verdict: Verdict; scan: Scan }

export interface AdmitterDeps {
  sync: {
    readonly online: boolean;
    requestVerdict(scan: ScanRequest, budgetMs: number): Promise<OnlineAnswer>;
  };
  /** Where the scans are: read for the decision, and where an offline decision is recorded. */
  scans: Pick<LocalScans, 'get' | 'ofTicket' | 'record' | 'untilServerHas'>;
  clock: ServerClock;
  budgetMs: () => number;
}

/** Longest scanned text kept as evidence with a scan (zScan.code). */
const MAX_EVIDENCE = 512;

export class Admitter {
  readonly #d: AdmitterDeps;
  constructor(deps: AdmitterDeps) {
    this.#d = deps;
  }

  /** Whether the next decision asks the server first (else the phone decides at once). */
  get asksServer(): boolean { return this.#d.sync.online; }

  /** A scan request made now, with a fresh id, the HLC stamp and the clock offset. */
  request(ctx: ScanContext, target: { ticketId: TicketId | null; orderId: OrderId | null }, code: string, idChecked: boolean): ScanRequest {
    const { clock } = this.#d;
    return {
      id: scanId(newId()),
      eventId: ctx.eventId,
      ticketId: target.ticketId,
      orderId: target.orderId,
      code: code.slice(0, MAX_EVIDENCE),
      checkpointId: ctx.checkpoint.id,
      zone: ctx.checkpoint.zone,
      mode: ctx.checkpoint.mode,
      direction: ctx.direction,
      deviceId: ctx.deviceId,
      inspectorId: ctx.inspectorId,
      hlc: clock.stamp(),
      at: Math.round(clock.now()),
      clockOffset: clock.offsetMs ?? 0,
      idChecked,
    };
  }

  /**
   * Admit (or refuse) a ticket: online within the budget, else offline. `fromBoundDevice`:
   * the code was a rotating one under a certificate in force (the server finds that itself).
   */
  async admit(ctx: ScanContext, ticket: Ticket, code: string, idChecked: boolean, fromBoundDevice = false): Promise<Decision> {
    const req = this.request(ctx, { ticketId: ticket.id, orderId: ticket.orderId }, code, idChecked);
    if (this.#d.sync.online) {
      const budget = this.#d.budgetMs();
      const started = performance.now();
      // This phone's own scans of the ticket go up first (an undo tapped while a batch was in
      // flight): the server's verdict would otherwise not count them. Within the same budget;
      // past it, decided here, where they count.
      const heard = await this.#d.scans.untilServerHas(ticket.id, budget);
      if (heard) {
        try {
          const answer = await this.#d.sync.requestVerdict(req, Math.max(1, budget - (performance.now() - started)));
          // The sync client merges the server's copy of the scan as it arrives.
          return { verdict: answer.verdict, scan: answer.scan };
        } catch {
          // Offline, too slow, or refused: decide here with the same scan id.
        }
        // The answer was late but the scan itself came back by gossip: the server has decided.
        const stored = this.#d.scans.get(req.id);
        if (stored) return { verdict: this.#verdictOf(ctx, ticket, stored, fromBoundDevice), scan: stored };
      }
    }
    return this.decideOffline(ctx, ticket, req, fromBoundDevice);
  }

  /** The phone decides alone and records the scan. Synchronous. */
  decideOffline(ctx: ScanContext, ticket: Ticket, req: ScanRequest, fromBoundDevice = false): Decision {
    const verdict = this.#decide(ctx, ticket, req.id, req.idChecked, fromBoundDevice);
    return this.#record({ ...req, outcome: verdict.outcome, offline: true }, verdict);
  }

  /** The rule over every other scan of the ticket this phone knows (never the scan itself). */
  #decide(ctx: ScanContext, ticket: Ticket, self: string, idChecked: boolean, fromBoundDevice: boolean): Verdict {
    const { scans, clock } = this.#d;
    const prior = scans.ofTicket(ticket.id).filter((s) => s.id !== self);
    return decideAdmission(ticket, ctx.checkpoint, prior, clock.now(), {
      direction: ctx.direction, idChecked, offline: true, verifiedDeviceOnly: ctx.verifiedDeviceOnly ?? false, fromBoundDevice,
    });
  }

  /** A verdict for a scan the server stored and gossiped back: its outcome, with the same details. */
  #verdictOf(ctx: ScanContext, ticket: Ticket, scan: Scan, fromBoundDevice: boolean): Verdict {
    const local = this.#decide(ctx, ticket, scan.id, scan.idChecked, fromBoundDevice);
    return {
      outcome: scan.outcome, offline: scan.offline, ticketId: ticket.id,
      firstScan: scan.outcome === local.outcome ? local.firstScan : null,
      reason: scan.outcome === local.outcome ? local.reason : NO_REASON,
    };
  }

  /**
   * A code that names no ticket we can decide (forged, another event, not in the manifest):
   * refused here and recorded, denied scans being evidence too.
   */
  refuse(ctx: ScanContext, code: string, outcome: Outcome, reason: Reason, orderId: OrderId | null = null): Decision {
    const req = this.request(ctx, { ticketId: null, orderId }, code, false);
    const verdict: Verdict = { outcome, offline: true, ticketId: null, firstScan: null, reason };
    return this.#record({ ...req, outcome, offline: true }, verdict);
  }

  #record(scan: Scan, verdict: Verdict): Decision {
    // Known before the verdict is shown (the next decision must see it); the write to
    // IndexedDB finishes while the verdict paints, and the upload follows by itself.
    this.#d.scans.record(scan);
    return { verdict, scan };
  }
}
