// The admission rule and the arbitration, in one place, pure. The scanner runs them
// offline, the server runs them online inside its transaction. pretix keeps four copies
// of its rule with comments begging to update them all; we keep one.
//
// Both are the same fold: order the scans every node agrees on (HLC, then device, then
// scan id), replay them through `scopeDecision`, and see who got in first.
import { isAnnulment } from './scan-kind.ts';
import type { Checkpoint, Conflict, Direction, RuleMode, Scan, Ticket, Verdict } from './domain.ts';
import { ConflictKind, summarise } from './domain.ts';
import { isAdmitting, Outcome } from './outcomes.ts';
import { NO_REASON, type Reason } from './reasons.ts';
import { counts } from './quarantine.ts';

/** The scope an admission consumes; scans in different scopes never compete. */
export function scopeKey(mode: RuleMode, zone: string): string | null {
  switch (mode) {
    case 'once_per_event': return 'event';
    case 'once_per_zone': return `zone:${zone}`;
    case 'entry_exit': return `io:${zone}`;
    case 'unlimited': return null;
  }
}

/** What the agreed order reads of a scan. */
export type ScanOrderKey = Pick<Scan, 'hlc' | 'deviceId' | 'id'>;

/** Total order on scans that every node computes the same way. */
export function compareScans(a: ScanOrderKey, b: ScanOrderKey): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** What a scope has seen so far: the first entry and the last admitting scan. */
interface ScopeState { first: Scan | null; last: Scan | null }

/**
 * The heart of the rule: given what a scope has admitted so far, does a scan in
 * `direction` admit? Returns the outcome and, when refused, the scan that got in first.
 * Exits are never refused: nobody is held inside a venue by a scanner.
 */
function scopeDecision(mode: RuleMode, state: ScopeState, direction: Direction): { outcome: Outcome; first: Scan | null } {
  if (direction === 'exit') return { outcome: Outcome.exit, first: null };
  if (mode === 'unlimited') return { outcome: Outcome.valid, first: null };
  if (mode === 'entry_exit') {
    // Inside already (last admitting scan was an entry): a second entry is a pass-back.
    return state.last?.direction === 'entry'
      ? { outcome: Outcome.already_used, first: state.last }
      : { outcome: Outcome.valid, first: null };
  }
  return state.first ? { outcome: Outcome.already_used, first: state.first } : { outcome: Outcome.valid, first: null };
}

export interface Replay {
  /** Scans whose admission stands, in order. */
  admitted: Scan[];
  /** Admissions that lost: each with the scan that got in first. */
  conflicts: Array<{ scope: string; winner: Scan; loser: Scan }>;
  /** Refusals that an annulment made needless: the annulled admission, the refusal, the annulment. */
  refusedAnnulled: Array<{ scope: string; annulled: Scan; refused: Scan; annulment: Scan }>;
  /** Admissions annulled, each with the annulment that counts (the first in the agreed order). */
  annulments: Array<{ annulled: Scan; annulment: Scan }>;
  states: Map<string, ScopeState>;
}

/**
 * Which admissions are annulled, from the whole set (so it does not matter whether the
 * annulment or the admission was heard first): an annulment counts when it is not
 * quarantined, names a scan of the same set that is a counting admission (not itself an
 * annulment), and sorts after it (an undo comes after what it undoes; a forged annulment
 * stamped earlier cancels nothing). Of several, the first in the agreed order counts.
 * `unique` is in that order, one copy per id.
 */
export type AnnulFacts = ScanOrderKey & Pick<Scan, 'outcome' | 'kind' | 'annuls'>;

export function annulledBy<S extends AnnulFacts>(unique: readonly S[], quarantined: ReadonlySet<string>): Map<string, S> {
  const byId = new Map(unique.map((s) => [s.id as string, s]));
  const out = new Map<string, S>();
  for (const a of unique) {
    if (!isAnnulment(a) || a.annuls === undefined || quarantined.has(a.id)) continue;
    const t = byId.get(a.annuls);
    if (!t || isAnnulment(t) || quarantined.has(t.id) || !isAdmitting(t.outcome) || compareScans(t, a) >= 0) continue;
    if (!out.has(t.id)) out.set(t.id, a);
  }
  return out;
}

/**
 * Replay one ticket's scans in the agreed order. Only scans whose shown verdict admitted
 * count; an admission that finds its scope already used is a conflict (it happened, it is
 * never undone, both inspectors are told). An annulled admission is skipped as if it had
 * not happened (annul.ts); a refusal that it caused is reported instead.
 */
