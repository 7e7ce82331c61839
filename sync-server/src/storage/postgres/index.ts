// Storage on PostgreSQL through node-postgres: for several server instances on one
// database, and for those who already run PostgreSQL. Selected by GK_DATABASE_URL
// (docs/postgres.md); SQLite stays the embedded default.
//
// Durability: a write resolves after its COMMIT, and the server's synchronous_commit
// (on, PostgreSQL's default; keep it so) makes a COMMIT return only once its WAL is
// flushed to disk. An acknowledged scan therefore survives a crash of the database's
// machine, as it does on SQLite at durability FULL. With synchronous_commit off, the
// last acknowledged scans can vanish on a crash: a copied ticket then gets in twice.
import pg from 'pg';
import type { Storage } from '../types.ts';
import { audited, pgAuditMethods } from './audit.ts';
import { pgCertificateMethods } from './certificates.ts';
import { PG_TYPES, sqlOn } from './db.ts';
import { pgEventMethods } from './events.ts';
import { pgHistoryMethods } from './history.ts';
import { pgLiveTallyMethods } from './live-tally.ts';
import { migratePg } from './migrations.ts';
import { pgPeopleMethods } from './people.ts';
import { pgScanReadMethods } from './scan-reads.ts';
import { pgScanWriteMethods } from './scan-writes.ts';
import { pgSettingsMethods } from './settings.ts';
import { pgTicketMethods } from './tickets.ts';
import { withUnavailable, WriteHealth } from './unavailable.ts';
import { pgWalletMethods } from './wallet.ts';
import { pgVerificationMethods } from './verification.ts';
import { channelOf, listenerFor, newOrigin, notifierFor } from './notify.ts';

export { PG_MIGRATIONS, PG_SCHEMA_VERSION } from './migrations.ts';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database, or with ?host=/socket/folder for a Unix socket. */
  url: string;
  /**
   * The schema the tables live in (created if missing); default public. Lets one database
   * hold several independent stores: each test has its own.
   */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

export interface PostgresStorage extends Storage {
  /** The schema version the database is at. */
  schemaVersion(): Promise<number>;
  /** The server's settings that decide whether an acknowledged write survives a crash. */
  durability(): Promise<{ fsync: string; synchronousCommit: string }>;
  /** Whether the name search has its trigram index (migration 5: pg_trgm could be added). */
  nameIndex(): Promise<boolean>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgresStorage(options: PostgresOptions): Promise<PostgresStorage> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema ${JSON.stringify(schema)} is not a plain lower-case name`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: PG_TYPES,
    // Every connection reads and writes the one schema, whatever the role's default is.
    options: `-c search_path=${schema}`,
    application_name: 'gatekeeper',
  });
  // An idle connection the server closed (a restart) is dropped and replaced by the pool;
  // without a listener its error would end the process.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      await migratePg(client, schema);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end();
    throw e;
  }

  const sql = sqlOn(pool);
  // This instance's name in its notifications, so that it skips its own.
  const origin = newOrigin();
  const channel = channelOf(schema);
  const health = new WriteHealth();
  const withAudit = audited(pool);
  const methods = {
    ...pgEventMethods(sql, withAudit),
    ...pgTicketMethods(pool, sql, withAudit),
    ...pgCertificateMethods(pool, sql),
    ...pgPeopleMethods(pool, sql, withAudit),
    ...pgScanWriteMethods(pool, notifierFor(channel, origin)),
    ...pgScanReadMethods(sql),
    ...pgHistoryMethods(sql),
    ...pgLiveTallyMethods(pool),
    ...pgAuditMethods(sql),
    ...pgSettingsMethods(sql, withAudit),
    ...pgWalletMethods(sql),
    ...pgVerificationMethods(pool, sql, withAudit),
  };
  return {
    ...withUnavailable(methods, health),
    health: () => health.get(),
    notifications: listenerFor({ url: options.url, channel, origin, sql }),
    async close() {
      await pool.end();
    },
    async schemaVersion() {
      return Number((await sql.one<{ version: number }>('SELECT version FROM schema_version'))?.version ?? 0);
    },
    async nameIndex() {
      return (await sql.one<{ found: boolean }>(`SELECT to_regclass('ticket_names_search') IS NOT NULL AS found`))!.found;
    },
    async durability() {
      const row = await sql.one<{ fsync: string; synchronous_commit: string }>(
        `SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`);
      return { fsync: row!.fsync, synchronousCommit: row!.synchronous_commit };
    },
  };
}
