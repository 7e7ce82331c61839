// What the PostgreSQL modules share: a pool, queries on it or on one transaction's client,
// and how to recognise a refused write or a database that cannot take writes now.
import pg from 'pg';

/** A connection to run statements on: the pool (each statement on its own) or one transaction's client. */
export interface Sql {
  all<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  one<R>(text: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** Rows changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

export function sqlOn(on: pg.Pool | pg.ClientBase): Sql {
  const query = <R extends pg.QueryResultRow>(text: string, params?: readonly unknown[]) => on.query<R>(text, params as unknown[] | undefined);
  return {
    all: async <R>(text: string, params?: readonly unknown[]) => (await query(text, params)).rows as R[],
    one: async <R>(text: string, params?: readonly unknown[]) => (await query(text, params)).rows[0] as R | undefined,
    run: async (text, params) => (await query(text, params)).rowCount ?? 0,
  };
}

/**
 * BIGINT (ms times, seq) as a number: every value here is far below 2^53. JSONB as its
 * text: the row mappings (storage/rows.ts) parse JSON columns themselves. The rest as pg
 * parses them. Per pool, not pg's global table, so nothing else in the process changes.
 */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    if (oid === pg.types.builtins.JSONB || oid === pg.types.builtins.JSON) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/**
 * Run `fn` in one transaction on one client, committed when it resolves and rolled back
 * when it throws. Read committed: every writer that must see another's rows first takes
 * the lock the other held (a per-ticket advisory lock, the change counter's row), and a
 * statement sees every commit made before it started. `mode` is BEGIN's: a read of several
 * statements that must agree asks for 'ISOLATION LEVEL REPEATABLE READ READ ONLY'.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>, mode = 'READ WRITE'): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out client is the caller's to listen to: a socket that fails between two
  // statements (the database went away) would otherwise throw in no one's hands. The
  // statement under way fails on its own; the client is then dropped.
  const onError = () => { broken = true; };
  client.on('error', onError);
  try {
    await client.query(`BEGIN ${mode}`);
    try {
      const result = await fn(sqlOn(client));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try { await client.query('ROLLBACK'); } catch { broken = true; }
      throw e;
    }
  } finally {
    // A client whose rollback failed is in an unknown state: the pool drops it.
    client.off('error', onError);
    client.release(broken);
  }
}

/** PostgreSQL's SQLSTATE of a failed statement, or null for another kind of error. */
export const sqlState = (e: unknown): string | null =>
  e instanceof pg.DatabaseError && typeof e.code === 'string' ? e.code : null;

/** Class 23, integrity constraint violation: the caller sent something wrong. */
export const isConstraintError = (e: unknown): e is pg.DatabaseError => sqlState(e)?.startsWith('23') ?? false;

/** Class 23's foreign key violation alone. */
export const isForeignKeyError = (e: unknown): boolean => sqlState(e) === '23503';
