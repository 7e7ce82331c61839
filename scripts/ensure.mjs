#!/usr/bin/env node
// Installs what is missing, so that `npm start` and `npm test` work on a fresh clone:
// npm packages when node_modules is absent or older than the lockfile, the native SQLite
// binding when it does not load, (with --browser) Debian's Chromium, WebKitGTK and
// Firefox ESR for the browser tests and benchmarks, and (with --postgres) Debian's
// PostgreSQL server, from which the tests make throwaway clusters. Plain JavaScript: it
// runs before anything is installed.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

// The PostgreSQL storage's tests run on a real server: the one GK_TEST_DATABASE_URL names,
// else a cluster each test file makes with initdb (tests/support/postgres.ts), which needs
// the server's programs. Never skipped: without them the tests fail, saying what to install.
if (process.argv.includes('--postgres') && !process.env.GK_TEST_DATABASE_URL) {
  const root = '/usr/lib/postgresql';
  const installed = existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`));
  if (!installed) {
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      run('apt-get update -qq');
      // Debian's package also makes the `postgres` user the tests run clusters as when root.
      run('apt-get install -y -qq postgresql');
    } else {
      say('Missing for the PostgreSQL storage tests: the PostgreSQL server. Install Debian\'s package');
      say('(sudo apt-get install postgresql), or set GK_TEST_DATABASE_URL to a server where you may create databases.');
      process.exit(1);
    }
  }
}

if (process.argv.includes('--browser')) {
  // Chromium for most browser tests; WebKitGTK (the engine of every iPhone browser) and
  // Firefox ESR (Gecko, as on many Android phones) for tests/e2e/engines-*.test.ts. All
  // from Debian: nothing downloads a browser of its own.
  const chromium = process.env.GK_CHROMIUM ?? '/usr/bin/chromium';
  const needs = [
    [chromium, 'chromium'],
    [process.env.GK_WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver', 'webkit2gtk-driver'],
    [process.env.GK_FIREFOX ?? '/usr/bin/firefox-esr', 'firefox-esr'],
    ['/usr/bin/Xvfb', 'xvfb'],
  ];
  const missing = needs.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (missing.length) {
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
      run('apt-get update -qq');
      run(`apt-get install -y -qq ${missing.join(' ')} fonts-dejavu-core fonts-liberation`);
    } else {
      say(`Missing for the browser tests: ${missing.join(', ')}. Install Debian's packages`);
      say(`(sudo apt-get install ${missing.join(' ')} fonts-dejavu-core fonts-liberation), or set GK_CHROMIUM,`);
      say('GK_WEBKIT_DRIVER, GK_MINIBROWSER or GK_FIREFOX to where yours are.');
      process.exit(1);
    }
  }
}
