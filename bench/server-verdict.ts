// server.verdict.p99: how long a scanner waits for an online verdict when the whole event
// scans at 1,000 per second across 200 scanners. Open loop (support/open-loop.ts):
// scans go out on schedule whatever the answers do. Latency is from the moment a scan is
// handed to the socket until its verdict arrives.
//
// Three servers, each a child process, fed the same messages by the same load generator
// in alternating repetitions:
// - the baseline, a group-commit durable echo: raw `ws` + raw better-sqlite3, the scans
//   that arrive during one fsync committed in one transaction, then echoed; the floor
//   under any server that answers only once a scan is on disk (issue 8);
// - a bare raw `ws` echo: the transport's share, kept in the notes;
// - ours.
// The load generator is split over SHARDS processes (support/verdict-shard.ts says why),
// each with its slice of the scanners and of the rate.
import { loadBetween, type Child, type Load, type LoadSnapshot } from './support/child.ts';
import { register, type Identity } from './support/scanners.ts';
import { startServerProcess } from './support/server-process.ts';
import { fmt, median, ratioRow } from './support/stats.ts';
import { describeRuns, medianP99 } from './support/verdict-runs.ts';
import { allTickets, TicketPool } from './support/tickets.ts';
import { startVerdictShard, type ShardResult, type ShardRun, type ShardTarget } from './support/verdict-shard.ts';
import { startWsBaseline } from './support/ws-baseline-process.ts';
import type { Bench } from './types.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** Production durability unless GK_BENCH_SYNC=NORMAL asks for a diagnostic run without an
 *  fsync per commit (to see how much of the tail the fsync is); the notes say which. */
const SYNCHRONOUS: 'FULL' | 'NORMAL' = process.env.GK_BENCH_SYNC === 'NORMAL' ? 'NORMAL' : 'FULL';
const SCANNERS = 200;
const SHARDS = 4;
const RATE = 1_000;
const WARMUP_MS = 1_000;
const MEASURE_MS = 10_000;
const REPS = 3;
const TICKETS = 35_000;
const DRAIN_MS = 10_000;

type Side = 'echo' | 'durable' | 'ours';
const SIDES: Side[] = ['echo', 'durable', 'ours'];

interface Run {
  latencies: number[];
  rate: number;
  maxLagMs: number;
  unanswered: number;
  errors: number;
  bytesOut: number;
  server: Load;
  /** The load generator's shards together: CPU summed, loop use averaged, delay the worst. */
  client: Load;
}

