// What the selected benchmark modules need installed beyond npm packages, as `npm test`
// has it installed for the tests (scripts/ensure.mjs): the browsers come from the npm
// script itself (`ensure.mjs --browser`); PostgreSQL's server programs only when a pg-*
// module runs, since installing them is the slow part and the others never use them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `scripts/ensure.mjs` flags the modules in `files` (bench/*.ts names) need. */
export function ensureFlags(files: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  // A server named by GK_TEST_DATABASE_URL needs nothing installed here (ensure.mjs agrees).
  return files.some((f) => f.startsWith('pg-')) && !env.GK_TEST_DATABASE_URL ? ['--postgres'] : [];
}

/**
 * Runs ensure.mjs with those flags, if any. A failure (not root, no apt-get) is reported
 * and the run goes on: the modules that needed it fail as rows saying why, the others run.
 */
export function ensurePrerequisites(files: readonly string[]): void {
  const flags = ensureFlags(files);
  if (flags.length === 0) return;
  const script = fileURLToPath(new URL('../../scripts/ensure.mjs', import.meta.url));
  try {
    execFileSync(process.execPath, [script, ...flags], { stdio: 'inherit' });
  } catch (e) {
    process.stderr.write(`[bench] ensure.mjs ${flags.join(' ')} failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); the modules that need it will fail\n`);
  }
}
