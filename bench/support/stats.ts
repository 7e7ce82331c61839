// Small statistics for benchmark rows: this machine is shared and noisy, so rows report
// medians over repetitions and percentiles over samples, with the spread beside them.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchResult } from '../types.ts';

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** A number for a note: three significant figures, no exponent for everyday sizes. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return String(Math.round(n));
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** "median 12.3 (min 11.0, max 14.2, n=3)" */
export function spread(samples: readonly number[], unit = ''): string {
  if (samples.length === 0) return 'no samples';
  const u = unit ? ` ${unit}` : '';
  return `median ${fmt(median(samples))}${u} (min ${fmt(Math.min(...samples))}, max ${fmt(Math.max(...samples))}, n=${samples.length})`;
}

/** "p50 1.2 / p90 2.0 / p99 4.1 / max 9.0 ms over 10000 samples" */
export function latencySummary(samples: readonly number[], unit = 'ms'): string {
  return `p50 ${fmt(percentile(samples, 50))} / p90 ${fmt(percentile(samples, 90))} / p99 ${fmt(percentile(samples, 99))} / max ${fmt(percentile(samples, 100))} ${unit} over ${samples.length} samples`;
}

/** A row with a baseline: ratio = value / baseline, met decided by `meets(ratio)`. */
export function ratioRow(r: {
  id: string; value: number; unit: string; baseline: string; baselineValue: number; target: string;
  meets(ratio: number): boolean; notes: string;
}): BenchResult {
  const ratio = r.baselineValue > 0 && Number.isFinite(r.value) ? r.value / r.baselineValue : Number.NaN;
  return {
    id: r.id, value: round(r.value), unit: r.unit, baseline: r.baseline, baselineValue: round(r.baselineValue),
    ratio: Number.isFinite(ratio) ? round(ratio) : null, target: r.target, met: Number.isFinite(ratio) && r.meets(ratio), notes: r.notes,
  };
}

/** A row with an absolute target. */
export function absoluteRow(r: { id: string; value: number; unit: string; target: string; met: boolean; notes: string }): BenchResult {
  return { id: r.id, value: round(r.value), unit: r.unit, baseline: null, baselineValue: null, ratio: null, target: r.target, met: r.met, notes: r.notes };
}

const round = (n: number): number => (Number.isFinite(n) ? Number(n.toPrecision(4)) : n);

/** Resolve when `done()` holds, checking every `everyMs`; false if `timeoutMs` passes first. */
export async function until(done: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
