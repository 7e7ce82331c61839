// server.verdict.p99.loginFlood: does a login flood slow the gates? Online verdict p99 at
// 200 scans/s (50 scanners, open loop) while 200 wrong logins per second arrive, against
// the same without the flood, same server, alternating repetitions.
//
// The flood is the worst case for the server: every login comes from a different
// loopback address (127.0.0.0/8 is all loopback on Linux) for an unknown username, so no
// per-address or per-account limit stops it before the hash gate; the gate hashes what it
// can (one at a time on two cores) and answers the rest 503 busy. Before issue 8 every
// one of them was hashed on libuv's pool, where the WAL fsync waited behind them.
//
// The attacker's own CPU is not the server's to pay: the flood runs in a process of its
// own, in a session of its own, so where the kernel shares the CPU by session
// (autogroups) it takes its share from the machine like any other program instead of
// from the group that the server and the scan generator share. In that group at nice 0
// it took a third of the group's CPU whenever the machine was busy, and the server's
// loop got less CPU with the flood than without (bench/README.md). It still costs the
// server what a remote attacker would: the connections, the answers, the hashing.
// GK_BENCH_FLOOD_SESSION=shared and GK_BENCH_FLOOD_NICE=<n> put it back for comparison.
import { HASHING_NICE } from '../sync-server/src/auth/scrypt-threads.ts';
import { ticksToMs, type ThreadStat } from '../tests/support/threads.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadBetween, type Child, type Load, type LoadSnapshot } from './support/child.ts';
import { startLoginFlood, type FloodResult } from './support/login-flood-process.ts';
import { register } from './support/scanners.ts';
import { startServerProcess } from './support/server-process.ts';
import { fmt, median, ratioRow } from './support/stats.ts';
import { describeRuns, medianP99 } from './support/verdict-runs.ts';
import { allTickets, TicketPool } from './support/tickets.ts';
import { startVerdictShard, type ShardResult, type ShardRun } from './support/verdict-shard.ts';
import type { Bench } from './types.ts';

const SCANNERS = 50;
const RATE = 200;
const LOGINS_PER_S = 200;
const WARMUP_MS = 1_000;
const MEASURE_MS = 10_000;
const DRAIN_MS = 10_000;
const REPS = 3;
const TICKETS = 15_000;
/** Where the attacker's CPU comes from: see the top of this file. */
const FLOOD_NICE = Number(process.env.GK_BENCH_FLOOD_NICE ?? 0);
const FLOOD_OWN_SESSION = process.env.GK_BENCH_FLOOD_SESSION !== 'shared';
const FLOOD_USERNAMES = Array.from({ length: 5000 }, (_, i) => `flood-${i}`);

/** Share of one core each kind of server thread used. */
interface ThreadLoad { loop: number; hashing: number; other: number }

interface Run { latencies: number[]; rate: number; unanswered: number; errors: number; server: Load; threads: ThreadLoad; logins: Record<string, number>; loginRate: number; floodCpu: number }

/** The server's CPU by thread between two listings: its event loop (the thread whose id is the pid), the hashing threads (nice 19), the rest (fsync, checkpoints, V8). */
function threadLoad(pid: number, before: readonly ThreadStat[], after: readonly ThreadStat[], wallMs: number): ThreadLoad {
  const was = new Map(before.map((t) => [t.tid, t.cpuTicks]));
  const load: ThreadLoad = { loop: 0, hashing: 0, other: 0 };
  for (const t of after) {
    const share = ticksToMs(t.cpuTicks - (was.get(t.tid) ?? 0)) / wallMs;
    if (t.tid === pid) load.loop += share; else if (t.nice === HASHING_NICE) load.hashing += share; else load.other += share;
  }
  return load;
}