/** Every shard offers RATE / SHARDS of its tickets to `side`; the server's and the shards' load meanwhile. */
async function measure(side: Side, server: Child<unknown>, shards: Array<Child<unknown>>, pool: TicketPool): Promise<Run> {
  const perShard = Math.ceil(((RATE / SHARDS) * (WARMUP_MS + MEASURE_MS)) / 1000) + 1;
  const runs: ShardRun[] = shards.map(() => ({
    target: side, rate: RATE / SHARDS, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, drainMs: DRAIN_MS,
    tickets: Array.from({ length: perShard }, () => pool.take()),
  }));
  const snapshot = () => Promise.all([server.call<LoadSnapshot>('load'), ...shards.map((s) => s.call<LoadSnapshot>('load'))]);
  // The shards' warm-up is part of this window: the loads below cover it too.
  const before = await snapshot();
  const t0 = performance.now();
  const results = await Promise.all(shards.map((s, i) => s.call<ShardResult>('run', runs[i])));
  const wall = performance.now() - t0;
  const after = await snapshot();
  const loads = after.map((a, i) => loadBetween(before[i]!, a, wall));
  const clients = loads.slice(1);
  return {
    latencies: results.flatMap((r) => r.latencies),
    rate: results.reduce((n, r) => n + r.rate, 0),
    maxLagMs: Math.max(...results.map((r) => r.maxLagMs)),
    unanswered: results.reduce((n, r) => n + r.unanswered, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    bytesOut: median(results.map((r) => r.bytesOut)),
    server: loads[0]!,
    client: {
      cpu: clients.reduce((n, l) => n + l.cpu, 0),
      elu: clients.reduce((n, l) => n + l.elu, 0) / clients.length,
      delay: { p99: Math.max(...clients.map((l) => l.delay.p99)), max: Math.max(...clients.map((l) => l.delay.max)) },
    },
  };
}

/** Scanner i goes to shard i % SHARDS, so each shard's scanners alternate between the logins. */
const slice = (identities: Identity[], shard: number) => identities.filter((_, i) => i % SHARDS === shard);

export const run: Bench = async () => {
  const children: Array<Child<unknown>> = [];
  const results: Record<Side, Run[]> = { echo: [], durable: [], ours: [] };
  try {
    const echo = await startWsBaseline('echo');
    children.push(echo);
    const durable = await startWsBaseline('group-echo');
    children.push(durable);
    const ours = await startServerProcess({ demoTickets: TICKETS, synchronous: SYNCHRONOUS });
    children.push(ours);
    const servers: Record<Side, Child<{ url: string }>> = { echo, durable, ours };
    const identities: Record<Side, Identity[]> = {
      echo: await register(echo.info.url, SCANNERS, { baseline: true }),
      durable: await register(durable.info.url, SCANNERS, { baseline: true }),
      ours: await register(ours.info.url, SCANNERS),
    };
    const shards: Array<Child<unknown>> = [];
    for (let k = 0; k < SHARDS; k++) {
      const targets: Record<string, ShardTarget> = {};
      for (const side of SIDES) {
        targets[side] = { url: servers[side].info.url, identities: slice(identities[side], k), hello: side === 'ours', answerType: side === 'ours' ? 'verdict' : 'scan' };
      }
      const shard = await startVerdictShard(targets);
      children.push(shard);
      shards.push(shard);
    }
    const pools: Record<Side, TicketPool> = { echo: new TicketPool(allTickets(TICKETS)), durable: new TicketPool(allTickets(TICKETS)), ours: new TicketPool(allTickets(TICKETS)) };
    for (let r = 0; r < REPS; r++) {
      for (const side of SIDES) {
        results[side].push(await measure(side, servers[side], shards, pools[side]));
        await sleep(200);
      }
    }
  } finally {
    // Shards first: they hold sockets to the servers.
    for (const c of children.slice(3).reverse()) await c.close();
    await Promise.all(children.slice(0, 3).map((c) => c.close()));
  }

  const [echoP99, durableP99, oursP99] = [medianP99(results.echo), medianP99(results.durable), medianP99(results.ours)];
  const notes = [
    describeRuns('ours', results.ours),
    describeRuns('echo', results.echo),
    describeRuns('group-commit echo', results.durable),
    `baseline = group-commit echo: raw ws + raw better-sqlite3, the scans that arrive during one WAL fsync committed in one transaction (synchronous=NORMAL + an explicit fsync, as ours), then echoed; no reads, no decision, no gossip: p99 ${fmt(durableP99)} ms. Bare raw ws echo p99 ${fmt(echoP99)} ms (ours ${fmt(oursP99 / echoP99)} × it)`,
    `${SCANNERS} scanners round-robin over ${SHARDS} load-generator processes, open loop, ${REPS} alternating repetitions of ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured; scan message ~${Math.round(results.ours[0]?.bytesOut ?? 0)} B, echoed as is by the baselines`,
    'ours also gossips every stored scan to all 200 sockets, compressed (deflate-raw binary frames, asked for in the hello as the app does); the load generator drops those frames unread',
    `server durability: ${SYNCHRONOUS}${SYNCHRONOUS === 'FULL' ? ' (production: the WAL fsynced before each answer)' : ' (diagnostic run, GK_BENCH_SYNC: no fsync)'}`,
  ].join('; ');
  return [ratioRow({
    id: 'server.verdict.p99', value: oursP99, unit: 'ms',
    baseline: 'group-commit durable echo p99 (raw ws + raw better-sqlite3), same load and messages', baselineValue: durableP99,
    target: 'ratio <= 2', meets: (r) => r <= 2, notes,
  })];
};
