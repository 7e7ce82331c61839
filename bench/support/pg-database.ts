// A PostgreSQL database for the pg.* benchmarks: on GK_TEST_DATABASE_URL's server when set,
// else a throwaway cluster of the benchmark's own (tests/support/postgres.ts: Debian's
// initdb, a Unix socket, fsync and synchronous_commit on, as in production). On its own
// cluster, pg_stat_statements is loaded so that a benchmark can count the statements, each
// one round trip, that a scan costs.
import pg from 'pg';
import { startTestCluster, type TestCluster } from '../../tests/support/postgres.ts';

export interface BenchDatabase {
  url: string;
  /** Statements run so far in the database (pg_stat_statements), or null where it is not loaded. */
  statements(): Promise<number | null>;
  /** What the database's other backends are doing now, grouped: state, wait event, the statement's start. */
  activity(): Promise<string>;
  close(): Promise<void>;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env.GK_TEST_DATABASE_URL;
  const cluster: TestCluster | null = given ? null : startTestCluster();
  const at = (database: string) => {
    if (cluster) return cluster.url(database);
    const u = new URL(given!);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const name = `gk_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: at('postgres') });
  try {
    if (cluster) {
      await admin.connect();
      await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
      await admin.end();
      cluster.pause();
      cluster.resume();
    }
    const fresh = new pg.Client({ connectionString: at('postgres') });
    await fresh.connect();
    await fresh.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
    await fresh.end();
  } catch (e) {
    cluster?.stop();
    throw e;
  }
  const url = at(name);
  const stats = new pg.Client({ connectionString: url });
  await stats.connect();
  const counting = cluster !== null && await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').then(() => true, () => false);
  return {
    url,
    async statements() {
      if (!counting) return null;
      return Number((await stats.query<{ n: string }>('SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())')).rows[0]!.n);
    },
    async activity() {
      const r = await stats.query<{ k: string; n: number; oldest: number }>(`
        SELECT CASE WHEN state = 'idle' THEN 'idle' ELSE state || ' ' || coalesce(wait_event_type || ':' || wait_event, 'on CPU') || ' ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 50) END AS k,
          count(*)::int AS n, coalesce(max(extract(epoch FROM now() - xact_start) * 1000), 0)::int AS oldest
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        GROUP BY 1 ORDER BY 2 DESC LIMIT 8`);
      return r.rows.map((x) => `${x.n}× ${x.k}${x.oldest ? ` (transaction open ${x.oldest} ms)` : ''}`).join(' | ') || 'no backend';
    },
    async close() {
      await stats.end();
      if (cluster) { cluster.stop(); return; }
      const drop = new pg.Client({ connectionString: at('postgres') });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}
