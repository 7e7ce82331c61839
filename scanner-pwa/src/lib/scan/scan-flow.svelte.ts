// Every way a code reaches the app — camera, keyboard-wedge scanner, typed code, search,
// a link opened on the phone — goes through handleText: one path from text to a verdict on
// screen. Nothing here navigates: a code inside a link is read out of it.
import { decideAdmission } from '@gatekeeper/shared/admission';
import { flushSync } from 'svelte';
import type { Ticket } from '@gatekeeper/shared/domain';
import { decodeCodeAsync, extractCode, madeBeforePreviousStep, shownCodeKey, type AsyncSignatureVerifier, type DecodedTicket } from '@gatekeeper/shared/codec/index';
import { newId, type OrderId } from '@gatekeeper/shared/ids';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import { codeReason, NO_REASON, type Reason } from '@gatekeeper/shared/reasons';
import type { Feedback } from '../feedback/feedback.ts';
import type { ManifestHeader } from '../ports.ts';
import { afterNextPaint, measureVerdictPainted, measureVerdictRendered } from '../platform/paint.ts';
import type { LocalScans } from '../scans/local-scans.svelte.ts';
import type { EventData } from '../state/event-data.svelte.ts';
import type { ServerClock } from '../state/server-clock.svelte.ts';
import type { Session } from '../state/session.svelte.ts';
import { orderItems, toneOf, type ItemView, type VerdictView } from '../verdict/view-model.ts';
import type { Admitter, Decision, ScanContext } from './admitter.ts';
import { CameraGate } from './camera-gate.ts';
import type { Undo, UndoResult } from './undo.ts';

export type Source = 'camera' | 'wedge' | 'manual' | 'search' | 'link';

export interface ScanFlowDeps {
  event: EventData;
  scans: Pick<LocalScans, 'loading' | 'ready' | 'ofTicket' | 'ofOrder'>;
  session: Session;
  admitter: Admitter;
  undo: Undo;
  clock: ServerClock;
  feedback: Feedback;
  /** Signed codes' signature check (SignatureVerifier.verify): it answers later, in a browser. */
  verify: AsyncSignatureVerifier;
  autoReturnMs: () => number;
}

export class ScanFlow {
  #view = $state.raw<VerdictView | null>(null);
  #checking = $state(false);
  /** performance.now() when the shown verdict goes back to the camera; null: it stays. */
  #returnAt = $state<number | null>(null);
  #busy = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #cameraGate = new CameraGate();
  readonly #d: ScanFlowDeps;

  constructor(deps: ScanFlowDeps) {
    this.#d = deps;
  }

