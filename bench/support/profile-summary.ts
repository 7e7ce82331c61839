// Reads V8 .cpuprofile files (GK_BENCH_CPU_PROF=<dir>) and prints where the CPU went: self
// time by function and by file, the heaviest first. Pick the server's profile by a path
// its code has: `npx tsx bench/support/profile-summary.ts <dir> [--match sync-server/src] [--top 40]`.
// DevTools shows one profile at a time and no totals by file, which is what comparing two
// runs of a benchmark needs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface Summary { totalMs: number; idleMs: number; byFunction: Array<[string, number]>; byFile: Array<[string, number]> }

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|sync-server|shared|bench)\//, '$1/');

export function summarise(p: Profile): Summary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the sample holds the time until the next.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += ms;
    if (functionName === '(idle)') { idle += ms; continue; }
    const where = url ? `${short(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const f = url ? short(url) : `(${functionName})`;
    file.set(f, (file.get(f) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, idleMs: idle, byFunction: sorted(fn), byFile: sorted(file) };
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir) throw new Error('usage: profile-summary.ts <dir> [--match text] [--top n]');
  const opt = (name: string) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
  const match = opt('--match');
  const top = Number(opt('--top') ?? 40);
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (match && !text.includes(match)) continue;
    const s = summarise(JSON.parse(text) as Profile);
    const pct = (ms: number) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / Math.max(1, s.totalMs - s.idleMs)).toFixed(1).padStart(5)}%`;
    process.stdout.write(`\n== ${f}: ${s.totalMs.toFixed(0)} ms sampled, ${(s.totalMs - s.idleMs).toFixed(0)} ms busy\n-- by file\n`);
    for (const [k, ms] of s.byFile.slice(0, top)) process.stdout.write(`${pct(ms)}  ${k}\n`);
    process.stdout.write('-- by function\n');
    for (const [k, ms] of s.byFunction.slice(0, top)) process.stdout.write(`${pct(ms)}  ${k}\n`);
  }
}
