// What the console's Live section shows, from the counters (a LiveSnapshot with every delta
// folded in) and the event's checkpoints: pure, so the tests check the figures a supervisor
// reads and the screen only lays them out.
import type { Checkpoint } from '@gatekeeper/shared/domain';
import type { CheckpointId } from '@gatekeeper/shared/ids';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import type { LiveSnapshot } from '@gatekeeper/shared/protocol/live';

/** How many minutes the entries chart spans, up to the current one. */
export const CHART_MINUTES = 30;
/** A gate refusing this share of its scans or more is flagged (with enough scans to mean it). */
export const REFUSAL_ALARM_SHARE = 0.2;
export const REFUSAL_ALARM_MIN_SCANS = 20;
const MINUTE = 60_000;

export interface CheckpointLine { id: CheckpointId; name: string; admitted: number }
/** `names`: the entry/exit checkpoints of the zone, as people call the place. */
export interface ZoneLine { zone: string; names: string[]; inside: number }
export interface OutcomeLine { outcome: Outcome; count: number; share: number }
export interface OutcomeMix {
  /** Scans counted (quarantined ones and annulments left out). */
  total: number;
  refused: number;
  refusedShare: number;
  /** Refusals by reason, the most frequent first. */
  refusals: OutcomeLine[];
  /** Refusing so much of what it scans that a supervisor should look. */
  alarm: boolean;
}

export interface LiveFigures {
  admitted: number;
  sold: number;
  /** admitted / sold, 0 when nothing is sold. */
  share: number;
  quarantined: number;
  checkpoints: CheckpointLine[];
  zones: ZoneLine[];
  mix: OutcomeMix;
}

/**
 * Every checkpoint of the event (at 0 when none entered there), in the manifest's order,
 * then any the counters name that the manifest does not (a checkpoint added since it was
 * downloaded); the zones of entry/exit checkpoints likewise.
 */
export function liveFigures(view: LiveSnapshot, checkpoints: readonly Checkpoint[]): LiveFigures {
  const admittedAt = new Map(view.checkpoints.map((c) => [c.checkpointId as string, c.admitted]));
  const lines: CheckpointLine[] = checkpoints.map((c) => ({ id: c.id, name: c.name, admitted: admittedAt.get(c.id) ?? 0 }));
  const known = new Set<string>(checkpoints.map((c) => c.id));
  for (const c of view.checkpoints) if (!known.has(c.checkpointId)) lines.push({ id: c.checkpointId, name: c.checkpointId, admitted: c.admitted });

  const insideOf = new Map(view.zones.map((z) => [z.zone, z.inside]));
  const zoneNames = [...new Set(checkpoints.filter((c) => c.mode === 'entry_exit').map((c) => c.zone))];
  for (const z of view.zones) if (!zoneNames.includes(z.zone)) zoneNames.push(z.zone);

  return {
    admitted: view.admitted,
    sold: view.ticketsSold,
    share: view.ticketsSold > 0 ? view.admitted / view.ticketsSold : 0,
    quarantined: view.quarantined,
    checkpoints: lines,
    zones: zoneNames.map((zone) => ({
      zone, names: checkpoints.filter((c) => c.mode === 'entry_exit' && c.zone === zone).map((c) => c.name), inside: insideOf.get(zone) ?? 0,
    })),
    mix: outcomeMix(view.outcomes),
  };
}

/** Refusals are every outcome after which nobody went through (an ID still to check included). */
export function outcomeMix(outcomes: LiveSnapshot['outcomes']): OutcomeMix {
  const total = outcomes.reduce((n, o) => n + o.count, 0);
  const refusals = outcomes.filter((o) => !isAdmitting(o.outcome) && o.count > 0)
    .map((o) => ({ outcome: o.outcome, count: o.count, share: total > 0 ? o.count / total : 0 }))
    .sort((a, b) => b.count - a.count || (a.outcome < b.outcome ? -1 : 1));
  const refused = refusals.reduce((n, o) => n + o.count, 0);
  const refusedShare = total > 0 ? refused / total : 0;
  return { total, refused, refusedShare, refusals, alarm: total >= REFUSAL_ALARM_MIN_SCANS && refusedShare >= REFUSAL_ALARM_SHARE };
}

export interface MinuteSeries {
  /** The first second of each minute shown, oldest first (uPlot's x values are seconds). */
  xs: number[];
  /** Entries per minute at each checkpoint, aligned with `xs`. */
  series: Array<{ id: CheckpointId; name: string; values: number[] }>;
  /** The most entries any checkpoint had in one minute of the span. */
  peak: number;
}

/**
 * Entries per minute per checkpoint over the `span` minutes up to the one holding `now`,
 * a minute without entries at 0. Checkpoints in the order of `lines`, those with no entries
 * in the span left out (a chart of flat lines tells nothing).
 */
export function minuteSeries(minutes: LiveSnapshot['minutes'], lines: readonly CheckpointLine[], now: number, span = CHART_MINUTES): MinuteSeries {
  const last = Math.floor(now / MINUTE) * MINUTE;
  const first = last - (span - 1) * MINUTE;
  const xs = Array.from({ length: span }, (_, i) => (first + i * MINUTE) / 1000);
  const byCheckpoint = new Map<string, number[]>();
  let peak = 0;
  for (const m of minutes) {
    if (m.minute < first || m.minute > last) continue;
    let values = byCheckpoint.get(m.checkpointId);
    if (!values) { values = new Array<number>(span).fill(0); byCheckpoint.set(m.checkpointId, values); }
    values[(m.minute - first) / MINUTE] = m.entries;
    peak = Math.max(peak, m.entries);
  }
  const named = new Map(lines.map((l) => [l.id as string, l.name]));
  const order = [...lines.map((l) => l.id as string), ...[...byCheckpoint.keys()].filter((id) => !named.has(id))];
  const series = order.filter((id) => byCheckpoint.has(id))
    .map((id) => ({ id: id as CheckpointId, name: named.get(id) ?? id, values: byCheckpoint.get(id)! }));
  return { xs, series, peak };
}
