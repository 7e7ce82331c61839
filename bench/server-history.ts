// Issue 10's supervisors' history at the scale of a big event: 1,000,000 scans of 100,000
// tickets (support/history-db.ts seeds them once and keeps the file between runs).
//
//   server.history.query.p95.<mix>   ms from asking for a filtered page of 100 to having
//                                    read it, over real HTTP (gzipped, as a browser asks),
//                                    one request at a time, for three supervisors' searches
//   server.history.export.1m         s to stream GET …/history.csv of all 1,000,000 scans
//                                    to the end, counting every row
//   server.history.export.1m.rss     MB the server's resident set grows over that export
//
// The server runs in its own process on a copy of the seeded file; this process only asks
// and reads.
import { readFileSync, writeFileSync } from 'node:fs';
import { historySearch, zHistoryReply } from '@gatekeeper/shared/api/history';
import { DEMO_CHECKPOINTS } from '../sync-server/src/seed/seed.ts';
import { HttpSession } from '../tests/support/scanner-client.ts';
import { DEMO_EVENT, login } from '../tests/support/server.ts';
import { prng } from '../tests/support/prng.ts';
import { HISTORY_SEED, seededHistoryCopy } from './support/history-db.ts';
import { INSPECTORS } from './support/history-seed.ts';
import type { LoadSnapshot } from './support/child.ts';
import { startServerProcess, type MemoryReport } from './support/server-process.ts';
import { absoluteRow, fmt, latencySummary, percentile } from './support/stats.ts';
import type { Bench, BenchResult } from './types.ts';

/** Seeding a fresh machine takes minutes (4.3 at load 18): more than the runner's default. */
export const timeoutMs = 20 * 60_000;

const QUERY_TARGET_MS = 50;
const EXPORT_TARGET_S = 15;
const RSS_TARGET_MB = 200;
const MB = 1024 * 1024;
const HOUR = 3600_000;

type Search = Record<string, string | number>;
type ServerChild = { pid: number; call<T>(op: string, arg?: unknown): Promise<T> };

/** The server's CPU time between two load snapshots, ms: moves far less with a busy neighbour than wall time. */
const cpuMs = (a: LoadSnapshot, b: LoadSnapshot) => (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;

/**
 * What supervisors look for, each mix a list of searches asked one after another. Every
 * search differs from the one before (other values, other windows), so no answer is the
 * page cache's copy of the last one.
 */
function mixes(): Array<{ name: string; what: string; searches: Search[]; deep: boolean }> {
  const random = prng(10);
  const { startAt, spanMs } = HISTORY_SEED;
  const refusals = ['already_used', 'wrong_checkpoint', 'unpaid'];
  const gateRefusals: Search[] = Array.from({ length: 60 }, (_, i) => {
    const from = Math.round(startAt + random() * (spanMs - 2 * HOUR));
    return { checkpoint: DEMO_CHECKPOINTS[i % DEMO_CHECKPOINTS.length]!.id, outcome: refusals[i % refusals.length]!, from, to: from + 2 * HOUR };
  });
  const offline: Search[] = INSPECTORS.map((inspector) => ({ inspector, offline: 'true' }));
  const names = ['jansen', 'Okafor', 'sanne de vries', 'el amrani', 'Priya Sharma', 'kowalski', 'de groot', 'Thijs Bos', 'nguyen', 'Yara Smit'];
  const holder: Search[] = Array.from({ length: 60 }, (_, i) => ({ holder: names[i % names.length]! }));
  // Too short for the trigram index: a word's start, from the word index (migration 16).
  // Four that begin thousands of names' words, two that begin none (nothing to show).
  const short = ['Vo', 'El', 'de', 'Bo', 'qx', 'z'];
  const shortHolder: Search[] = Array.from({ length: 60 }, (_, i) => ({ holder: short[i % short.length]! }));
  return [
    { name: 'gateRefusals', what: 'one checkpoint, one refusal outcome, a 2-hour window at random in the 5 days', searches: gateRefusals, deep: false },
    { name: 'offlineDeep', what: 'one inspector\'s offline scans, 40 pages deep by the cursor (rows 1–4,000), each page timed', searches: offline, deep: true },
    { name: 'holder', what: 'holder or buyer name, a last name (thousands of tickets) or a full name (tens)', searches: holder, deep: false },
    { name: 'shortHolder', what: 'one or two letters that begin a word of a name (too short for trigrams: the word index), two of the six matching no one', searches: shortHolder, deep: false },
  ];
}

const DEEP_PAGES = 40;

/** One page: ms to have it, and its rows and cursor (the body is parsed after the clock stops). */
async function page(session: HttpSession, search: Search): Promise<{ ms: number; rows: number; next: string | null }> {
  const url = `${session.base}/api/events/${DEMO_EVENT}/history?${historySearch({ ...search, limit: 100 } as Parameters<typeof historySearch>[0])}`;
  const t0 = performance.now();
  // Asked with gzip, as a browser asks; fetch unzips, as a browser does.
  const res = await fetch(url, { headers: { cookie: session.cookie, 'accept-encoding': 'gzip' } });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`history ${res.status}: ${text.slice(0, 200)}`);
  const reply = zHistoryReply.parse(JSON.parse(text));
  return { ms, rows: reply.scans.length, next: reply.next };
}

