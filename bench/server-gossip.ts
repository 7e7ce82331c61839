// server.gossip.p99: how long after a scan is sent until all 500 other scanners of the
// event have heard of it, at 50 scans/s from one scanner. Measured from the submitting
// scanner's send to the last listener's receipt (nothing subtracted), so it includes the
// decision and the commit; the verdict's own latency is in the notes. The baseline is a
// raw `ws` server that broadcasts each message it gets to every other client, fed a
// message shaped and sized like our gossip, read by the same listeners the same way.
import { inflateRawSync } from 'node:zlib';
import type { Scan } from '@gatekeeper/shared/domain';
import type { TicketId } from '@gatekeeper/shared/ids';
import type { Child } from './support/child.ts';
import { openLoop } from './support/open-loop.ts';
import { measuredWindow, pairedRuns, type Side } from './support/paired.ts';
import { messageType, scanRequest, send, type Fleet } from './support/scanners.ts';
import { fmt, latencySummary, median, percentile, ratioRow, spread, until } from './support/stats.ts';
import type { TicketPool } from './support/tickets.ts';
import type { Bench } from './types.ts';

const LISTENERS = 500;
const RATE = 50;
const WARMUP_MS = 1_000;
const MEASURE_MS = 7_000;
const REPS = 3;
const TICKETS = 3_000;
const DRAIN_MS = 10_000;

interface Run { latencies: number[]; verdicts: number[]; rate: number; incomplete: number; server: { cpu: number; elu: number }; client: { cpu: number } }

/**
 * One repetition: the submitter is scanner 0, the listeners the rest. Listeners parse
 * each `scans` frame (as a phone must) and count, per scan id, how many have heard it.
 */
async function measure(side: Side, child: Child<{ url: string }>, fleet: Fleet, pool: TicketPool): Promise<Run> {
  const baseline = side === 'baseline';
  const [submitter] = fleet.scanners;
  const sent = new Map<string, { at: number; heard: number; measured: boolean }>();
  const latencies: number[] = [];
  const verdicts: number[] = [];
  let complete = 0;
  let measured = false;
  let cursor = 0;
  fleet.onMessage = (s, data, isBinary) => {
    const type = messageType(data, isBinary);
    if (s.index === 0) {
      if (type === 'verdict') {
        const id = (JSON.parse(data.toString()) as { scanId: string }).scanId;
        const e = sent.get(id);
        if (e?.measured) verdicts.push(performance.now() - e.at);
      }
      return;
    }
    if (type !== 'scans') return;
    const msg = JSON.parse((isBinary ? inflateRawSync(data) : data).toString()) as { scans: Scan[] };
    for (const scan of msg.scans) {
      const e = sent.get(scan.id);
      if (!e) continue;
      if (++e.heard === LISTENERS) {
        complete++;
        if (e.measured) latencies.push(performance.now() - e.at);
      }
    }
  };
  const sendOne = () => {
    const req = scanRequest(submitter!, pool.take() as TicketId);
    const text = baseline
      // What our listeners receive for one scan: the same shape, the same size.
      ? JSON.stringify({ type: 'scans', scans: [{ ...req, outcome: 'valid', offline: false }], cursor: ++cursor, more: false })
      : JSON.stringify({ type: 'scan', scan: req });
    sent.set(req.id, { at: performance.now(), heard: 0, measured });
    send(submitter!.ws, text);
  };
  await openLoop(RATE, WARMUP_MS, sendOne);
  measured = true;
  const { result: load, server, client } = await measuredWindow(child, () => openLoop(RATE, MEASURE_MS, sendOne));
  measured = false;
  await until(() => complete === sent.size, DRAIN_MS);
  return { latencies, verdicts, rate: load.rate, incomplete: sent.size - complete, server, client };
}

export const run: Bench = async () => {
  const { base, ours } = await pairedRuns({ baseline: 'broadcast', server: { demoTickets: TICKETS }, sockets: LISTENERS + 1, reps: REPS, measure });

  const p99s = ours.map((r) => percentile(r.latencies, 99));
  const baseP99s = base.map((r) => percentile(r.latencies, 99));
  const describe = (name: string, runs: Run[]) => {
    const all = runs.flatMap((r) => r.latencies);
    const incomplete = runs.reduce((n, r) => n + r.incomplete, 0);
    return `${name}: p99 per repetition ${spread(runs.map((r) => percentile(r.latencies, 99)), 'ms')}; pooled ${latencySummary(all)}; ` +
      `offered ${fmt(median(runs.map((r) => r.rate)))}/s, server CPU ${fmt(median(runs.map((r) => r.server.cpu)) * 100)}%, load generator CPU ${fmt(median(runs.map((r) => r.client.cpu)) * 100)}%` +
      (incomplete ? `, ${incomplete} scans not heard by every listener` : '');
  };
  const verdicts = ours.flatMap((r) => r.verdicts);
  const notes = [
    describe('ours', ours),
    describe('broadcast', base),
    `ours: submitter's verdict ${latencySummary(verdicts)}`,
    `measured from the submitter's send to the ${LISTENERS}th listener's receipt (decision + commit included, nothing subtracted); ${REPS}×${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up each; all sockets in one load-generator process, which reads the ${LISTENERS} copies one after another in both cases`,
  ].join('; ');
  return [ratioRow({
    id: 'server.gossip.p99', value: median(p99s), unit: 'ms',
    baseline: `raw ws broadcast to ${LISTENERS} clients, p99, same rate and size`, baselineValue: median(baseP99s),
    target: 'ratio <= 1.5', meets: (r) => r <= 1.5, notes,
  })];
};