function replay(scans: readonly Scan[]): Replay {
  const sorted = [...scans].sort(compareScans);
  const states = new Map<string, ScopeState>();
  const admitted: Scan[] = [];
  const conflicts: Replay['conflicts'] = [];
  const refusedAnnulled: Replay['refusedAnnulled'] = [];
  const annulments: Replay['annulments'] = [];
  // By id: a node holding both its own copy of a scan and the server's quarantined one
  // skips both, whichever sorts first.
  const quarantined = new Set(scans.filter((s) => !counts(s)).map((s) => s.id as string));
  const seen = new Set<string>();
  // The same scan heard twice (gossip and upload) counts once.
  const unique = sorted.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
  const annulled = annulledBy(unique, quarantined);
  /** The last annulled entry per scope so far: what a later refusal in it was about. */
  const lastAnnulled = new Map<string, Scan>();
  for (const scan of unique) {
    // Quarantined (implausible: a checkpoint that does not exist, a stamp from 1970): kept
    // as evidence, never the first admission of anything, or one phone could make every
    // genuine ticket "already used". Annulments consume no scope themselves.
    if (quarantined.has(scan.id) || isAnnulment(scan)) continue;
    const key = scopeKey(scan.mode, scan.zone);
    if (!isAdmitting(scan.outcome)) {
      // Refused as already used, where the scope is free once annulled admissions are left
      // out: the refusal was about an admission that no longer counts.
      const before = key === null ? undefined : lastAnnulled.get(key);
      if (key !== null && before && scan.outcome === Outcome.already_used && scan.direction === 'entry'
        && scopeDecision(scan.mode, states.get(key) ?? { first: null, last: null }, 'entry').outcome === Outcome.valid) {
        refusedAnnulled.push({ scope: key, annulled: before, refused: scan, annulment: annulled.get(before.id)! });
      }
      continue;
    }
    const annulment = annulled.get(scan.id);
    if (annulment) {
      annulments.push({ annulled: scan, annulment });
      if (key !== null && scan.direction === 'entry') lastAnnulled.set(key, scan);
      continue;
    }
    if (key === null) { admitted.push(scan); continue; }
    const state = states.get(key) ?? { first: null, last: null };
    const d = scopeDecision(scan.mode, state, scan.direction);
    if (d.outcome === Outcome.already_used && d.first) {
      conflicts.push({ scope: key, winner: d.first, loser: scan });
      continue;
    }
    admitted.push(scan);
    states.set(key, {
      first: state.first ?? (scan.direction === 'entry' ? scan : null),
      last: scan,
    });
  }
  return { admitted, conflicts, refusedAnnulled, annulments, states };
}

export interface Arbitration {
  admitted: Scan[];
  /** Double admissions, and refusals an annulment made needless (kind refused_annulled). */
  conflicts: Conflict[];
  /** Annulled admissions, each with the annulment that counts, by the annulled scan's id. */
  annulments: Array<{ annulled: Scan; annulment: Scan }>;
}

/**
 * Deterministic arbitration over a set of scans (any tickets, any arrival order, any
 * duplicates): every node holding the same set gets the same admitted scans and conflicts.
 */
export function arbitrate(scans: readonly Scan[]): Arbitration {
  const byTicket = new Map<string, Scan[]>();
  for (const s of scans) {
    if (s.ticketId === null) continue;
    const k = `${s.eventId}\u0000${s.ticketId}`;
    const list = byTicket.get(k);
    if (list) list.push(s); else byTicket.set(k, [s]);
  }
  const admitted: Scan[] = [];
  const conflicts: Conflict[] = [];
  const annulments: Arbitration['annulments'] = [];
  for (const list of byTicket.values()) {
    const r = replay(list);
    admitted.push(...r.admitted);
    annulments.push(...r.annulments);
    for (const c of r.conflicts) {
      conflicts.push({ eventId: c.loser.eventId, ticketId: c.loser.ticketId!, scope: c.scope, winner: summarise(c.winner), loser: summarise(c.loser) });
    }
    for (const c of r.refusedAnnulled) {
      conflicts.push({
        eventId: c.refused.eventId, ticketId: c.refused.ticketId!, scope: c.scope, winner: summarise(c.annulled),
        loser: summarise(c.refused), kind: ConflictKind.refused_annulled, annulment: summarise(c.annulment),
      });
    }
  }
  admitted.sort(compareScans);
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  conflicts.sort((a, b) => byId(a.loser.scanId, b.loser.scanId));
  annulments.sort((a, b) => byId(a.annulled.id, b.annulled.id));
  return { admitted, conflicts, annulments };
}

/**
 * Whether annulling `target` would make a double admission: leaving it out of its ticket's
 * scans (an annulled admission counts as never made) turns a later admission that stands
 * into a conflict. Only an exit in an entry-exit zone does that (entry, exit, entry again:
 * without the exit the second entry is a pass-back); undoing an entry, or either side of a
 * double admission, never does. `ticketScans` may hold other tickets' scans and the target.
 */