export const run: Bench = async () => {
  const children: Array<Child<unknown>> = [];
  const results: Record<'quiet' | 'flood', Run[]> = { quiet: [], flood: [] };
  try {
    const server = await startServerProcess({ demoTickets: TICKETS });
    children.push(server);
    const identities = await register(server.info.url, SCANNERS);
    const shard = await startVerdictShard({ ours: { url: server.info.url, identities, hello: true, answerType: 'verdict' } });
    children.push(shard);
    const pool = new TicketPool(allTickets(TICKETS));

    const flood = await startLoginFlood({ url: server.info.url, nice: FLOOD_NICE, ownSession: FLOOD_OWN_SESSION });
    children.push(flood);

    const measure = async (flooding: boolean): Promise<Run> => {
      const perRun = Math.ceil((RATE * (WARMUP_MS + MEASURE_MS)) / 1000) + 1;
      const o: ShardRun = { target: 'ours', rate: RATE, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, drainMs: DRAIN_MS, tickets: Array.from({ length: perRun }, () => pool.take()) };
      const [before, floodBefore, threadsBefore] = await Promise.all([
        server.call<LoadSnapshot>('load'), flood.call<LoadSnapshot>('load'), server.call<ThreadStat[]>('threads'),
      ]);
      const t0 = performance.now();
      const scans = shard.call<ShardResult>('run', o);
      const logins = flooding
        ? flood.call<FloodResult>('run', { perSecond: LOGINS_PER_S, durationMs: WARMUP_MS + MEASURE_MS, usernames: FLOOD_USERNAMES })
        : null;
      const r = await scans;
      const wall = performance.now() - t0;
      const [after, floodAfter, threadsAfter] = await Promise.all([
        server.call<LoadSnapshot>('load'), flood.call<LoadSnapshot>('load'), server.call<ThreadStat[]>('threads'),
      ]);
      const l = await logins;
      return {
        latencies: r.latencies, rate: r.rate, unanswered: r.unanswered, errors: r.errors, server: loadBetween(before, after, wall),
        threads: threadLoad(server.pid, threadsBefore, threadsAfter, wall), logins: l?.statuses ?? {}, loginRate: l?.rate ?? 0,
        floodCpu: loadBetween(floodBefore, floodAfter, wall).cpu,
      };
    };
    for (let i = 0; i < REPS; i++) {
      results.quiet.push(await measure(false));
      await sleep(500);
      results.flood.push(await measure(true));
      await sleep(500);
    }
  } finally {
    for (const c of children.reverse()) await c.close();
  }

  const statuses: Record<string, number> = {};
  for (const r of results.flood) for (const [k, v] of Object.entries(r.logins)) statuses[k] = (statuses[k] ?? 0) + v;
  const [quietP99, floodP99] = [medianP99(results.quiet), medianP99(results.flood)];
  const notes = [
    describeRuns('with the flood', results.flood),
    describeRuns('without', results.quiet),
    `server CPU by thread, % of a core with / without the flood (medians): ${(['loop', 'hashing', 'other'] as const).map((k) => `${k === 'loop' ? 'event loop' : k === 'hashing' ? `hashing (nice ${HASHING_NICE})` : 'others'} ${fmt(median(results.flood.map((r) => r.threads[k] * 100)))} / ${fmt(median(results.quiet.map((r) => r.threads[k] * 100)))}`).join(', ')}`,
    `flood: ${fmt(median(results.flood.map((r) => r.loginRate)))} wrong logins/s offered by a process ${FLOOD_OWN_SESSION ? 'in its own session' : 'in the benchmark\'s session'} at nice ${FLOOD_NICE} using ${fmt(median(results.flood.map((r) => r.floodCpu * 100)))}% of a core, each from its own loopback address for an unknown username (no limit stops it before the hash gate); answers over all repetitions: ${Object.entries(statuses).map(([k, v]) => `${k === '0' ? 'none' : k} × ${v}`).join(', ')}`,
    `${SCANNERS} scanners in one load-generator process, ${RATE} scans/s open loop, ${REPS} alternating repetitions of ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured; server durability FULL, WAL fsync on its own thread`,
  ].join('; ');
  return [ratioRow({
    id: 'server.verdict.p99.loginFlood', value: floodP99, unit: 'ms',
    baseline: 'the same verdict p99 without the flood, same server and run', baselineValue: quietP99,
    target: 'ratio <= 1.5', meets: (r) => r <= 1.5, notes,
  })];
};
