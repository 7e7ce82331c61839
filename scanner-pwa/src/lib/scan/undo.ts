// Undo on this phone (issue 9): who is offered it for which admission, until when, and the
// annulment it records. The rule is the shared one (annulRefusal) that the server applies
// again when the annulment arrives, so the phone offers exactly what the server will count:
// an inspector, this phone's admissions for ANNUL_WINDOW_MS; a supervisor signed in here,
// any admission of the event at any time.
//
// An annulment is a scan like any other this phone makes: into LocalScans at once (the next
// offline decision already sees the ticket free), stored, counted as waiting, and uploaded
// by the normal path, offline or not. Nothing here waits for the server.
import { annulRefusal, makeAnnulment, type AnnulAuthority, type AnnulRefusal } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { parseHlc } from '@gatekeeper/shared/hlc';
import { newId, scanId as toScanId } from '@gatekeeper/shared/ids';
import type { LocalScans } from '../scans/local-scans.svelte.ts';
import type { ServerClock } from '../state/server-clock.svelte.ts';
import type { Session } from '../state/session.svelte.ts';
import type { ScanContext } from './admitter.ts';

/** What Undo reads of the session: who is signed in, on which registered device. */
export type UndoSession = Pick<Session, 'inspector' | 'deviceId' | 'isSupervisor'>;

/** Why Undo is not offered: the shared rule's reasons, or nobody signed in on a device. */
export type UndoRefusal = AnnulRefusal | 'signed_out';
export type UndoResult = { ok: true; annulment: Scan } | { ok: false; reason: UndoRefusal };

export interface UndoDeps {
  scans: Pick<LocalScans, 'get' | 'ofTicket' | 'record'>;
  session: UndoSession;
  clock: Pick<ServerClock, 'now' | 'stamp' | 'offsetMs'>;
}

export class Undo {
  readonly #d: UndoDeps;
  constructor(deps: UndoDeps) {
    this.#d = deps;
  }

  /** The signed-in person's authority to annul, as the server will see it (its session's role). */
  authority(): AnnulAuthority | null {
    const { session } = this.#d;
    if (!session.inspector || !session.deviceId) return null;
    return session.isSupervisor ? { role: 'supervisor' } : { role: 'inspector', deviceId: session.deviceId };
  }

  /**
   * Why this scan may not be undone at `at` (server time as this phone knows it), or null:
   * it may. The window is measured from the admission's stamp, as on the server.
   */
  refusal(scanId: string, at: number = this.#d.clock.now()): UndoRefusal | null {
    const who = this.authority();
    if (!who) return 'signed_out';
    const target = this.#d.scans.get(scanId);
    return annulRefusal(target, who, at, target?.ticketId ? this.#d.scans.ofTicket(target.ticketId) : []);
  }

  /** Whether the Undo button is shown for this scan now. */
  offered(scanId: string, at?: number): boolean {
    return this.refusal(scanId, at) === null;
  }

  /**
   * Record the annulment of `scanId`, made at `ctx` (this checkpoint, this phone, whoever is
   * signed in). Judged again with the annulment's own stamp, which is what the server judges:
   * a tap in the window's last instant that stamps past it records nothing.
   */
  annul(ctx: ScanContext, scanId: string): UndoResult {
    const { scans, clock } = this.#d;
    const hlc = clock.stamp();
    const refused = this.refusal(scanId, parseHlc(hlc).physical);
    const target = scans.get(scanId);
    if (refused !== null || !target) return { ok: false, reason: refused ?? 'unknown_scan' };
    const annulment = makeAnnulment({
      target, id: toScanId(newId()), hlc, at: Math.round(clock.now()), clockOffset: clock.offsetMs ?? 0,
      deviceId: ctx.deviceId, inspectorId: ctx.inspectorId,
      checkpoint: { checkpointId: ctx.checkpoint.id, zone: ctx.checkpoint.zone, mode: ctx.checkpoint.mode },
      // Not decided by the server: it goes up with the queue, as an offline scan does.
      offline: true,
    });
    scans.record(annulment);
    return { ok: true, annulment };
  }
}