export function annulmentWouldDoubleAdmit(target: Scan, ticketScans: readonly Scan[]): boolean {
  const others = ticketScans.filter((s) => s.id !== target.id && s.ticketId === target.ticketId && s.eventId === target.eventId);
  const losers = new Set(replay([...others, target]).conflicts.map((c) => c.loser.id as string));
  return replay(others).conflicts.some((c) => !losers.has(c.loser.id));
}

export interface AdmissionRequest {
  direction: Direction;
  /** The inspector has checked the holder's ID (answering an earlier needs_id_check). */
  idChecked: boolean;
  offline: boolean;
  /**
   * The event's measure "verified device only" (issue 11, measure 4; the manifest's
   * `verifiedDeviceOnly`, the server's event_measures): only a code from the phone the ticket
   * is bound to admits. Absent: off.
   */
  verifiedDeviceOnly?: boolean;
  /**
   * The code is a rotating one under a device certificate in force (codec/rotating.ts: both
   * signatures checked, not revoked). Such a certificate is made only for a phone that has
   * done every verification step the performance asks (sync-server/src/wallet/may-bind.ts),
   * and switching a step on revokes the ones made before. Absent: any other code (a signed
   * ticket or order code, an imported barcode, a typed ticket id).
   */
  fromBoundDevice?: boolean;
}

function verdict(outcome: Outcome, req: AdmissionRequest, ticket: Ticket | null, reason: Reason = NO_REASON, first: Scan | null = null): Verdict {
  return {
    outcome,
    offline: req.offline,
    ticketId: ticket?.id ?? null,
    firstScan: first ? summarise(first) : null,
    reason,
  };
}

/**
 * Decide one scan of `ticket` at `checkpoint`, given every earlier scan of the ticket
 * this node knows (any order; duplicates and other tickets' scans are ignored).
 * `ticket` null: the code named no ticket of this event. The verdict says why as data
 * (reasons.ts): the scanner words it in the inspector's language and the event's zone.
 */
export function decideAdmission(
  ticket: Ticket | null,
  checkpoint: Checkpoint,
  priorScans: readonly Scan[],
  now: number,
  req: AdmissionRequest,
): Verdict {
  if (!ticket || ticket.eventId !== checkpoint.eventId) return verdict(Outcome.unknown, req, null);
  // Exits are recorded for any ticket of the event, before its status: people are never
  // held inside, and an exit refused as "blocked" would leave an entry_exit zone believing
  // the holder is still inside, so re-entry after an unblock would be refused as pass-back.
  if (req.direction === 'exit') return verdict(Outcome.exit, req, ticket);
  if (ticket.status === 'revoked') return verdict(Outcome.revoked, req, ticket);
  if (ticket.status === 'canceled') return verdict(Outcome.canceled, req, ticket);
  if (ticket.status === 'blocked') return verdict(Outcome.blocked, req, ticket);
  if (ticket.status === 'unpaid') return verdict(Outcome.unpaid, req, ticket);
  // Before "already used" and the windows: a static code at such a performance is never the
  // way in, and the inspector's next step is the same whatever else is true (the wallet).
  // Outcome expired_code: an app that does not know the reason says "ask the holder to
  // refresh it", which is the right thing to ask.
  if (req.verifiedDeviceOnly && !req.fromBoundDevice) return verdict(Outcome.expired_code, req, ticket, { kind: 'verified_device' });

  const own = priorScans.filter((s) => s.ticketId === ticket.id && s.eventId === ticket.eventId);
  const key = scopeKey(checkpoint.mode, checkpoint.zone);
  const state = key === null ? { first: null, last: null } : (replay(own).states.get(key) ?? { first: null, last: null });

  if (checkpoint.allowedTypes && !checkpoint.allowedTypes.includes(ticket.type)) {
    return verdict(Outcome.wrong_checkpoint, req, ticket, { kind: 'wrong_type', ticketType: ticket.type, checkpointId: checkpoint.id });
  }
  const from = Math.max(ticket.validFrom ?? -Infinity, checkpoint.validFrom ?? -Infinity);
  const until = Math.min(ticket.validUntil ?? Infinity, checkpoint.validUntil ?? Infinity);
  if (now < from) return verdict(Outcome.not_yet_valid, req, ticket, { kind: 'valid_from', from });
  if (now > until) return verdict(Outcome.no_longer_valid, req, ticket, { kind: 'valid_until', until });

  const d = scopeDecision(checkpoint.mode, state, req.direction);
  if (d.outcome === Outcome.already_used && d.first) {
    const reason: Reason = {
      kind: 'already_used', at: d.first.at, checkpointId: d.first.checkpointId, here: d.first.checkpointId === checkpoint.id,
      zone: checkpoint.zone, mode: checkpoint.mode,
    };
    return verdict(Outcome.already_used, req, ticket, reason, d.first);
  }
  if (ticket.idCheck && !req.idChecked) return verdict(Outcome.needs_id_check, req, ticket);
  return verdict(d.outcome, req, ticket);
}
