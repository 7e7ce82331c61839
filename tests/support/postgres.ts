// A real PostgreSQL for the tests that need one, never a skip: GK_TEST_DATABASE_URL when
// it is set (a server where this role may create databases), else a throwaway cluster of
// this file's own, made with Debian's initdb in a temporary folder and removed after.
//
// Per test file, not a Vitest globalSetup: only the files that use PostgreSQL pay for
// initdb (about a second), a file run alone needs no configuration, and a cluster that
// dies takes one file's tests down with it, not every file's.
//
// Durability as in production (fsync, synchronous_commit, full_page_writes all on): the
// adapter acknowledges a scan only once it is on disk, and a test cluster that skipped the
// fsync would hide what that costs and any bug in what waits for it.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** Where Debian's packages put the server's programs; the newest version installed. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error('PostgreSQL is not installed and GK_TEST_DATABASE_URL is not set: run `node scripts/ensure.mjs --postgres` (it installs Debian\'s postgresql), or point GK_TEST_DATABASE_URL at a server');
  }
  return join(root, newest, 'bin');
}

/**
 * initdb refuses to run as root. As root, the cluster belongs to `postgres`, the system
 * user Debian's package creates for its own clusters (no login shell needed, no home used),
 * or to `nobody` where there is no such user (PostgreSQL's programs put there by hand); as
 * anyone else, to that user.
 */
function clusterUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const candidate of ['postgres', 'nobody']) {
    let line: string;
    try {
      line = execFileSync('getent', ['passwd', candidate], { encoding: 'utf8' }).trim();
    } catch {
      continue; // getent exits 2 for an unknown user
    }
    const [name, , uid, gid] = line.split(':');
    return { name: name!, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run the test cluster as (initdb refuses root)');
}

export interface TestCluster {
  /** A URL of one database of the cluster, for the superuser it was made with. */
  url(database: string): string;
  /** Shut the server down (fast: open connections are ended), keeping its data. */
  pause(): void;
  /** Kill the server's postmaster with SIGKILL, as a power cut would leave it: no shutdown checkpoint. */
  crash(): void;
  /** Start it again after pause() or crash() (after a crash, PostgreSQL replays its WAL). */
  resume(): void;
  /** Shut it down and remove its folder. */
  stop(): void;
}

const SUPERUSER = 'gatekeeper';

/** initdb a cluster in a new temporary folder and start it on a Unix socket there, no TCP. */
export function startTestCluster(): TestCluster {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'gk-pg-'));
  const data = join(dir, 'data');
  const owner = clusterUser();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = (program: string, args: string[]) => {
    const cmd = owner ? ['runuser', ['-u', owner.name, '--', join(bin, program), ...args]] as const : [join(bin, program), args] as const;
    execFileSync(cmd[0], [...cmd[1]], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  };
  // The port names the socket file (.s.PGSQL.<port>) in a folder nobody else uses, so any
  // port will do; a random one keeps the name apart from a system cluster's in logs.
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try { as('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']); } catch { /* already gone: the folder goes anyway */ }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const options = [
    `-c listen_addresses=''`, `-c unix_socket_directories='${dir}'`, `-c port=${port}`,
    '-c fsync=on', '-c synchronous_commit=on', '-c full_page_writes=on',
    // Several storages per test file, each with a pool of its own.
    '-c max_connections=200',
  ].join(' ');
  const start = () => {
    as('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options]);
    started = true;
  };
  try {
    // initdb's own fsync of the new cluster is skipped (--no-sync): it lives for one test
    // file and a crash of the machine ends that anyway. The server itself runs with fsync.
    // trust: the only way in is the socket in a folder of this user's alone.
    as('initdb', ['-D', data, '--no-sync', '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    start();
  } catch (e) {
    stop();
    const out = e as { stderr?: Buffer };
    throw new Error(`could not start a PostgreSQL test cluster: ${out.stderr?.toString() ?? String(e)}`);
  }
  // A worker that exits without afterAll (a crash, an interrupted run) still stops it.
  process.once('exit', stop);
  return {
    url: (database) => `postgres://${SUPERUSER}@/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
    pause() {
      as('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
      started = false;
    },
    crash() {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      started = false;
    },
    resume() {
      // After a crash the backends see their postmaster gone and exit; until the last has,
      // the shared memory it left is in use and a new postmaster refuses to start.
      for (let tries = 1; ; tries++) {
        try {
          start();
          return;
        } catch (e) {
          if (tries >= 20) throw e;
          execFileSync('sleep', ['0.5']);
        }
      }
    },
    stop,
  };
}

/** A URL on the same server as `url`, naming another database. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The server to use: the one given, or a new cluster of this file's own. */
function server(): { url: (database: string) => string; cluster: TestCluster | null } {
  const given = process.env.GK_TEST_DATABASE_URL;
  if (given) return { url: (database) => withDatabase(given, database), cluster: null };
  const cluster = startTestCluster();
  return { url: cluster.url, cluster };
}

let files = 0;

/**
 * For one test file: a server (given or made) and a database of the file's own on it,
 * dropped after the file (a cluster made for it is stopped and removed). `schema()` names
 * a new schema each call: a storage opened on it starts empty, at the cost of its
 * migrations (tens of ms), where a new database costs PostgreSQL a copy of its template
 * and a checkpoint (hundreds).
 */
export function usePostgres(): { url: () => string; schema: () => string } {
  let at: ReturnType<typeof server> | null = null;
  let admin: pg.Client | null = null;
  let database: string | null = null;
  let schemas = 0;
  const name = `gk_test_${process.pid}_${++files}`;
  beforeAll(async () => {
    at = server();
    admin = new pg.Client({ connectionString: at.url('postgres') });
    await admin.connect();
    // template0: nothing another test added to template1 on a shared server comes along.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
    database = name;
  }, 120_000);
  afterAll(async () => {
    try {
      if (database) await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await admin?.end();
      at?.cluster?.stop();
    }
  }, 120_000);
  return {
    url() {
      if (!at || !database) throw new Error('usePostgres: url() before the server started');
      return at.url(database);
    },
    schema: () => `gk_case_${++schemas}`,
  };
}
