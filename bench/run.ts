// `npm run bench`: runs every benchmark module (bench/server-*.ts, bench/pwa-*.ts, bench/codes-*.ts, bench/wallet-*.ts,
// bench/pg-*.ts), one
// after another, writes bench/results.json and prints a table. Benchmarks report; they do
// not gate: the exit code is 0 whether targets are met or not, and a module that throws
// becomes a failed row instead of stopping the others.
//
//   tsx bench/run.ts                 every module
//   tsx bench/run.ts server.race     only rows whose id starts with one of the arguments
//
// A module's ids start with its file name, dashes read as dots: server-race.ts gives
// server.race.*; that is how a filter picks modules without running the rest.
import { readdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchResult } from './types.ts';
import { ensurePrerequisites } from './support/prerequisites.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MODULE_PATTERN = /^(server|pwa|codes|wallet|pg)-[A-Za-z0-9-]+\.ts$/;
/**
 * A module that takes longer than this is reported as failed; the run goes on. A module
 * that must prepare for longer (server-history.ts seeds a million scans) exports its own
 * `timeoutMs`.
 */
const MODULE_TIMEOUT_MS = 6 * 60_000;

interface Module { file: string; prefix: string }

const prefixOf = (file: string) => file.replace(/\.ts$/, '').replace(/-/g, '.');

const names = (f: string, prefix: string) => f === prefix || f.startsWith(`${prefix}.`);

/**
 * A module runs when a filter names a group it is in, or names it or something inside
 * it, unless a module with a longer prefix is the one named (server.verdict.p99.loginFlood
 * runs its own module, not server.verdict's as well).
 */
const selected = (prefix: string, filters: string[], all: string[]) =>
  filters.length === 0 || filters.some((f) => prefix.startsWith(f) ||
    (names(f, prefix) && !all.some((p) => p.length > prefix.length && names(f, p))));

const rowSelected = (id: string, filters: string[]) => filters.length === 0 || filters.some((f) => id.startsWith(f) || f.startsWith(`${id}.`));

async function discover(filters: string[]): Promise<Module[]> {
  const files = (await readdir(HERE)).filter((f) => MODULE_PATTERN.test(f)).sort((a, b) => {
    // Server benchmarks first: they are the quicker ones, and fail fastest if something is off.
    const group = (f: string) => (f.startsWith('server-') ? 0 : 1);
    return group(a) - group(b) || a.localeCompare(b);
  });
  const all = files.map(prefixOf);
  return files.map((file) => ({ file, prefix: prefixOf(file) })).filter((m) => selected(m.prefix, filters, all));
}

function failedRow(prefix: string, error: unknown): BenchResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    id: prefix, value: Number.NaN, unit: '', baseline: null, baselineValue: null, ratio: null,
    target: 'runs', met: false, notes: `FAILED: ${message.split('\n').slice(0, 3).join(' | ')}`,
  };
}

/** Errors thrown outside any awaited promise (a socket callback, a stray timer) land here. */
const stray: unknown[] = [];
process.on('uncaughtException', (e) => { stray.push(e); });
process.on('unhandledRejection', (e) => { stray.push(e); });

/** The module's rows; null when it is a helper that exports no `run` (pwa-support.ts). */
async function runModule(m: Module): Promise<BenchResult[] | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const mod = (await import(`./${m.file}`)) as { run?: unknown; timeoutMs?: unknown };
    if (mod.run === undefined) return null;
    if (typeof mod.run !== 'function') throw new Error(`${m.file} exports a run that is not a function`);
    const limitMs = typeof mod.timeoutMs === 'number' ? mod.timeoutMs : MODULE_TIMEOUT_MS;
    const rows = await Promise.race([
      (mod.run as Bench)(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${limitMs / 60_000} min`)), limitMs); }),
    ]);
    if (!Array.isArray(rows) || rows.length === 0) throw new Error('returned no rows');
    return rows;
  } catch (e) {
    return [failedRow(m.prefix, e)];
  } finally {
    clearTimeout(timer);
    if (stray.length) {
      process.stderr.write(`[bench] ${m.file}: ${stray.length} error(s) outside the benchmark's promises, first: ${String(stray[0])}\n`);
      stray.length = 0;
    }
  }
}

function show(n: number | null, unit = ''): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const text = Math.abs(n) >= 100 ? String(Math.round(n)) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);
  return unit ? `${text} ${unit}` : text;
}

function table(rows: BenchResult[]): string {
  const head = ['id', 'value', 'baseline', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.id,
    Number.isFinite(r.value) ? show(r.value, r.unit) : 'failed',
    show(r.baselineValue, r.baselineValue === null ? '' : r.unit),
    show(r.ratio),
    r.target,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  out.push('');
  for (const r of rows) {
    out.push(`${r.id}${r.baseline ? ` (baseline: ${r.baseline})` : ''}`);
    if (r.notes) out.push(...r.notes.split('; ').map((n) => `    ${n}`));
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const startedAt = new Date().toISOString();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${platform()} ${release()}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
  const modules = await discover(filters);
  if (modules.length === 0) process.stderr.write(`[bench] no module matches ${filters.join(', ')}\n`);
  ensurePrerequisites(modules.map((m) => m.file));

  const results: BenchResult[] = [];
  const t0 = performance.now();
  for (const m of modules) {
    const started = performance.now();
    process.stderr.write(`[bench] ${m.file} …\n`);
    const ran = await runModule(m);
    if (ran === null) { process.stderr.write(`[bench] ${m.file}: exports no run(), a helper: skipped\n`); continue; }
    const rows = ran.filter((r) => rowSelected(r.id, filters) || r.notes?.startsWith('FAILED'));
    results.push(...rows);
    process.stderr.write(`[bench] ${m.file}: ${rows.map((r) => `${r.id} ${Number.isFinite(r.value) ? show(r.value, r.unit) : 'failed'}`).join(', ')} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }

  const report = { results, machine, startedAt, ...(filters.length ? { only: filters } : {}), durationS: Math.round((performance.now() - t0) / 1000) };
  // NaN (a failed row's value) becomes null in JSON, which is what a reader should see.
  await writeFile(new URL('./results.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\n${table(results)}\n\n${results.filter((r) => r.met).length}/${results.length} targets met in ${report.durationS} s on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; written to bench/results.json\n`);
}

main().then(
  () => process.exit(0),
  (e) => { process.stderr.write(`[bench] runner failed: ${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); },
);
