// Where PostgreSQL's time goes during a pg.* benchmark window, for GK_BENCH_PG_PROFILE=1
// runs (printed to stderr, not part of the row): pg_stat_statements per statement,
// nested ones too (a trigger's statements are counted apart from the INSERT that fired
// them), and the wait events of the database's backends sampled every few ms
// (pg_stat_activity), which shows lock waits (an advisory lock: wait_event 'advisory')
// against time on a CPU or in a WAL flush.
import pg from 'pg';

export interface PgProfile {
  /** Forget the statements counted so far and start sampling wait events. */
  start(): Promise<void>;
  /** Stop sampling; a table of the top statements and of the wait events seen. */
  stop(): Promise<string>;
  close(): Promise<void>;
}

export async function pgProfile(url: string, everyMs = 5): Promise<PgProfile> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
  await c.query('SELECT pg_reload_conf()');
  const sampler = new pg.Client({ connectionString: url });
  await sampler.connect();
  let sampling = false;
  let loop: Promise<void> = Promise.resolve();
  const waits = new Map<string, number>();
  let samples = 0;
  return {
    async start() {
      await c.query('SELECT pg_stat_statements_reset()');
      waits.clear();
      samples = 0;
      sampling = true;
      loop = (async () => {
        while (sampling) {
          const r = await sampler.query<{ k: string; n: number }>(`
            SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-') || ' [' || state || '] ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS k, count(*)::int AS n
            FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
              AND state <> 'idle' GROUP BY 1`);
          samples++;
          for (const { k, n } of r.rows) waits.set(k, (waits.get(k) ?? 0) + n);
          await new Promise((res) => setTimeout(res, everyMs));
        }
      })();
    },
    async stop() {
      sampling = false;
      await loop;
      const r = await c.query<{ calls: string; total: number; mean: number; rows: string; toplevel: boolean; q: string }>(`
        SELECT calls, total_exec_time AS total, mean_exec_time AS mean, rows, toplevel, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT 18`);
      const lines = r.rows.map((x) => `${x.total.toFixed(0).padStart(7)} ms ${String(x.calls).padStart(6)} calls ${x.mean.toFixed(3).padStart(8)} ms/call ${String(x.rows).padStart(7)} rows ${x.toplevel ? 'top ' : 'nest'} ${x.q}`);
      const w = [...waits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14)
        .map(([k, n]) => `${(n / samples).toFixed(2).padStart(6)} backends avg  ${k}`);
      return ['statements by total time:', ...lines, `active backends by wait event (${samples} samples):`, ...w].join('\n');
    },
    async close() {
      sampling = false;
      await loop;
      await sampler.end();
      await c.end();
    },
  };
}