async function queryRows(session: HttpSession, server: ServerChild): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  for (const mix of mixes()) {
    // One request of the mix first, not counted: the statement of each filter shape is
    // prepared on first use, once per server.
    await page(session, mix.searches[0]!);
    const samples: number[] = [];
    const load0 = await server.call<LoadSnapshot>('load');
    let rowsRead = 0;
    let empty = 0;
    for (const search of mix.searches) {
      let before: string | null = null;
      for (let p = 0; p < (mix.deep ? DEEP_PAGES : 1); p++) {
        const r = await page(session, before ? { ...search, before } : search);
        samples.push(r.ms);
        rowsRead += r.rows;
        if (r.rows === 0) empty++;
        if (mix.deep && r.next === null) throw new Error(`${mix.name}: the pages ended after ${p + 1}`);
        before = r.next;
      }
    }
    const serverCpu = cpuMs(load0, await server.call<LoadSnapshot>('load')) / samples.length;
    const p95 = percentile(samples, 95);
    rows.push(absoluteRow({
      id: `server.history.query.p95.${mix.name}`, value: p95, unit: 'ms', target: `<= ${QUERY_TARGET_MS} ms`, met: p95 <= QUERY_TARGET_MS,
      notes: `${mix.what}; pages of 100, one request at a time; ${latencySummary(samples)}; server CPU ${fmt(serverCpu)} ms a page (mean); ${rowsRead} rows read, ${empty} empty pages`,
    }));
  }
  return rows;
}

/** The kernel's count for a process: VmRSS now, VmHWM its peak since the last reset. */
function vm(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

async function exportRows(session: HttpSession, server: ServerChild): Promise<BenchResult[]> {
  // The baseline after a full collection, then the kernel's peak reset ("5" to
  // clear_refs), so VmHWM afterwards is the highest resident set during the export,
  // however short the spike; the server's own 20 ms sampler is the cross-check.
  await server.call<MemoryReport>('memory', true);
  const before = vm(server.pid, 'VmRSS');
  writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  await server.call<MemoryReport>('memory');

  const load0 = await server.call<LoadSnapshot>('load');
  const t0 = performance.now();
  const res = await fetch(`${session.base}/api/events/${DEMO_EVENT}/history.csv`, { headers: { cookie: session.cookie } });
  if (res.status !== 200 || !res.body) throw new Error(`history.csv ${res.status}`);
  let lines = 0;
  let bytes = 0;
  let firstByteMs = Number.NaN;
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const serverCpuS = cpuMs(load0, await server.call<LoadSnapshot>('load')) / 1000;
  const peak = vm(server.pid, 'VmHWM');
  const sampled = await server.call<MemoryReport>('memory');
  // No holder name or id holds a line break, so lines are rows: the header and one a scan.
  if (lines !== HISTORY_SEED.scans + 1) throw new Error(`the export had ${lines} lines, not ${HISTORY_SEED.scans} rows and a header`);
  const growthMb = (peak - before) / MB;
  const common = `${lines - 1} rows + header, ${fmt(bytes / MB)} MB read to the end by the client; first byte after ${fmt(firstByteMs)} ms`;
  return [
    absoluteRow({
      id: 'server.history.export.1m', value: seconds, unit: 's', target: `<= ${EXPORT_TARGET_S} s`, met: seconds <= EXPORT_TARGET_S,
      notes: `${common}; ${fmt(bytes / MB / seconds)} MB/s; server CPU ${fmt(serverCpuS)} s (${fmt(100 * serverCpuS / seconds)}% of a core)`,
    }),
    absoluteRow({
      id: 'server.history.export.1m.rss', value: growthMb, unit: 'MB', target: `<= ${RSS_TARGET_MB} MB`, met: growthMb <= RSS_TARGET_MB,
      notes: `server VmRSS ${fmt(before / MB)} MB before (after a full collection), VmHWM ${fmt(peak / MB)} MB during; the server's own 20 ms sampler saw a peak of ${fmt(sampled.peakRss / MB)} MB`,
    }),
  ];
}

export const run: Bench = async () => {
  const db = await seededHistoryCopy();
  try {
    const server = await startServerProcess({ dbFile: db.dbFile });
    try {
      const supervisor = await HttpSession.login(server.info.url, 'supervisor', login('supervisor').password);
      const seeded = db.seededMs === null ? 'the seeded file from an earlier run' : `seeded this run in ${fmt(db.seededMs / 1000)} s`;
      const rows = [...(await queryRows(supervisor, server)), ...(await exportRows(supervisor, server))];
      for (const r of rows) r.notes = `${r.notes}; ${HISTORY_SEED.scans} scans, ${seeded}`;
      return rows;
    } finally {
      await server.close();
    }
  } finally {
    db.remove();
  }
};
