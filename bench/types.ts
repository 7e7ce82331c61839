// One benchmark result row, as written to bench/results.json and printed as a table.
export interface BenchResult {
  id: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run; null when the target is absolute. */
  baseline: string | null;
  baselineValue: number | null;
  /** value / baselineValue, or null without a baseline. */
  ratio: number | null;
  /** The target as text, e.g. "ratio >= 0.5" or "<= 2000 ms". */
  target: string;
  /** Whether this run met the target. Reported, never asserted in the test suite. */
  met: boolean;
  /** Anything a reader needs to judge the figure: sample counts, spread, load. */
  notes?: string;
}

/** A bench module: runs its measurements and returns rows. */
export type Bench = () => Promise<BenchResult[]>;
