// What the online-verdict benchmarks (server.verdict.p99 and its loginFlood variant) say
// about a set of repetitions, written once for both.
import type { Load } from './child.ts';
import { fmt, latencySummary, median, percentile, spread } from './stats.ts';

export interface VerdictRun {
  /** ms from a scan handed to the socket to its verdict. */
  latencies: number[];
  /** Scans offered per second. */
  rate: number;
  unanswered: number;
  errors: number;
  server: Load;
  /** The most a scheduled send was late, when the load generator reports it. */
  maxLagMs?: number;
  /** The load generator's own load, when it is measured. */
  client?: Load;
}

/** The median over repetitions of each repetition's p99. */
export const medianP99 = (runs: readonly VerdictRun[]): number => median(runs.map((r) => percentile(r.latencies, 99)));

/** One note line: latency spread, the offered rate, and the server's (and generator's) load. */
export function describeRuns(name: string, runs: readonly VerdictRun[]): string {
  const m = (f: (r: VerdictRun) => number) => fmt(median(runs.map(f)));
  const unanswered = runs.reduce((n, r) => n + r.unanswered, 0);
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  const lags = runs.flatMap((r) => (r.maxLagMs === undefined ? [] : [r.maxLagMs]));
  const clients = runs.flatMap((r) => (r.client ? [r.client] : []));
  const client = (f: (l: Load) => number) => fmt(median(clients.map(f)));
  return `${name}: p99 per repetition ${spread(runs.map((r) => percentile(r.latencies, 99)), 'ms')}; pooled ${latencySummary(runs.flatMap((r) => r.latencies))}; ` +
    `offered ${m((r) => r.rate)}/s` + (lags.length ? ` (send lag max ${fmt(Math.max(...lags))} ms)` : '') + ', ' +
    `server CPU ${m((r) => r.server.cpu * 100)}% (${m((r) => (r.server.cpu * 1000) / r.rate)} ms per scan) / loop ${m((r) => r.server.elu * 100)}% busy` +
    (clients.length ? `, load generator CPU ${client((l) => l.cpu * 100)}%` : '') + '; ' +
    `event-loop delay p99/max: server ${m((r) => r.server.delay.p99)}/${m((r) => r.server.delay.max)} ms` +
    (clients.length ? `, load generator (worst shard) ${client((l) => l.delay.p99)}/${client((l) => l.delay.max)} ms` : '') +
    (unanswered ? `, ${unanswered} unanswered` : '') + (errors ? `, ${errors} errors` : '');
}
