// What the verdict screen shows, built from a decision and what the phone knows: pure
// functions, so the screen component only lays it out.
import { arbitrate, decideAdmission } from '@gatekeeper/shared/admission';
import { isAnnulment } from '@gatekeeper/shared/annul';
import type { Checkpoint, Direction, Scan, ScanSummary, Ticket } from '@gatekeeper/shared/domain';
import type { ManifestOrder as Order } from '@gatekeeper/shared/manifest';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import type { Reason } from '@gatekeeper/shared/reasons';
import type { MessageKey } from '../i18n/en.ts';

/** The colour, sound and vibration class of a verdict; `undone`: an admission just undone here. */
export type Tone = 'admit' | 'admit-offline' | 'exit' | 'used' | 'check' | 'deny' | 'order' | 'undone';

export function toneOf(outcome: Outcome, offline: boolean): Tone {
  switch (outcome) {
    case 'valid': return offline ? 'admit-offline' : 'admit';
    case 'exit': return 'exit';
    case 'already_used':
    case 'conflict': return 'used';
    case 'needs_id_check': return 'check';
    default: return 'deny';
  }
}

/** One ticket of an order on the order screen: its state here, and whether it may still go in. */
export interface ItemView {
  ticket: Ticket;
  /** This visit's verdict for the item, else the outcome of its latest known scan. */
  outcome: Outcome | null;
  offline: boolean;
  at: number | null;
  /** Would be admitted (or asks for an ID check) if scanned now. */
  remaining: boolean;
}

export interface VerdictView {
  /** Changes with every verdict shown (the scan id, or the order view's own id). */
  key: string;
  kind: 'ticket' | 'order' | 'refusal';
  code: string;
  /** null: an order code waiting for the inspector's decision. */
  outcome: Outcome | null;
  offline: boolean;
  tone: Tone;
  /** Why, when it says more than the outcome's own text; worded by i18n.reason. */
  reason: Reason | null;
  ticket: Ticket | null;
  order: Order | null;
  /** Every ticket of the order (for the grouped summary). */
  orderTickets: Ticket[];
  /** Order codes: the items and their states. */
  items: ItemView[];
  firstScan: ScanSummary | null;
  /** Earlier scans of the order or any of its items, oldest first. */
  history: Scan[];
  /** Stays up until the inspector acts: an ID check, an order with items left, an Undo to confirm. */
  needsDecision: boolean;
  /** A rotating code older than the previous step, accepted within the leeway: when it was made (epoch ms). */
  codeMadeAt?: number | null;
  /** The code was a rotating one under a certificate in force: an ID-checked re-scan says so too. */
  fromBoundDevice?: boolean;
  /**
   * Undo of this verdict's admission (the scan `key` named when it was shown): asked for
   * and waiting for the confirming tap, done (with the annulment), or refused (why).
   */
  undo?: UndoView;
}

export type UndoView =
  | { state: 'confirm'; scanId: string }
  | { state: 'done'; scanId: string; annulment: Scan }
  | { state: 'refused'; scanId: string; reason: string };

export interface TicketGroup { when: number | null; types: string }

/** "Adult, Child ×2, Senior": types in the order first seen, counted. */
export function typeSummary(tickets: readonly Ticket[]): string {
  const counts = new Map<string, number>();
  for (const t of tickets) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => (n > 1 ? `${type} \u00d7${n}` : type)).join(', ');
}

/** An order's tickets grouped by start time (the ticket's own, else the event's). */
export function groupTickets(tickets: readonly Ticket[], eventStart: number | null): TicketGroup[] {
  const groups = new Map<number | null, Ticket[]>();
  for (const t of tickets) {
    const when = t.validFrom ?? eventStart;
    const list = groups.get(when);
    if (list) list.push(t); else groups.set(when, [t]);
  }
  return [...groups].sort(([a], [b]) => (a ?? 0) - (b ?? 0)).map(([when, list]) => ({ when, types: typeSummary(list) }));
}

/** The items of an order as they stand now, at this checkpoint and direction. */
export function orderItems(
  tickets: readonly Ticket[], checkpoint: Checkpoint, direction: Direction, scansOf: (ticketId: string) => readonly Scan[], now: number,
): ItemView[] {
  return tickets.map((ticket) => {
    const scans = scansOf(ticket.id);
    // An undone admission and its annulment count for nothing: the item is as if never
    // scanned (the annulment's own outcome would read UNKNOWN CODE).
    const undone = new Set(arbitrate(scans).annulments.map((a) => a.annulled.id as string));
    const counted = scans.filter((s) => !isAnnulment(s) && !undone.has(s.id));
    const last = counted.length ? counted.reduce((a, b) => (b.hlc > a.hlc ? b : a)) : null;
    const preview = decideAdmission(ticket, checkpoint, scans, now, { direction, idChecked: false, offline: true });
    return {
      ticket,
      outcome: last?.outcome ?? null,
      offline: last?.offline ?? false,
      at: last?.at ?? null,
      remaining: isAdmitting(preview.outcome) || preview.outcome === 'needs_id_check',
    };
  });
}

/** How a refused Undo is worded (undo.ts: the shared rule's reasons, or nobody signed in). */
export function undoRefusalKey(reason: string): MessageKey {
  if (reason === 'outside_window') return 'undoTooLate';
  if (reason === 'already_annulled') return 'undoAlready';
  if (reason === 'later_admission') return 'undoLaterFirst';
  return 'undoNotHere';
}
