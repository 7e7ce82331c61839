#!/usr/bin/env node
// `npm test`: install what is missing, then run two streams side by side and print one
// closing line, `tests: N passed, N failed`, from both.
//   - checks: the type-check, then the unit and integration files (two at a time);
//   - browsers: the build, then the e2e files, one at a time (two browsers would fight
//     over two cores). The integration files wait for the build too: their servers serve
//     dist/pwa.
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
const streams = [
  { label: 'checks', steps: async (vitestEnv) => {
    if (!await run('checks', TYPECHECK)) return `\`${TYPECHECK.join(' ')}\` failed`;
    if (!await built) return `\`${BUILD.join(' ')}\` failed`;
    return await run('checks', vitest('unit', 'integration'), vitestEnv) ? null : 'vitest failed';
  } },
  { label: 'browsers', steps: async (vitestEnv) => {
    if (!await built) return `\`${BUILD.join(' ')}\` failed`;
    return await run('browsers', vitest('e2e'), vitestEnv) ? null : 'vitest failed';
  } },
].map((s) => ({ ...s, summary: join(dir, `${s.label}.json`) }));

const results = await Promise.all(streams.map(async (s) => {
  const failed = await s.steps({ GK_TEST_SUMMARY: s.summary });
  return { label: s.label, ok: failed === null, failed };
}));

const total = { passed: 0, failed: 0, skipped: 0, unhandled: 0 };
const notes = [];
for (const [i, s] of streams.entries()) {
  if (existsSync(s.summary)) {
    const counts = JSON.parse(readFileSync(s.summary, 'utf8'));
    for (const k of Object.keys(total)) total[k] += counts[k];
  } else {
    notes.push(`${s.label}: ${results[i].failed ?? 'vitest failed'} before any test ran`);
  }
}
rmSync(dir, { recursive: true, force: true });

const ok = results.every((r) => r.ok) && total.failed === 0 && total.unhandled === 0;
const parts = [`${total.passed} passed`, `${total.failed} failed`];
if (total.skipped) parts.push(`${total.skipped} skipped`);
if (total.unhandled) parts.push(`${total.unhandled} unhandled error${total.unhandled > 1 ? 's' : ''} (see above)`);
process.stdout.write(`\ntests: ${parts.join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''}\n`);
process.exit(ok ? 0 : 1);
