// The PostgreSQL adapter: the shared Storage contract on a real server (tests/support/
// postgres.ts makes one when GK_TEST_DATABASE_URL names none), then what only it has:
// its migrations, its durability settings, and first scan wins (and one phone per ticket)
// between connections.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import Database from 'better-sqlite3';
import { decideAdmission } from '@gatekeeper/shared/admission';
import { deviceId, orderId, ticketId } from '@gatekeeper/shared/ids';
import type { OnlineSubmission } from '@gatekeeper/sync-server/storage/types';
import { EVENT, makeCheckpoint, makeEvent, makeOrder, makeScan, makeTicket, T0 } from '../support/factories.ts';
import { openPostgresStorage, PG_SCHEMA_VERSION, type PostgresStorage } from '@gatekeeper/sync-server/storage/postgres/index';
import { migrate } from '@gatekeeper/sync-server/storage/sqlite/migrations';
import { ticketsNamed } from '@gatekeeper/sync-server/storage/postgres/names';
import type { NameSearch } from '@gatekeeper/sync-server/storage/name-search';
import { runStorageContract } from './storage-contract.ts';
import { startTestCluster, usePostgres } from '../support/postgres.ts';
import { until } from '../support/until.ts';

const db = usePostgres();
const open = (schema = db.schema()) => openPostgresStorage({ url: db.url(), schema, poolSize: 4 });

runStorageContract('PostgreSQL', () => open());

