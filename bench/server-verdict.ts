// server.verdict.p99: how long a scanner waits for an online verdict when the whole event
// scans at 1,000 per second across 200 scanners. Open loop (support/open-loop.ts):
// scans go out on schedule whatever the answers do. Latency is from the moment a scan is
// handed to the socket until its verdict arrives. The baseline is a raw `ws` echo server
// (a child process too) fed the same messages by the same client: the transport's share.
import type { TicketId } from '@gatekeeper/shared/ids';
import type { Child } from './support/child.ts';
import { openLoop } from './support/open-loop.ts';
import { measuredWindow, pairedRuns, type Side } from './support/paired.ts';
import { messageType, scanRequest, send, type Fleet } from './support/scanners.ts';
import { fmt, latencySummary, median, percentile, ratioRow, spread, until } from './support/stats.ts';
import type { TicketPool } from './support/tickets.ts';
import type { Bench } from './types.ts';

/** Production durability unless GK_BENCH_SYNC=NORMAL asks for a diagnostic run without an
 *  fsync per commit (to see how much of the tail the fsync is); the notes say which. */
const SYNCHRONOUS: 'FULL' | 'NORMAL' = process.env.GK_BENCH_SYNC === 'NORMAL' ? 'NORMAL' : 'FULL';
const SCANNERS = 200;
const RATE = 1_000;
const WARMUP_MS = 1_000;
const MEASURE_MS = 10_000;
const REPS = 3;
const TICKETS = 35_000;
const DRAIN_MS = 10_000;

interface Run {
  latencies: number[];
  rate: number;
  maxLagMs: number;
  unanswered: number;
  errors: number;
  bytesOut: number;
  server: { cpu: number; elu: number };
  client: { cpu: number; elu: number };
}

/** Offer RATE scans/s for WARMUP_MS + MEASURE_MS; latencies of the measured part only. */
async function measure(side: Side, child: Child<{ url: string }>, fleet: Fleet, pool: TicketPool): Promise<Run> {
  const answerType = side === 'baseline' ? 'scan' : 'verdict';
  // Per socket, answers come back in the order the scans went out (the hub handles one
  // socket's messages in turn; an echo is in order by TCP), so a queue of send times
  // pairs each answer with its scan without parsing it.
  const sentAt: Array<Array<{ at: number; measured: boolean }>> = fleet.scanners.map(() => []);
  const latencies: number[] = [];
  let outstanding = 0;
  let errors = 0;
  let bytesOut = 0;
  let measured = false;
  fleet.onMessage = (s, data) => {
    const type = messageType(data);
    if (type !== answerType && type !== 'error') return;
    const sent = sentAt[s.index]!.shift();
    if (!sent) return;
    outstanding--;
    if (type === 'error') errors++;
    if (sent.measured) latencies.push(performance.now() - sent.at);
  };
  const sendOne = (k: number) => {
    const s = fleet.scanners[k % SCANNERS]!;
    const text = JSON.stringify({ type: 'scan', scan: scanRequest(s, pool.take() as TicketId) });
    bytesOut += text.length;
    sentAt[s.index]!.push({ at: performance.now(), measured });
    outstanding++;
    send(s.ws, text);
  };
  await openLoop(RATE, WARMUP_MS, sendOne);
  measured = true;
  bytesOut = 0;
  const { result: load, server, client } = await measuredWindow(child, () => openLoop(RATE, MEASURE_MS, (k) => sendOne(k + RATE)));
  measured = false;
  await until(() => outstanding === 0, DRAIN_MS);
  return { latencies, rate: load.rate, maxLagMs: load.maxLagMs, unanswered: outstanding, errors, bytesOut: bytesOut / load.sent, server, client };
}

export const run: Bench = async () => {
  const { base, ours } = await pairedRuns({ baseline: 'echo', server: { demoTickets: TICKETS, synchronous: SYNCHRONOUS }, sockets: SCANNERS, reps: REPS, measure });

  const p99s = ours.map((r) => percentile(r.latencies, 99));
  const baseP99s = base.map((r) => percentile(r.latencies, 99));
  const describe = (name: string, runs: Run[]) => {
    const m = (f: (r: Run) => number) => fmt(median(runs.map(f)));
    const unanswered = runs.reduce((n, r) => n + r.unanswered, 0);
    const errors = runs.reduce((n, r) => n + r.errors, 0);
    return `${name}: p99 per repetition ${spread(runs.map((r) => percentile(r.latencies, 99)), 'ms')}; pooled ${latencySummary(runs.flatMap((r) => r.latencies))}; ` +
      `offered ${m((r) => r.rate)}/s (send lag max ${fmt(Math.max(...runs.map((r) => r.maxLagMs)))} ms), ` +
      `server CPU ${m((r) => r.server.cpu * 100)}% (${m((r) => (r.server.cpu * 1000) / r.rate)} ms per scan) / loop ${m((r) => r.server.elu * 100)}% busy, load generator CPU ${m((r) => r.client.cpu * 100)}%` +
      (unanswered ? `, ${unanswered} unanswered` : '') + (errors ? `, ${errors} errors` : '');
  };
  const notes = [
    describe('ours', ours),
    describe('echo', base),
    `${SCANNERS} scanners round-robin, open loop, ${REPS} alternating repetitions of ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured; scan message ~${Math.round(ours[0]?.bytesOut ?? 0)} B, echoed as is by the baseline`,
    'ours also gossips every stored scan to all 200 sockets (the load generator drops those frames unparsed)',
    `server durability: ${SYNCHRONOUS}${SYNCHRONOUS === 'FULL' ? ' (production: the WAL fsynced before each answer)' : ' (diagnostic run, GK_BENCH_SYNC: no fsync)'}`,
  ].join('; ');
  return [ratioRow({
    id: 'server.verdict.p99', value: median(p99s), unit: 'ms',
    baseline: 'raw ws echo server p99, same load and messages', baselineValue: median(baseP99s),
    target: 'ratio <= 2', meets: (r) => r <= 2, notes,
  })];
};
