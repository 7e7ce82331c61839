// server.verdict.p99.loginFlood: does a login flood slow the gates? Online verdict p99 at
// 200 scans/s (50 scanners, open loop) while 200 wrong logins per second arrive, against
// the same without the flood, same server, alternating repetitions.
//
// The flood is the worst case for the server: every login comes from a different
// loopback address (127.0.0.0/8 is all loopback on Linux) for an unknown username, so no
// per-address or per-account limit stops it before the hash gate; the gate hashes what it
// can (one at a time on two cores) and answers the rest 503 busy. Before issue 8 every
// one of them was hashed on libuv's pool, where the WAL fsync waited behind them.
import { request } from 'node:http';
import { HASHING_NICE } from '../sync-server/src/auth/scrypt-threads.ts';
import { ticksToMs, type ThreadStat } from '../tests/support/threads.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadBetween, type Child, type Load, type LoadSnapshot } from './support/child.ts';
import { openLoop } from './support/open-loop.ts';
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

/** Share of one core each kind of server thread used. */
interface ThreadLoad { loop: number; hashing: number; other: number }

interface Run { latencies: number[]; rate: number; unanswered: number; errors: number; server: Load; threads: ThreadLoad; logins: Record<string, number>; loginRate: number }

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

/** One wrong login from its own loopback address; resolves with the status (0: no answer). */
function wrongLogin(url: string, k: number): Promise<number> {
  const body = JSON.stringify({ username: `flood-${k % 5000}`, password: 'not-the-password' });
  const localAddress = `127.${1 + (Math.floor(k / 62_500) % 250)}.${Math.floor(k / 250) % 250}.${1 + (k % 250)}`;
  return new Promise((resolve) => {
    const req = request(`${url}/api/login`, {
      method: 'POST', localAddress, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.setTimeout(30_000, () => { req.destroy(); });
    req.end(body);
  });
}

export const run: Bench = async () => {
  const children: Array<Child<unknown>> = [];
  const results: Record<'quiet' | 'flood', Run[]> = { quiet: [], flood: [] };
  let loginSerial = 0;
  try {
    const server = await startServerProcess({ demoTickets: TICKETS });
    children.push(server);
    const identities = await register(server.info.url, SCANNERS);
    const shard = await startVerdictShard({ ours: { url: server.info.url, identities, hello: true, answerType: 'verdict' } });
    children.push(shard);
    const pool = new TicketPool(allTickets(TICKETS));

    const measure = async (flood: boolean): Promise<Run> => {
      const perRun = Math.ceil((RATE * (WARMUP_MS + MEASURE_MS)) / 1000) + 1;
      const o: ShardRun = { target: 'ours', rate: RATE, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, drainMs: DRAIN_MS, tickets: Array.from({ length: perRun }, () => pool.take()) };
      const logins: Record<string, number> = {};
      const answered: Array<Promise<void>> = [];
      const before = await server.call<LoadSnapshot>('load');
      const threadsBefore = await server.call<ThreadStat[]>('threads');
      const t0 = performance.now();
      const scans = shard.call<ShardResult>('run', o);
      const loginLoop = flood
        ? openLoop(LOGINS_PER_S, WARMUP_MS + MEASURE_MS, () => {
          answered.push(wrongLogin(server.info.url, loginSerial++).then((status) => { logins[status] = (logins[status] ?? 0) + 1; }));
        })
        : null;
      const r = await scans;
      const loginLoad = await loginLoop;
      const wall = performance.now() - t0;
      const after = await server.call<LoadSnapshot>('load');
      const threadsAfter = await server.call<ThreadStat[]>('threads');
      await Promise.all(answered);
      return {
        latencies: r.latencies, rate: r.rate, unanswered: r.unanswered, errors: r.errors, server: loadBetween(before, after, wall),
        threads: threadLoad(server.pid, threadsBefore, threadsAfter, wall), logins, loginRate: loginLoad?.rate ?? 0,
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
    `flood: ${fmt(median(results.flood.map((r) => r.loginRate)))} wrong logins/s offered, each from its own loopback address for an unknown username (no limit stops it before the hash gate); answers over all repetitions: ${Object.entries(statuses).map(([k, v]) => `${k === '0' ? 'none' : k} × ${v}`).join(', ')}`,
    `${SCANNERS} scanners in one load-generator process, ${RATE} scans/s open loop, ${REPS} alternating repetitions of ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured; server durability FULL, WAL fsync on its own thread`,
  ].join('; ');
  return [ratioRow({
    id: 'server.verdict.p99.loginFlood', value: floodP99, unit: 'ms',
    baseline: 'the same verdict p99 without the flood, same server and run', baselineValue: quietP99,
    target: 'ratio <= 1.5', meets: (r) => r <= 1.5, notes,
  })];
};
