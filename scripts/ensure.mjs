#!/usr/bin/env node
// Installs what is missing, so that `npm start` and `npm test` work on a fresh clone:
// npm packages when node_modules is absent or older than the lockfile, the native SQLite
// binding when it does not load, and (with --browser) Debian's Chromium for the browser
// tests and benchmarks. Plain JavaScript: it runs before anything is installed.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const say = (msg) => process.stderr.write(`[ensure] ${msg}\n`);
const run = (cmd) => { say(cmd); execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }); };

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  say(`Node ${process.versions.node} is too old: install Node 20.19 or newer.`);
  process.exit(1);
}

// npm packages: reinstall when the lockfile changed since the last install we made.
const lock = `${root}/package-lock.json`;
const stampFile = `${root}/node_modules/.gatekeeper-lock-hash`;
const lockHash = existsSync(lock) ? createHash('sha256').update(readFileSync(lock)).digest('hex') : 'none';
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (!existsSync(`${root}/node_modules`) || stamp !== lockHash) {
  run('npm install --no-audit --no-fund --loglevel=error');
  writeFileSync(stampFile, lockHash);
}

// better-sqlite3 is built from source here (no prebuilt binaries can be downloaded).
try {
  const Database = createRequire(`${root}/sync-server/package.json`)('better-sqlite3');
  new Database(':memory:').close();
} catch (e) {
  say(`the SQLite binding does not load (${e.message.split('\n')[0]}); rebuilding it`);
  run('npm rebuild better-sqlite3');
}

if (process.argv.includes('--browser')) {
  const chromium = process.env.GK_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      run('apt-get update -qq');
      run('apt-get install -y -qq chromium fonts-dejavu-core');
    } else {
      say(`Chromium is missing at ${chromium}. Install Debian's package (sudo apt-get install chromium),`);
      say('or set GK_CHROMIUM to a Chromium binary. The browser tests need it.');
      process.exit(1);
    }
  }
}
