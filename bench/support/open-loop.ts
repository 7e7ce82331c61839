// An open-loop sender: messages go out at a fixed rate whatever the answers do, so a slow
// server shows up as latency instead of quietly lowering the load (coordinated omission).
import { setTimeout as sleep } from 'node:timers/promises';

export interface OpenLoopResult {
  sent: number;
  /** Achieved send rate over the whole run, per second. */
  rate: number;
  /** Largest delay of a send behind its schedule, ms: a busy load generator shows here. */
  maxLagMs: number;
}

/**
 * Call `sendOne(k)` for k = 0, 1, 2, … at `perSecond`, for `durationMs`. Timers fire at
 * most every millisecond or so, so each wake-up sends every message that has come due.
 */
export async function openLoop(perSecond: number, durationMs: number, sendOne: (k: number) => void): Promise<OpenLoopResult> {
  const t0 = performance.now();
  const total = Math.floor((perSecond * durationMs) / 1000);
  let sent = 0;
  let maxLagMs = 0;
  while (sent < total) {
    const now = performance.now();
    if (now - t0 > durationMs * 2 + 5_000) break; // bounded even if timers starve
    const due = Math.min(total, Math.floor(((now - t0) * perSecond) / 1000) + 1);
    while (sent < due) {
      maxLagMs = Math.max(maxLagMs, now - (t0 + (sent * 1000) / perSecond));
      sendOne(sent++);
    }
    await sleep(1);
  }
  const elapsed = performance.now() - t0;
  return { sent, rate: sent / (elapsed / 1000), maxLagMs };
}
