#!/usr/bin/env node
// `npm test`: install what is missing, then run two streams side by side and print one
// closing line, `tests: N passed, N failed`, from both.
//   - checks: the type-check, then the unit and integration files (two at a time), then
//     the WebKitGTK and Firefox files (project `engines`), one at a time;
//   - browsers: the build, then the Chromium e2e files, one at a time (two browsers in
//     one stream would fight over two cores). The integration files wait for the build
//     too: their servers serve dist/pwa.
// The engine files close the checks stream because it ended minutes before the browsers
// stream did, with one core idle meanwhile.
// Run one after the other, as Vitest runs its groups, the machine sat half idle: the
// browser files mostly wait on pages, sockets and timers, the others mostly compute.
// Plain JavaScript: it runs before anything is installed. Extra arguments go to both
// Vitest runs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extra = process.argv.slice(2);

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stdout.write(`\ntests: not run (\`${[cmd, ...args].join(' ')}\` failed)\n`);
    process.exit(r.status ?? 1);
  }
}

step('node', ['scripts/ensure.mjs', '--browser', '--postgres']);
const dir = mkdtempSync(join(tmpdir(), 'gk-test-run-'));

/** Runs one command, each output line prefixed with `label`; true when it exits 0. */
function run(label, [cmd, ...args], env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let rest = '';
      from.setEncoding('utf8');
      from.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const line of lines) to.write(`[${label}] ${line}\n`);
      });
      from.on('end', () => { if (rest) to.write(`[${label}] ${rest}\n`); });
    }
    child.on('close', (code) => resolve(code === 0));
  });
}

// A file named on the command line is in one stream only: the other finds nothing, and passes.
const vitest = (...projects) => ['npx', 'vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...(extra.length ? ['--passWithNoTests', ...extra] : [])];
const TYPECHECK = ['npm', 'run', '--silent', 'typecheck'];
const BUILD = ['npm', 'run', '--silent', 'build'];

// The build and the type-check side by side; the tests wait for the build (the integration
// servers serve dist/pwa too).
const built = run('build', BUILD);
/** Each Vitest run writes its counts to a file of its own (summary-reporter.ts). */
const summaries = [];
function vitestRun(label, ...projects) {
  const summary = join(dir, `${label}-${summaries.length}.json`);
  summaries.push({ label, summary });
  return run(label, vitest(...projects), { GK_TEST_SUMMARY: summary });
}

const streams = [
  { label: 'checks', steps: async () => {
    if (!await run('checks', TYPECHECK)) return `\`${TYPECHECK.join(' ')}\` failed`;
    if (!await built) return `\`${BUILD.join(' ')}\` failed`;
    // The engine files run even when a unit test failed: one run reports every failure.
    const [servers, engines] = [await vitestRun('checks', 'unit', 'integration'), await vitestRun('checks', 'engines')];
    return servers && engines ? null : 'vitest failed';
  } },
  { label: 'browsers', steps: async () => {
    if (!await built) return `\`${BUILD.join(' ')}\` failed`;
    return await vitestRun('browsers', 'e2e') ? null : 'vitest failed';
  } },
];

const results = await Promise.all(streams.map(async (s) => {
  const failed = await s.steps();
  return { label: s.label, ok: failed === null, failed };
}));

const total = { passed: 0, failed: 0, skipped: 0, unhandled: 0 };
const notes = [];
for (const { label, summary } of summaries) {
  if (existsSync(summary)) {
    const counts = JSON.parse(readFileSync(summary, 'utf8'));
    for (const k of Object.keys(total)) total[k] += counts[k];
  } else {
    notes.push(`${label}: a Vitest run ended before any test ran`);
  }
}
for (const r of results) {
  if (!summaries.some((s) => s.label === r.label)) notes.push(`${r.label}: ${r.failed ?? 'vitest failed'} before any test ran`);
}
rmSync(dir, { recursive: true, force: true });

const ok = results.every((r) => r.ok) && total.failed === 0 && total.unhandled === 0;
const parts = [`${total.passed} passed`, `${total.failed} failed`];
if (total.skipped) parts.push(`${total.skipped} skipped`);
if (total.unhandled) parts.push(`${total.unhandled} unhandled error${total.unhandled > 1 ? 's' : ''} (see above)`);
process.stdout.write(`\ntests: ${parts.join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''}\n`);
process.exit(ok ? 0 : 1);
