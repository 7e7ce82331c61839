#!/usr/bin/env node
// `npm test`: install what is missing, build, then run two streams side by side and print
// one closing line, `tests: N passed, N failed`, from both.
//   - checks: the type-check, then the unit and integration files (two at a time);
//   - browsers: the e2e files, one at a time (two browsers would fight over two cores).
// Run one after the other, as Vitest runs its groups, the machine sat half idle: the
// browser files mostly wait on pages, sockets and timers, the others mostly compute.
// The build comes first: the integration servers serve dist/pwa too. Plain JavaScript:
// it runs before anything is installed. Extra arguments go to both Vitest runs.
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
step('npm', ['run', '--silent', 'build']);

const dir = mkdtempSync(join(tmpdir(), 'gk-test-run-'));

/** Runs `commands` one after the other (stopping at the first failure), each output line prefixed with `label`. */
function stream(label, commands, summaryFile) {
  return new Promise((resolve) => {
    const next = (i) => {
      if (i === commands.length) return resolve({ label, ok: true });
      const [cmd, ...args] = commands[i];
      const child = spawn(cmd, args, { cwd: root, env: { ...process.env, GK_TEST_SUMMARY: summaryFile }, stdio: ['ignore', 'pipe', 'pipe'] });
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
      child.on('close', (code) => (code === 0 ? next(i + 1) : resolve({ label, ok: false, failed: [cmd, ...args].join(' ') })));
    };
    next(0);
  });
}

// A file named on the command line is in one stream only: the other finds nothing, and passes.
const vitest = (...projects) => ['npx', 'vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...(extra.length ? ['--passWithNoTests', ...extra] : [])];
const streams = [
  { label: 'checks', commands: [['npm', 'run', '--silent', 'typecheck'], vitest('unit', 'integration')] },
  { label: 'browsers', commands: [vitest('e2e')] },
].map((s) => ({ ...s, summary: join(dir, `${s.label}.json`) }));

const results = await Promise.all(streams.map((s) => stream(s.label, s.commands, s.summary)));

const total = { passed: 0, failed: 0, skipped: 0, unhandled: 0 };
const notes = [];
for (const [i, s] of streams.entries()) {
  if (existsSync(s.summary)) {
    const counts = JSON.parse(readFileSync(s.summary, 'utf8'));
    for (const k of Object.keys(total)) total[k] += counts[k];
  } else {
    notes.push(`${s.label}: \`${results[i].failed ?? 'vitest'}\` failed before any test ran`);
  }
}
rmSync(dir, { recursive: true, force: true });

const ok = results.every((r) => r.ok) && total.failed === 0 && total.unhandled === 0;
const parts = [`${total.passed} passed`, `${total.failed} failed`];
if (total.skipped) parts.push(`${total.skipped} skipped`);
if (total.unhandled) parts.push(`${total.unhandled} unhandled error${total.unhandled > 1 ? 's' : ''} (see above)`);
process.stdout.write(`\ntests: ${parts.join(', ')}${notes.length ? `; ${notes.join('; ')}` : ''}\n`);
process.exit(ok ? 0 : 1);