  get view() { return this.#view; }
  get checking() { return this.#checking; }
  get returnAt() { return this.#returnAt; }

  /** Where and as whom this phone scans now; null until an event and checkpoint are chosen. */
  context(): ScanContext | null {
    const { session, event } = this.#d;
    const sel = session.selection;
    if (!sel || !session.inspector || !session.deviceId || event.eventId !== sel.eventId) return null;
    const checkpoint = event.checkpoint(sel.checkpointId);
    if (!checkpoint) return null;
    return {
      eventId: sel.eventId, checkpoint, direction: sel.direction, deviceId: session.deviceId, inspectorId: session.inspector.id,
      verifiedDeviceOnly: event.header?.verifiedDeviceOnly ?? false,
    };
  }

  /**
   * A code the camera read. False: not taken now (a verdict is being decided, or one on
   * screen must be seen first): the camera reports it again when it next sees it.
   */
  cameraCode(text: string): boolean {
    const shown = this.#view;
    // By shownCodeKey: a rotating code is the same code in view from one step to the next.
    if (!this.#cameraGate.offer(shownCodeKey(extractCode(text)), this.#busy, shown && { code: shownCodeKey(shown.code), needsDecision: shown.needsDecision })) return false;
    void this.handleText(text, 'camera');
    return true;
  }

  /** The one entry point for scanned or typed text. */
  async handleText(text: string, source: Source): Promise<void> {
    const t0 = performance.now();
    const shown = this.#view;
    const code = extractCode(text);
    // The camera keeps reading the code the holder still holds up (a rotating one at its
    // next step too); a decision on screen is not swept away by the next code in view.
    if (source === 'camera' && shown && (shown.needsDecision || shownCodeKey(shown.code) === shownCodeKey(code))) return;
    const { event, scans, clock } = this.#d;
    // Opened with the camera already running: a code read before the tickets and the scans
    // are loaded waits for them.
    if (!event.index && event.status === 'loading') await event.settled();
    if (scans.loading) await scans.ready();
    const ctx = this.context();
    const index = event.index;
    const header = event.header;
    if (this.#busy || !ctx || !index || !header) return;
    // Busy from here, across the signature check's wait too: a code that comes meanwhile
    // is not taken (the camera offers it again once this verdict has been seen), so no
    // code is decided, recorded or shown ahead of one that came before it.
    this.#busy = true;
    try {
      const r = await decodeCodeAsync(code, {
        eventId: ctx.eventId, publicKeys: header.publicKeys, now: clock.now(),
        revokedCertificates: revokedCertificates(header), rotatingLeewayMs: header.rotatingLeewayMs ?? 0,
      }, this.#d.verify);
      if (!r.ok) return this.#refuse(ctx, code, r.outcome, codeReason(r.problem), t0);
      if (r.kind === 'ticket') return await this.#ticket(ctx, index.ticket(r.ticketId) ?? ticketFromCode(r), code, false, t0);
      if (r.kind === 'rotating') {
        // A certificate carries no type or window to decide on: the ticket must be on the phone.
        const ticket = index.ticket(r.ticketId);
        const late = madeBeforePreviousStep(r.step, r.stepSeconds, clock.now()) ? r.madeAt : null;
        return ticket ? await this.#ticket(ctx, ticket, code, false, t0, late, true) : this.#refuse(ctx, code, 'unknown', NO_REASON, t0);
      }
      if (r.kind === 'order') return this.#order(ctx, r.orderId, code, t0);
      const imported = index.byImportedCode(r.code);
      if (imported) return await this.#ticket(ctx, imported, code, false, t0);
      // Typed or picked by a person: a ticket or order number printed on a paper ticket.
      if (source === 'manual' || source === 'search') {
        const byId = index.ticket(r.code);
        if (byId) return await this.#ticket(ctx, byId, code, false, t0);
        if (index.order(r.code)) return this.#order(ctx, r.code as OrderId, code, t0);
      }
      return this.#refuse(ctx, code, 'unknown', NO_REASON, t0);
    } finally {
      this.#busy = false;
    }
  }

  /** The inspector checked the holder's ID: scan again, confirmed. */
  async confirmId(): Promise<void> {
    const v = this.#view;
    const ctx = this.context();
    if (!v || !ctx || v.kind !== 'ticket' || !v.ticket || v.outcome !== 'needs_id_check' || this.#busy) return;
    this.#busy = true;
    try { await this.#ticket(ctx, v.ticket, v.code, true, performance.now(), null, v.fromBoundDevice ?? false); } finally { this.#busy = false; }
  }

  /** Admit every item of the shown order that may still go in; each is its own scan. */
  async admitAllRemaining(): Promise<void> {
    const v = this.#view;
    const ctx = this.context();
    if (!v || !ctx || v.kind !== 'order' || this.#busy) return;
    const todo = v.items.filter((i) => i.remaining && i.outcome !== 'needs_id_check');
    await this.#admitItems(ctx, v, todo.map((i) => i.ticket), false);
  }

  /** One item of the order asked for an ID check, and the inspector has checked it. */
  async confirmItemId(ticketId: string): Promise<void> {
    const v = this.#view;
    const ctx = this.context();
    const item = v?.items.find((i) => i.ticket.id === ticketId);
    if (!v || !ctx || !item) return;
    await this.#admitItems(ctx, v, [item.ticket], true);
  }

  // ── Undo (undo.ts): on the verdict of an admission this phone recorded, and in History ──

  /** The shown verdict offers Undo at `at` (server time): one ticket admitted, not yet undone. */
  undoOffered(at?: number): boolean {
    const v = this.#view;
    return !!v && v.kind === 'ticket' && v.outcome !== null && isAdmitting(v.outcome) && !v.undo && this.#d.undo.offered(v.key, at);
  }

  /** Undo tapped: it asks for a confirming tap, and the verdict stays up until then. */
  askUndo(): void {
    const v = this.#view;
    if (!v || !this.undoOffered()) return;
    this.#clearTimer();
    this.#returnAt = null;
    this.#view = { ...v, undo: { state: 'confirm', scanId: v.key }, needsDecision: true };
  }

  /** The inspector thought better of it: the admission stands, the verdict goes back as usual. */
  keepAdmission(): void {
    const v = this.#view;
    if (v?.undo?.state !== 'confirm') return;
    const { undo: _asked, ...rest } = v;
    this.#view = { ...rest, needsDecision: false };
    this.#armReturn(this.#view);
  }

  /**
   * Confirmed: the annulment is recorded (uploaded like any scan, offline too) and the
   * verdict says the admission was undone, with its own sound. Refused (the window closed
   * meanwhile): the verdict says why, and the admission stands.
   */
  confirmUndo(): void {
    const v = this.#view;
    const ctx = this.context();
    if (v?.undo?.state !== 'confirm' || !ctx || this.#busy) return;
    const scanId = v.undo.scanId;
    const r = this.#d.undo.annul(ctx, scanId);
    if (r.ok) {
      this.#show({ ...v, key: r.annulment.id, tone: 'undone', undo: { state: 'done', scanId, annulment: r.annulment }, needsDecision: false }, null);
      return;
    }
    this.#view = { ...v, undo: { state: 'refused', scanId, reason: r.reason }, needsDecision: false };
    this.#armReturn(this.#view);
  }

  /** Undo from History (its row asked for the confirming tap itself). */
  undoScan(scanId: string): UndoResult {
    const ctx = this.context();
    if (!ctx) return { ok: false, reason: 'signed_out' };
    const r = this.#d.undo.annul(ctx, scanId);
    if (r.ok) this.#d.feedback.signal('undone');
    return r;
  }

  dismiss(): void {
    this.#cameraGate.dismissed();
    this.#clearTimer();
    this.#view = null;
    this.#returnAt = null;
  }

  /**
   * `codeMadeAt`: a rotating code accepted within the leeway only, made then (the verdict says
   * so). `fromBoundDevice`: a rotating code under a certificate in force (admission.ts).
   */
  async #ticket(ctx: ScanContext, ticket: Ticket, code: string, idChecked: boolean, t0: number, codeMadeAt: number | null = null, fromBoundDevice = false): Promise<void> {
    const { event, scans, admitter } = this.#d;
    const index = event.index!;
    const orderTickets = ticket.orderId ? index.orderTickets(ticket.orderId) : [];
    const before = scans.ofOrder(ticket.orderId, orderTickets.length ? orderTickets.map((t) => t.id) : [ticket.id]);
    // "Checking online" only when it is: offline, the decision is made at once, and
    // rendering the indicator only to remove it again would cost the verdict's frame.
    this.#checking = admitter.asksServer;
    let d: Decision;
    try { d = await admitter.admit(ctx, ticket, code, idChecked, fromBoundDevice); } finally { this.#checking = false; }
    const { verdict } = d;
    this.#show({
      key: d.scan.id, kind: 'ticket', code, outcome: verdict.outcome, offline: verdict.offline,
      tone: toneOf(verdict.outcome, verdict.offline), reason: shownReason(verdict.reason, verdict.firstScan !== null),
      ticket, order: ticket.orderId ? index.order(ticket.orderId) : null,
      orderTickets: orderTickets.length ? orderTickets : [ticket], items: [],
      firstScan: verdict.firstScan, history: before.filter((s) => s.id !== d.scan.id),
      needsDecision: verdict.outcome === 'needs_id_check', codeMadeAt, fromBoundDevice,
    }, t0);
  }

  #order(ctx: ScanContext, orderId: OrderId, code: string, t0: number): void {
    const { event, scans, clock } = this.#d;
    const tickets = event.index!.orderTickets(orderId);
    if (tickets.length === 0) {
      return this.#refuse(ctx, code, 'unknown', { kind: 'order_not_on_phone' }, t0, orderId);
    }
    // An order code is static: where the event demands the phone the tickets are bound to,
    // the rule refuses each ticket alike, so the order is refused at once with its reason.
    const probe = decideAdmission(tickets[0], ctx.checkpoint, [], clock.now(), {
      direction: ctx.direction, idChecked: false, offline: true, verifiedDeviceOnly: ctx.verifiedDeviceOnly ?? false,
    });
    if (probe.reason.kind === 'verified_device') return this.#refuse(ctx, code, probe.outcome, probe.reason, t0, orderId);
    const items = orderItems(tickets, ctx.checkpoint, ctx.direction, (id) => scans.ofTicket(id), clock.now());
    this.#show({
      key: newId('o'), kind: 'order', code, outcome: null, offline: false, tone: 'order', reason: null,
      ticket: null, order: event.index!.order(orderId), orderTickets: tickets, items, firstScan: null,
      history: scans.ofOrder(orderId, tickets.map((t) => t.id)),
      needsDecision: items.some((i) => i.remaining),
    }, t0);
  }

  async #admitItems(ctx: ScanContext, v: VerdictView, tickets: Ticket[], idChecked: boolean): Promise<void> {
    if (tickets.length === 0 || this.#busy) return;
    const t0 = performance.now();
    this.#busy = true;
    this.#checking = this.#d.admitter.asksServer;
    let decisions: Decision[];
    try {
      // In parallel, each its own scan: the server decides each first-scan-wins on its own.
      decisions = await Promise.all(tickets.map((t) => this.#d.admitter.admit(ctx, t, v.code, idChecked)));
    } finally {
      this.#checking = false;
      this.#busy = false;
    }
    const byTicket = new Map(decisions.map((d) => [d.verdict.ticketId ?? d.scan.ticketId, d]));
    const items: ItemView[] = v.items.map((i) => {
      const d = byTicket.get(i.ticket.id);
      return d ? { ...i, outcome: d.verdict.outcome, offline: d.verdict.offline, at: d.scan.at, remaining: d.verdict.outcome === 'needs_id_check' } : i;
    });
    const admitted = decisions.filter((d) => isAdmitting(d.verdict.outcome));
    const outcome: Outcome = admitted.length ? admitted[0].verdict.outcome : decisions[0].verdict.outcome;
    const offline = (admitted.length ? admitted : decisions).some((d) => d.verdict.offline);
    this.#show({
      ...v, key: newId('o'), outcome, offline, tone: toneOf(outcome, offline), items,
      needsDecision: items.some((i) => i.outcome === 'needs_id_check' && i.remaining),
    }, t0);
  }

  #refuse(ctx: ScanContext, code: string, outcome: Outcome, reason: Reason, t0: number, orderId: OrderId | null = null): void {
    const d = this.#d.admitter.refuse(ctx, code, outcome, reason, orderId);
    this.#show({
      key: d.scan.id, kind: 'refusal', code, outcome, offline: true, tone: toneOf(outcome, true),
      reason: shownReason(reason, false), ticket: null, order: null, orderTickets: [], items: [], firstScan: null, history: [],
      needsDecision: false,
    }, t0);
  }

  /** `t0`: when the code came in, for the verdict's measures; null for what is no verdict (an undo). */
  #show(view: VerdictView, t0: number | null): void {
    this.#clearTimer();
    this.#view = view;
    // Render now rather than at the end of the task: the verdict makes the next frame.
    flushSync();
    const rendered = performance.now();
    if (t0 !== null) measureVerdictRendered(t0, rendered);
    afterNextPaint((frameStart) => {
      // Measured first, so the figures never include the feedback's own cost.
      if (t0 !== null) measureVerdictPainted(t0, rendered, frameStart, { outcome: view.outcome, offline: view.offline });
      // Sound and vibration start as the frame with the verdict is painted, not before it:
      // navigator.vibrate alone costs half a millisecond.
      this.#d.feedback.signal(view.tone);
    });
    this.#armReturn(view);
  }

  /** Back to the camera after the inspector's setting, unless the view waits for a decision. */
  #armReturn(view: VerdictView): void {
    this.#clearTimer();
    const wait = this.#d.autoReturnMs();
    this.#returnAt = view.needsDecision ? null : performance.now() + wait;
    if (!view.needsDecision) {
      this.#timer = setTimeout(() => { if (this.#view?.key === view.key) this.dismiss(); }, wait);
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** A genuine code for a ticket sold after this phone's last sync: decide on what it says. */
/** The header's certificate revocation list as a set: a few ids (a ticket moved to another phone), so made per scan. */
const revokedCertificates = (header: ManifestHeader): ReadonlySet<string> => new Set(header.revokedCertificates ?? []);

function ticketFromCode(r: DecodedTicket): Ticket {
  return {
    id: r.ticketId, eventId: r.eventId, orderId: r.orderId, type: r.ticketType, holderName: null, seat: null,
    kind: 'event', eTicket: true, status: 'paid', validFrom: r.validFrom, validUntil: r.validUntil,
    idCheck: false, importedCode: null,
  };
}

/**
 * The reason, when it says more than the outcome's own text and the first-scan line (the
 * verdict screen words it in the inspector's language: i18n.reason).
 */
function shownReason(reason: Reason, firstScanShown: boolean): Reason | null {
  if (reason.kind === 'outcome' || (reason.kind === 'already_used' && firstScanShown)) return null;
  return reason;
}