describe('PostgreSQL adapter', () => {
  const withStorage = async (fn: (s: PostgresStorage) => Promise<void>, schema?: string) => {
    const s = await open(schema);
    try { await fn(s); } finally { await s.close(); }
  };

  it('runs on a server that flushes each commit to disk before it answers', async () => {
    await withStorage(async (s) => { expect(await s.durability()).toEqual({ fsync: 'on', synchronousCommit: 'on' }); });
  });

  it('migrates a new schema to the newest version, and runs no migration twice on reopening', async () => {
    const schema = db.schema();
    let logId = '';
    await withStorage(async (s) => {
      expect(await s.schemaVersion()).toBe(PG_SCHEMA_VERSION);
      logId = await s.scanLogId();
    }, schema);
    await withStorage(async (s) => {
      expect(await s.schemaVersion()).toBe(PG_SCHEMA_VERSION);
      expect(await s.scanLogId()).toBe(logId);
    }, schema);
    expect(logId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('migrates once when several instances open one new schema at the same moment', async () => {
    const schema = db.schema();
    const all = await Promise.all([open(schema), open(schema), open(schema)]);
    try {
      const ids = await Promise.all(all.map((s) => s.scanLogId()));
      expect(new Set(ids).size).toBe(1);
    } finally {
      await Promise.all(all.map((s) => s.close()));
    }
  });

  it('first scan wins between instances: of two phones racing one ticket through two storages, one is valid, the other already_used', async () => {
    const schema = db.schema();
    // Two instances: two pools, so the two transactions really run at once on the server.
    const [a, b] = [await open(schema), await open(schema)];
    try {
      const gate = makeCheckpoint();
      await a.createEvent(makeEvent());
      await a.upsertCheckpoint(gate);
      const tickets = Array.from({ length: 30 }, (_, i) => makeTicket({ id: ticketId(`race-${i}`) }));
      await a.importTickets(gate.eventId, [], tickets);
      const submit = (s: PostgresStorage, t: (typeof tickets)[number], phone: string) => {
        const { outcome: _o, offline: _f, ...request } = makeScan({ ticketId: t.id, deviceId: deviceId(phone), at: T0 + 1 });
        const item: OnlineSubmission = {
          request,
          decide: (prior) => decideAdmission(t, gate, prior, request.at, { direction: request.direction, idChecked: request.idChecked, offline: false }),
        };
        return s.submitOnline([item], T0 + 2);
      };
      const races = await Promise.all(tickets.map((t) => Promise.all([submit(a, t, 'phone-a'), submit(b, t, 'phone-b')])));
      for (const [[ra], [rb]] of races) {
        expect([ra!.verdict.outcome, rb!.verdict.outcome].sort()).toEqual(['already_used', 'valid']);
        expect([ra!.status, rb!.status]).toEqual(['accepted', 'accepted']);
      }
      expect(await a.listConflicts(gate.eventId)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('one phone per ticket between instances: of two certificates of one ticket made at once on two storages, one stands and revokes the other', async () => {
    const schema = db.schema();
    const [a, b] = [await open(schema), await open(schema)];
    try {
      await a.createEvent(makeEvent());
      const tickets = Array.from({ length: 20 }, (_, i) => makeTicket({ id: ticketId(`bind-${i}`) }));
      await a.importTickets(makeEvent().id, [], tickets);
      const since = (await a.changesSince(makeEvent().id, 0)).version;
      const cert = (t: (typeof tickets)[number], phone: string) => ({
        eventId: t.eventId, id: `${phone}-${t.id}`, ticketId: t.id, devicePublicKey: `key-${phone}`, stepSeconds: 20, issuedAt: T0,
      });
      const revokedBy = await Promise.all(tickets.map((t) => Promise.all([a.addDeviceCertificate(cert(t, 'a')), b.addDeviceCertificate(cert(t, 'b'))])));
      const revoked: string[] = [];
      for (const [i, [byA, byB]] of revokedBy.entries()) {
        // The one that committed second found the first in force and revoked it.
        const ids = [`a-${tickets[i].id}`, `b-${tickets[i].id}`];
        expect([...byA, ...byB]).toHaveLength(1);
        const loser = [...byA, ...byB][0];
        expect(ids).toContain(loser);
        const winner = ids.find((id) => id !== loser)!;
        expect(await a.getDeviceCertificate(makeEvent().id, winner)).toMatchObject({ revokedAt: null });
        expect(await b.getDeviceCertificate(makeEvent().id, loser)).toMatchObject({ revokedAt: T0 });
        revoked.push(loser);
      }
      const delta = await b.changesSince(makeEvent().id, since);
      expect(delta.revokedCertificates.sort()).toEqual(revoked.sort());
      expect(delta.version).toBe(since + tickets.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a database that went away is `unavailable` and not writable; back, a write marks it writable again', async () => {
    // A cluster of this case's own: stopping it must not take the file's down.
    const cluster = startTestCluster();
    const s = await openPostgresStorage({ url: cluster.url('postgres'), poolSize: 2 });
    try {
      await s.createEvent(makeEvent());
      expect(s.health()).toMatchObject({ writable: true, cause: null });
      cluster.pause();
      const err = await s.upsertCheckpoint(makeCheckpoint()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'unavailable', status: 503 });
      expect(s.health()).toMatchObject({ writable: false });
      cluster.resume();
      await s.upsertCheckpoint(makeCheckpoint());
      expect(s.health()).toMatchObject({ writable: true, cause: null });
      expect(await s.listCheckpoints(makeEvent().id)).toEqual([makeCheckpoint()]);
    } finally {
      await s.close();
      cluster.stop();
    }
  }, 120_000);

  /** The plan of a name search on an event of 100,000 tickets (the holder filter's case), as the planner's statistics see it. */
  async function namesPlan(search: NameSearch): Promise<string> {
    const schema = db.schema();
    await withStorage(async (s) => { expect(await s.nameIndex()).toBe(true); }, schema);
    const raw = new pg.Client({ connectionString: db.url() });
    await raw.connect();
    try {
      await raw.query(`SET search_path = ${schema}`);
      await raw.query(`INSERT INTO ticket_names (event_id, ticket_id, names)
        SELECT 'e', 't' || g, 'holder ' || md5(g::text) FROM generate_series(1, 100000) g`);
      await raw.query('ANALYZE ticket_names');
      const plan = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${ticketsNamed(search, 2)}`, ['e', search.text]);
      return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await raw.end();
    }
  }

  it('finds a part of a name through the trigram index of ticket_names (migration 5), not by reading every name', async () => {
    const plan = await namesPlan({ kind: 'part', text: 'Jans' });
    expect(plan, plan).toContain('ticket_names_search');
  });

  it('finds a word\u2019s start (one or two letters) through the word index (migration 7), not by reading every name', async () => {
    const plan = await namesPlan({ kind: 'wordStart', text: 'Wu' });
    expect(plan, plan).toContain('ticket_name_words');
  });

  it('fills ticket_names from the tickets and orders a schema held before migration 5', async () => {
    const schema = db.schema();
    await withStorage(async (s) => {
      await s.createEvent(makeEvent());
      await s.importTickets(EVENT, [makeOrder({ buyerName: 'Chloé Visser' })], [makeTicket({ holderName: 'Jan Müller' }), makeTicket({ id: ticketId('t2'), orderId: orderId('o-1') })]);
    }, schema);
    const raw = new pg.Client({ connectionString: db.url() });
    await raw.connect();
    try {
      await raw.query(`SET search_path = ${schema}`);
      await raw.query('DROP FUNCTION gk_tickets_names(), gk_orders_names(), gk_ticket_names(text, text) CASCADE');
      // And migration 6's table, made after 5.
      await raw.query('DROP TABLE ticket_names, live_admitted');
      await raw.query('UPDATE schema_version SET version = 4');
    } finally {
      await raw.end();
    }
    await withStorage(async (s) => {
      expect(await s.schemaVersion()).toBe(PG_SCHEMA_VERSION);
      expect((await s.searchTickets(EVENT, 'muller', 10)).map((t) => t.id)).toEqual(['t1']);
      expect((await s.searchTickets(EVENT, 'visser', 10)).map((t) => t.id)).toEqual(['t2']);
    }, schema);
  });

  it('refuses a schema written by a newer server', async () => {
    const schema = db.schema();
    await withStorage(async () => {}, schema);
    const raw = new pg.Client({ connectionString: db.url() });
    await raw.connect();
    try {
      await raw.query(`UPDATE ${schema}.schema_version SET version = version + 1`);
    } finally {
      await raw.end();
    }
    await expect(open(schema)).rejects.toThrow(/newer/);
  });

  it('stores a batch whose scanned texts are multi-byte (a hostile code): its notification stays under PostgreSQL\u2019s payload limit in bytes, and the other instance is told', async () => {
    const schema = db.schema();
    const [a, b] = [await open(schema), await open(schema)];
    const told: Array<number | null> = [];
    const unlisten = await b.notifications!.listen({ scans: (_e, stored) => told.push(stored?.length ?? null), conflicts: () => {}, resumed: () => {}, announced: () => {} });
    try {
      // 512 characters of three bytes each: six such scans are ~5,200 characters and ~11,300 bytes.
      const hostile = '\u6f22'.repeat(512);
      await a.createEvent(makeEvent());
      await a.upsertCheckpoint(makeCheckpoint());
      const tickets = Array.from({ length: 6 }, (_, i) => makeTicket({ id: ticketId(`t-mb-${i}`) }));
      await a.importTickets(EVENT, [], tickets);
      const scans = tickets.map((t) => makeScan({ ticketId: t.id, code: hostile }));
      const results = await a.uploadOffline(scans, T0);
      expect(results.map((r) => r.status)).toEqual(scans.map(() => 'accepted'));
      await until(() => told.length > 0, 'the other storage to be told', 20_000);
      // Too large to carry: told to read on instead.
      expect(told).toEqual([null]);
    } finally {
      await unlisten();
      await Promise.all([a.close(), b.close()]);
    }
  });
});

// Both migration lists spell one schema in two dialects, and the row mappings
// (storage/rows.ts) read either: a column added to one list only would read back as
// undefined from the other. What only one side has is listed here, each with its reason.
describe('the PostgreSQL and SQLite schemas', () => {
  /** Tables one database has and the other does not need, or does not have yet. */
  const ONE_SIDE_ONLY: Record<string, string> = {
    schema_version: 'PostgreSQL: the schema version (SQLite keeps it in PRAGMA user_version)',
    live_admitted: 'PostgreSQL: the tickets that entered, for the tally\'s first-entry test by key (its migration 6); SQLite\'s EXISTS over scans always takes scans_ticket',
    sqlite_sequence: 'SQLite: its own AUTOINCREMENT counters',
    ticket_names_search: 'SQLite: FTS5 index over ticket_names (on PostgreSQL an index, not a table)',
    ticket_names_search_config: 'SQLite: FTS5 shadow table', ticket_names_search_data: 'SQLite: FTS5 shadow table',
    ticket_names_search_docsize: 'SQLite: FTS5 shadow table', ticket_names_search_idx: 'SQLite: FTS5 shadow table',
    ticket_name_words: 'SQLite: FTS5 word index over ticket_names (on PostgreSQL an index, not a table)',
    ticket_name_words_config: 'SQLite: FTS5 shadow table', ticket_name_words_data: 'SQLite: FTS5 shadow table',
    ticket_name_words_docsize: 'SQLite: FTS5 shadow table', ticket_name_words_idx: 'SQLite: FTS5 shadow table',
  };
  /** Columns of shared tables that only one side has. */
  const ONE_SIDE_COLUMNS: Record<string, string> = {
    'conflicts.n': 'PostgreSQL: the order rows were written in (SQLite has its rowid)',
  };

  const byTable = (cols: Array<{ t: string; c: string }>) => {
    const tables = new Map<string, string[]>();
    for (const { t, c } of cols) tables.set(t, [...(tables.get(t) ?? []), c].sort());
    return tables;
  };

  it('have the same tables with the same columns, but for the differences listed', async () => {
    const schema = db.schema();
    await (await open(schema)).close();
    const raw = new pg.Client({ connectionString: db.url() });
    await raw.connect();
    let pgCols: Array<{ t: string; c: string }>;
    try {
      pgCols = (await raw.query<{ t: string; c: string }>(
        'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = $1', [schema])).rows;
    } finally {
      await raw.end();
    }
    const lite = new Database(':memory:');
    migrate(lite);
    const liteCols = lite.prepare<[], { t: string; c: string }>(
      "SELECT m.name AS t, p.name AS c FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'").all();
    lite.close();

    const onPg = byTable(pgCols.filter(({ t, c }) => !(`${t}.${c}` in ONE_SIDE_COLUMNS)));
    const onLite = byTable(liteCols.filter(({ t, c }) => !(`${t}.${c}` in ONE_SIDE_COLUMNS)));
    const oneSide = [...onPg.keys()].filter((t) => !onLite.has(t)).concat([...onLite.keys()].filter((t) => !onPg.has(t)));
    expect(oneSide.sort()).toEqual(Object.keys(ONE_SIDE_ONLY).sort());
    for (const [table, columns] of onPg) {
      if (onLite.has(table)) expect([table, columns]).toEqual([table, onLite.get(table)]);
    }
    // Each listed column is there on the side that has it, so the list stays true.
    const all = new Set([...pgCols, ...liteCols].map(({ t, c }) => `${t}.${c}`));
    for (const column of Object.keys(ONE_SIDE_COLUMNS)) expect(all).toContain(column);
  });
});
