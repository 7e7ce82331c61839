// One event's live counters for supervisors: entries per checkpoint and per minute, tickets
// admitted, people inside each entry/exit zone, the outcome mix, quarantined scans. Kept in
// memory while a supervisor watches and updated from each batch of stored scans, so a
// delta costs nothing to read.
//
// What a ticket adds to the counters is a function of its own counting scans (admissions,
// exits and annulments, quarantined ones left out: they count nowhere, as in arbitration):
// its share. A batch takes each touched ticket's share out, adds the new scans, and puts the
// new share in. That keeps an annulment, or an exit uploaded after a later entry, exact
// without replaying the event: which admissions are annulled is the shared rule's
// (annulledBy), and "inside" is the last movement in the agreed order (compareScans), not
// the last one heard. A ticket's list is short (a few movements), so recomputing it is cheap;
// the ticket's earlier scans come from storage with the batch (Live), not from memory.
//
// The counters start from storage's tally (storage liveTally, migration 10), which counts as
// the shares would if nothing were annulled; the few tickets with an annulment are then
// corrected by the difference between their share and that share without annulments.
import { annulledBy, compareScans, type AnnulFacts } from '@gatekeeper/shared/admission';
import { isAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import type { CheckpointId, EventId } from '@gatekeeper/shared/ids';
import { isAdmitting, Outcome } from '@gatekeeper/shared/outcomes';
import type { LiveDelta, LiveSnapshot, QuarantineEntry } from '@gatekeeper/shared/protocol/index';
import { counts } from '@gatekeeper/shared/quarantine';
import type { LiveTally, StoredScan } from '../storage/types.ts';

/** A ticket's counting scan, as little of it as the share needs. */
interface Move extends AnnulFacts {
  checkpointId: CheckpointId;
  zone: string;
  /** Made at an entry/exit checkpoint: it moves the holder in or out of its zone. */
  io: boolean;
  direction: Scan['direction'];
  minute: number;
}

/** What one ticket adds to the counters. */
interface Share { entries: Move[]; inside: string[] }

const NO_SHARE: Share = { entries: [], inside: [] };
const NOTHING_QUARANTINED: ReadonlySet<string> = new Set();
const MINUTE_MS = 60_000;
const minuteKey = (cp: string, minute: number) => `${cp}\u0000${minute}`;

const isEntry = (m: Move): boolean => m.direction === 'entry' && m.outcome === Outcome.valid;

function shareOf(moves: readonly Move[]): Share {
  if (moves.length === 0) return NO_SHARE;
  const sorted = [...moves].sort(compareScans);
  const annulled = moves.some(isAnnulment) ? annulledBy(sorted, NOTHING_QUARANTINED) : null;
  const entries: Move[] = [];
  const inZone = new Map<string, boolean>();
  for (const m of sorted) {
    if (isAnnulment(m) || annulled?.has(m.id)) continue;
    if (isEntry(m)) entries.push(m);
    if (m.io) inZone.set(m.zone, m.direction === 'entry');
  }
  return { entries, inside: [...inZone].filter(([, inside]) => inside).map(([zone]) => zone) };
}

/** A scan that moves its ticket's share (an admission, an exit or an annulment that counts), as a move. */
function moveOf(s: Scan): Move | null {
  if (!counts(s) || s.ticketId === null || (!isAnnulment(s) && !isAdmitting(s.outcome))) return null;
  return {
    id: s.id, hlc: s.hlc, deviceId: s.deviceId, outcome: s.outcome,
    ...(s.kind === undefined ? {} : { kind: s.kind }), ...(s.annuls === undefined ? {} : { annuls: s.annuls }),
    checkpointId: s.checkpointId, zone: s.zone, io: s.mode === 'entry_exit',
    direction: s.direction, minute: Math.floor(s.at / MINUTE_MS) * MINUTE_MS,
  };
}

/** Each ticket's moves among these scans. */
function movesByTicket(scans: readonly StoredScan[]): Map<string, Move[]> {
  const out = new Map<string, Move[]>();
  for (const { scan } of scans) {
    const move = moveOf(scan);
    if (!move) continue;
    const list = out.get(scan.ticketId!);
    if (list) list.push(move); else out.set(scan.ticketId!, [move]);
  }
  return out;
}

/** Which counters a batch touched: their new values go in the delta. */
export interface Changes {
  checkpoints: Set<string>;
  minutes: Set<string>;
  zones: Set<string>;
  outcomes: Set<Outcome>;
  admitted: boolean;
  quarantine: QuarantineEntry[];
}

const noChanges = (): Changes => ({ checkpoints: new Set(), minutes: new Set(), zones: new Set(), outcomes: new Set(), admitted: false, quarantine: [] });

export class LiveCounters {
  /** Every scan up to this sequence number is counted. */
  cursor = 0;
  readonly #checkpoints = new Map<string, number>();
  readonly #minutes = new Map<string, { checkpointId: CheckpointId; minute: number; entries: number }>();
  readonly #zones = new Map<string, number>();
  readonly #outcomes = new Map<Outcome, number>();
  #admitted = 0;
  #quarantined = 0;

  /** The counters as of the tally's cursor: its counts, less what annulled admissions added. */
  static fromTally(tally: LiveTally): LiveCounters {
    const c = new LiveCounters();
    c.cursor = tally.cursor;
    c.#admitted = tally.admitted;
    c.#quarantined = tally.quarantined;
    for (const { outcome, count } of tally.outcomes) c.#outcomes.set(outcome, count);
    for (const { zone, inside } of tally.zones) c.#zones.set(zone, inside);
    for (const m of tally.minutes) {
      c.#minutes.set(minuteKey(m.checkpointId, m.minute), { ...m });
      c.#checkpoints.set(m.checkpointId, (c.#checkpoints.get(m.checkpointId) ?? 0) + m.entries);
    }
    const changes = noChanges();
    for (const moves of movesByTicket(tally.annulled).values()) {
      c.#add(shareOf(moves.filter((m) => !isAnnulment(m))), -1, changes);
      c.#add(shareOf(moves), 1, changes);
    }
    return c;
  }

  /**
   * Count a batch of stored scans. `prior`: every scan of the batch's tickets counted
   * already (stored up to `cursor`). A scan at or below the cursor is counted already and
   * skipped, so a batch that overlaps the tally counts once.
   */
  apply(batch: readonly StoredScan[], prior: readonly StoredScan[]): Changes {
    const changes = noChanges();
    const fresh = batch.filter((s) => s.seq > this.cursor);
    for (const { seq, receivedAt, scan } of fresh) {
      this.cursor = Math.max(this.cursor, seq);
      if (!counts(scan)) {
        this.#quarantined++;
        changes.quarantine.push({ seq, receivedAt, reason: scan.quarantine!, scan });
        continue;
      }
      if (!isAnnulment(scan)) {
        this.#outcomes.set(scan.outcome, (this.#outcomes.get(scan.outcome) ?? 0) + 1);
        changes.outcomes.add(scan.outcome);
      }
    }
    const before = movesByTicket(prior);
    for (const [ticket, added] of movesByTicket(fresh)) {
      const old = before.get(ticket) ?? [];
      this.#add(shareOf(old), -1, changes);
      this.#add(shareOf([...old, ...added]), 1, changes);
    }
    return changes;
  }

  #add(share: Share, sign: 1 | -1, changes: Changes): void {
    if (share.entries.length > 0) {
      this.#admitted += sign;
      changes.admitted = true;
    }
    for (const m of share.entries) {
      this.#checkpoints.set(m.checkpointId, (this.#checkpoints.get(m.checkpointId) ?? 0) + sign);
      changes.checkpoints.add(m.checkpointId);
      const key = minuteKey(m.checkpointId, m.minute);
      const bucket = this.#minutes.get(key) ?? { checkpointId: m.checkpointId, minute: m.minute, entries: 0 };
      bucket.entries += sign;
      this.#minutes.set(key, bucket);
      changes.minutes.add(key);
    }
    for (const zone of share.inside) {
      this.#zones.set(zone, (this.#zones.get(zone) ?? 0) + sign);
      changes.zones.add(zone);
    }
  }

  snapshot(eventId: EventId, ticketsSold: number): LiveSnapshot {
    const byKey = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      eventId, cursor: this.cursor, ticketsSold, admitted: this.#admitted, quarantined: this.#quarantined,
      checkpoints: byKey(this.#checkpoints).filter(([, n]) => n > 0).map(([id, admitted]) => ({ checkpointId: id as CheckpointId, admitted })),
      zones: byKey(this.#zones).filter(([, n]) => n > 0).map(([zone, inside]) => ({ zone, inside })),
      minutes: byKey(this.#minutes).filter(([, b]) => b.entries > 0).map(([, b]) => ({ ...b })),
      outcomes: byKey(this.#outcomes).filter(([, n]) => n > 0).map(([outcome, count]) => ({ outcome: outcome as Outcome, count })),
    };
  }

  /** The new values of what `changes` touched. */
  delta(eventId: EventId, changes: Changes): LiveDelta {
    return {
      eventId, cursor: this.cursor,
      ...(changes.admitted ? { admitted: this.#admitted } : {}),
      ...(changes.quarantine.length ? { quarantined: this.#quarantined } : {}),
      checkpoints: [...changes.checkpoints].map((id) => ({ checkpointId: id as CheckpointId, admitted: this.#checkpoints.get(id) ?? 0 })),
      zones: [...changes.zones].map((zone) => ({ zone, inside: this.#zones.get(zone) ?? 0 })),
      minutes: [...changes.minutes].map((key) => {
        const b = this.#minutes.get(key)!;
        return { checkpointId: b.checkpointId, minute: b.minute, entries: b.entries };
      }),
      outcomes: [...changes.outcomes].map((outcome) => ({ outcome, count: this.#outcomes.get(outcome) ?? 0 })),
      quarantine: changes.quarantine,
    };
  }
}
