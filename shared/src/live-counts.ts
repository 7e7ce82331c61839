// A supervisor's view of the live counters: the snapshot the server answered, with each
// delta laid over it in cursor order. Pure, so the console and the tests fold the same way.
import type { LiveDelta, LiveSnapshot } from './protocol/live.ts';

/**
 * Replace the listed rows of `rows` by key, keeping the others; rows at 0 are dropped. In
 * key order, as the server's snapshot lists them (string order; a minute's key sorts by
 * checkpoint, then by its fixed-width time).
 */
function merge<R>(rows: readonly R[], changed: readonly R[], key: (r: R) => string, zero: (r: R) => boolean): R[] {
  if (changed.length === 0) return [...rows];
  const byKey = new Map(rows.map((r) => [key(r), r]));
  for (const r of changed) {
    if (zero(r)) byKey.delete(key(r)); else byKey.set(key(r), r);
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * The view after `delta`. One below the view's cursor is stale and changes nothing; one at
 * it (tickets sold changed, no scan) is applied: its values are new values, not increments.
 */
export function applyLiveDelta(view: LiveSnapshot, delta: LiveDelta): LiveSnapshot {
  if (delta.eventId !== view.eventId || delta.cursor < view.cursor) return view;
  return {
    eventId: view.eventId,
    cursor: delta.cursor,
    ticketsSold: delta.ticketsSold ?? view.ticketsSold,
    admitted: delta.admitted ?? view.admitted,
    quarantined: delta.quarantined ?? view.quarantined,
    checkpoints: merge(view.checkpoints, delta.checkpoints, (r) => r.checkpointId, (r) => r.admitted === 0),
    zones: merge(view.zones, delta.zones, (r) => r.zone, (r) => r.inside === 0),
    minutes: merge(view.minutes, delta.minutes, (r) => `${r.checkpointId}\u0000${r.minute}`, (r) => r.entries === 0),
    outcomes: merge(view.outcomes, delta.outcomes, (r) => r.outcome, (r) => r.count === 0),
  };
}
