// Why a verdict is what it is, as data: the kind of reason and its times, checkpoint and
// zone. The rule (admission.ts) states the facts; each reader words them. The scanner
// says them in the inspector's language and the event's time zone (scanner-pwa i18n);
// supervisors, the HTTP API and the logs get one English rendering, `explainVerdict`
// below. Until protocol 5 the verdict carried only that English sentence, with UTC times,
// and the Dutch app showed it as it came; until protocol 8 a refused code's reason was the
// codec's English sentence (`note`), now it is the problem as data (codec/problems.ts).
import { z } from 'zod';
import { explainCodeProblem, zCodeProblem, type CodeProblem } from './codec/problems.ts';
import { zRuleMode } from './vocabulary.ts';
import { zId, type CheckpointId } from './ids.ts';
import { OUTCOME_TEXT, type Outcome } from './outcomes.ts';
import { valuesOf, type ValueOf } from './enum-values.ts';

export const ReasonKind = {
  /** Nothing to say beyond the outcome itself (valid, revoked, needs_id_check, …). */
  outcome: 'outcome',
  /** An earlier admission of the ticket in the same scope: when, where, in which zone. */
  already_used: 'already_used',
  /** The checkpoint does not take this ticket type. */
  wrong_type: 'wrong_type',
  /** Before the ticket's or the checkpoint's window opens. */
  valid_from: 'valid_from',
  /** After the ticket's or the checkpoint's window has closed. */
  valid_until: 'valid_until',
  /** The code was refused as it was read (forged, damaged, another event, unknown key). */
  code: 'code',
  /** The code reads, but does not lead to the ticket the scan names (server only). */
  unresolved: 'unresolved',
  /** An order code whose tickets this phone does not hold (phones only, never sent). */
  order_not_on_phone: 'order_not_on_phone',
  /**
   * The performance admits only the live code of the phone the ticket is bound to (measure
   * "verified device only"), and this code is another (paper, PDF, screenshot, typed id).
   * Since protocol 15; older clients get the outcome alone (verdictForVersion).
   */
  verified_device: 'verified_device',
} as const;
export type ReasonKind = ValueOf<typeof ReasonKind>;

/** How the server failed to get from a readable code to the scan's ticket. */
export const UnresolvedCause = {
  /** A plain (imported) barcode that no ticket of the event has. */
  no_such_code: 'no_such_code',
  /** A signed code naming a ticket the event does not have. */
  no_such_ticket: 'no_such_ticket',
  /** A signed ticket code of another ticket than the scan names. */
  other_ticket: 'other_ticket',
  /** A signed order code of an order the scan's ticket is not part of. */
  not_in_order: 'not_in_order',
} as const;
export type UnresolvedCause = ValueOf<typeof UnresolvedCause>;
export const UNRESOLVED_CAUSES = valuesOf(UnresolvedCause);

const time = z.number().int();

export const zReason = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(ReasonKind.outcome) }),
  z.object({
    kind: z.literal(ReasonKind.already_used),
    /** When the admission that stands was made (epoch ms; the scanner shows it in the event's zone). */
    at: time,
    checkpointId: zId<CheckpointId>(),
    /** At the very checkpoint that scanned now. */
    here: z.boolean(),
    /** The zone and rule of the scope that is used up (entry_exit: the holder is inside). */
    zone: z.string().min(1).max(64),
    mode: zRuleMode,
  }),
  z.object({ kind: z.literal(ReasonKind.wrong_type), ticketType: z.string().min(1).max(64), checkpointId: zId<CheckpointId>() }),
  z.object({ kind: z.literal(ReasonKind.valid_from), from: time }),
  z.object({ kind: z.literal(ReasonKind.valid_until), until: time }),
  z.object({
    kind: z.literal(ReasonKind.code),
    /** What the codec found (which key, which character), worded by each reader. */
    problem: zCodeProblem,
    /** Its English rendering, sent only to clients below protocol 8, which require it. */
    note: z.string().max(300).optional(),
  }),
  z.object({ kind: z.literal(ReasonKind.unresolved), cause: z.enum(UNRESOLVED_CAUSES) }),
  z.object({ kind: z.literal(ReasonKind.order_not_on_phone) }),
  z.object({ kind: z.literal(ReasonKind.verified_device) }),
]);
export type Reason = z.infer<typeof zReason>;
export type ReasonOf<K extends ReasonKind> = Extract<Reason, { kind: K }>;

export const NO_REASON: Reason = { kind: ReasonKind.outcome };

/** A refused code's reason. */
export const codeReason = (problem: CodeProblem): Reason => ({ kind: ReasonKind.code, problem });

/** The reason as a client below protocol 8 reads it: a refused code's with its English `note`. */
export const reasonWithNote = (r: Reason): Reason =>
  (r.kind === ReasonKind.code ? { ...r, note: explainCodeProblem(r.problem).slice(0, 300) } : r);

/** "2025-06-14 19:00 UTC": the English rendering has no event time zone to hand. */
export const utcTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

const UNRESOLVED_TEXT: Record<UnresolvedCause, string> = {
  no_such_code: 'No ticket of this event has this code.',
  no_such_ticket: 'The code names no ticket of this event.',
  other_ticket: 'The code is for another ticket than the scan names.',
  not_in_order: 'The ticket is not part of the scanned order.',
};

export interface ExplainOptions {
  /** A checkpoint's name for people; without it, "checkpoint <id>". */
  checkpointName?: (id: CheckpointId) => string | undefined;
}

/**
 * The one English rendering of a verdict's reason, for supervisors (HTTP), logs and
 * protocol 4 clients. Times in UTC. The scanner words reasons itself (i18n).
 */
export function explainVerdict(v: { outcome: Outcome; reason: Reason }, opts: ExplainOptions = {}): string {
  const name = (id: CheckpointId) => opts.checkpointName?.(id) ?? `checkpoint ${id}`;
  const r = v.reason;
  switch (r.kind) {
    case 'outcome': return OUTCOME_TEXT[v.outcome];
    case 'already_used':
      return r.here ? `Already scanned here at ${utcTime(r.at)}.` : `Already scanned at ${name(r.checkpointId)} at ${utcTime(r.at)}.`;
    case 'wrong_type': return `Ticket type ${r.ticketType} is not valid at ${name(r.checkpointId)}.`;
    case 'valid_from': return `Not valid before ${utcTime(r.from)}.`;
    case 'valid_until': return `Valid until ${utcTime(r.until)}.`;
    case 'code': return `${OUTCOME_TEXT[v.outcome]} (${explainCodeProblem(r.problem)})`.slice(0, 500);
    case 'unresolved': return `${OUTCOME_TEXT[v.outcome]} (${UNRESOLVED_TEXT[r.cause]})`;
    case 'order_not_on_phone': return 'No ticket of this order is on this phone: sync, then scan again.';
    case 'verified_device': return 'This performance admits only the live ticket in the holder\u2019s wallet, on the phone they confirmed: send the holder to the wallet (the link in their order mail).';
  }
}

/** The verdict with its English explanation filled in: for HTTP answers and old clients. */
export const withExplanation = <V extends { outcome: Outcome; reason: Reason; explanation?: string }>(v: V, opts?: ExplainOptions): V =>
  ({ ...v, explanation: explainVerdict(v, opts) });
