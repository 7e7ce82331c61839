// pg.arbitrate.throughput: online scans decided per second by one server instance on
// PostgreSQL (fsync and synchronous_commit on), 100 scanners with 4 scans in flight each,
// every scan a ticket not scanned before. Closed loop, as server.arbitrate.throughput.
// Compared with the floor under it on the same database in the same run: one-row insert
// transactions straight into the same table (support/raw-postgres.ts). The notes give the
// server's CPU and the statements (one round trip each) per decided scan, which
// docs/scaling.md sizes from.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadBetween, type LoadSnapshot } from './support/child.ts';
import { benchDatabase } from './support/pg-database.ts';
import { pgProfile } from './support/pg-profile.ts';
import { rawPostgres } from './support/raw-postgres.ts';
import { Fleet, messageType, scanRequest, send, type BenchScanner } from './support/scanners.ts';
import { startServerProcess } from './support/server-process.ts';
import { watchStalls, type StallWatch } from './support/stall-watch.ts';
import { fmt, median, ratioRow, spread, until } from './support/stats.ts';
import { allTickets, TicketPool } from './support/tickets.ts';
import type { Bench } from './types.ts';

const SCANNERS = 100;
const IN_FLIGHT = 4;
// Enough for three repetitions at 3,000 scans/s (warm-up and drain included): a pool that
// runs dry stops the scanners, and a repetition then decides nothing (it did at 12,000,
// once the tally's cost was gone and the rate passed 1,200/s).
const TICKETS = 40_000;
const REPS = 3;
const WARMUP_MS = 500;
const WINDOW_MS = 3_000;
const RAW_MS = 2_000;

export const timeoutMs = 10 * 60_000;

export const run: Bench = async () => {
  const db = await benchDatabase();
  const raw = await rawPostgres(db.url).catch(async (e: unknown) => { await db.close(); throw e; });
  const server = await startServerProcess({ demoTickets: TICKETS, databaseUrl: db.url });
  let fleet: Fleet | null = null;
  const profile = process.env.GK_BENCH_PG_PROFILE === '1' ? await pgProfile(db.url) : null;
  try {
    fleet = await Fleet.connect(server.info.url, SCANNERS);
    const pool = new TicketPool(allTickets(TICKETS));
    let running = false;
    let decided = 0;
    let errors = 0;
    let inFlight = 0;
    let lastError = '';
    let watch: StallWatch | null = null;
    const sendNext = (s: BenchScanner) => {
      if (!running || pool.left === 0) return;
      inFlight++;
      send(s.ws, { type: 'scan', scan: scanRequest(s, pool.take()) });
    };
    fleet.onMessage = (s, data, isBinary) => {
      const type = messageType(data, isBinary);
      if (type !== 'verdict' && type !== 'error') return;
      inFlight--;
      if (type === 'verdict') { decided++; watch?.progress(); } else { errors++; lastError = data.toString().slice(0, 200); }
      sendNext(s);
    };
    const rates: number[] = [];
    const floors: number[] = [];
    const cpuPerScan: number[] = [];
    const statementsPerScan: number[] = [];
    const stalls: string[] = [];
    // Asked while a repetition decides nothing: what would explain it.
    const diagnose = async () => [
      `${inFlight} in flight`, `${pool.left} tickets left`, `${errors} error answers so far${lastError ? ` (last: ${lastError})` : ''}`,
      `${fleet!.scanners.filter((s) => s.ws.readyState !== s.ws.OPEN).length} sockets not open`,
      `database: ${await db.activity()}`,
      `server log: ${(await server.call<string[]>('recentLog')).join(' / ') || 'nothing'}`,
    ].join(', ');
    for (let r = 0; r < REPS; r++) {
      floors.push(await raw.rate(RAW_MS));
      running = true;
      watch = watchStalls(diagnose);
      for (const s of fleet.scanners) for (let k = 0; k < IN_FLIGHT; k++) sendNext(s);
      await sleep(WARMUP_MS);
      await profile?.start();
      const before = { at: performance.now(), decided, load: await server.call<LoadSnapshot>('load'), statements: await db.statements() };
      await sleep(WINDOW_MS);
      const wall = performance.now() - before.at;
      if (pool.left === 0) stalls.push(`repetition ${r + 1}: ran out of tickets (${TICKETS}): its rate is too low`);
      const count = decided - before.decided;
      const load = loadBetween(before.load, await server.call<LoadSnapshot>('load'), wall);
      const statements = await db.statements();
      if (profile) process.stderr.write(`repetition ${r + 1}: ${count} decided in ${wall.toFixed(0)} ms\n${await profile.stop()}\n`);
      rates.push(count / (wall / 1000));
      cpuPerScan.push((load.cpu * wall) / count);
      if (statements !== null && before.statements !== null) statementsPerScan.push((statements - before.statements) / count);
      running = false;
      stalls.push(...(await watch.stop()).map((line) => `repetition ${r + 1}: ${line}`));
      watch = null;
      if (!await until(() => inFlight === 0, 15_000)) stalls.push(`repetition ${r + 1}: ${inFlight} scans still unanswered 15 s after it ended; ${await diagnose()}`);
    }
    const notes = [
      `ours: ${spread(rates, 'scans/s')}, ${REPS} × (${WARMUP_MS / 1000} s warm-up + ${WINDOW_MS / 1000} s), each right after a floor repetition`,
      `${SCANNERS} scanners × ${IN_FLIGHT} in flight, distinct tickets, code = ticket id`,
      `server CPU per decided scan ${spread(cpuPerScan, 'ms')}`,
      statementsPerScan.length ? `statements (round trips) per decided scan ${spread(statementsPerScan)} (pg_stat_statements, everything the server ran meanwhile)` : 'statements per scan not counted (pg_stat_statements not loaded on the given server)',
      errors ? `${errors} error answers (last: ${lastError})` : '',
      ...stalls,
      `floor: ${spread(floors, 'rows/s')}, one-row INSERT transactions on 10 connections, same table and indexes, ${RAW_MS / 1000} s each`,
      'fsync=on, synchronous_commit=on on both sides; the server group-commits the scans of one event-loop turn in one transaction',
    ].filter(Boolean).join('; ');
    return [ratioRow({
      id: 'pg.arbitrate.throughput', value: median(rates), unit: 'scans/s',
      baseline: 'raw one-row INSERT transactions into PostgreSQL, 10 connections, same durability', baselineValue: median(floors),
      target: 'ratio >= 0.5', meets: (x) => x >= 0.5, notes: `${notes}; ${fmt(median(rates))} vs ${fmt(median(floors))}`,
    })];
  } finally {
    await profile?.close();
    await fleet?.close();
    await server.close();
    await raw.close();
    await db.close();
  }
};
