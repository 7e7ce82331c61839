// The live counters from PostgreSQL's tally (its migration 4, triggers as SQLite's
// migration 10) against the counters rebuilt from every stored scan: the same after
// storing in batches, after migrating a schema that had its scans before the tally
// existed, and when two instances store one event's scans at once.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStorage, PG_SCHEMA_VERSION } from '../../../sync-server/src/storage/postgres/index.ts';
import { scanId, ticketId } from '@gatekeeper/shared/ids';
import { scanToRow } from '../../../sync-server/src/storage/rows.ts';
import { EVENT, T0, makeEvent, makeScan } from '../../support/factories.ts';
import { fromTally, rebuilt, scansOf, tallyEqualsRebuild } from '../../support/live-scans.ts';
import { usePostgres } from '../../support/postgres.ts';

const db = usePostgres();
const open = (schema: string) => openPostgresStorage({ url: db.url(), schema, poolSize: 4 });


describe('live counters from the PostgreSQL tally', () => {
  it('equal the counters rebuilt from every scan', async () => {
    const storage = await open(db.schema());
    try {
      await storage.createEvent(makeEvent());
      await tallyEqualsRebuild(storage, 7);
    } finally { await storage.close(); }
  });

  it('are filled in by their migration from the scans a schema already held', async () => {
    const schema = db.schema();
    const first = await open(schema);
    try {
      await first.createEvent(makeEvent());
      await first.uploadOffline(scansOf(11, 400), T0);
    } finally { await first.close(); }
    // Back to the schema before the tally (version 3): what migrations 4 and on made, gone.
    const raw = new pg.Client({ connectionString: db.url() });
    await raw.connect();
    try {
      await raw.query(`SET search_path = ${schema}`);
      // Dropping a trigger's function drops its triggers.
      await raw.query('DROP FUNCTION gk_live_scan(), gk_live_presence(), gk_tickets_names(), gk_orders_names(), gk_ticket_names(text, text) CASCADE');
      await raw.query('DROP TABLE live_totals, live_outcomes, live_entries, live_presence, live_zones, live_admitted, ticket_names');
      await raw.query('UPDATE schema_version SET version = 3');
    } finally { await raw.end(); }
    const storage = await open(schema);
    try {
      expect(await storage.schemaVersion()).toBe(PG_SCHEMA_VERSION);
      const want = await rebuilt(storage);
      expect(want.admitted).toBeGreaterThan(0);
      expect(await fromTally(storage)).toEqual(want);
      // Scans stored after the migration, of the same 25 tickets: one that entered before
      // it must not be admitted again (the tickets that entered are filled in too).
      await storage.uploadOffline(scansOf(12, 200).map((s) => ({ ...s, id: scanId(`after-${s.id}`) })), T0);
      const after = await rebuilt(storage);
      expect(after.admitted).toBe(want.admitted);
      expect(await fromTally(storage)).toEqual(after);
    } finally { await storage.close(); }
  });

  // A first entry adds one to the admitted tickets, a second entry of the same ticket
  // does not. Asking the scans table whether the ticket entered before left the choice of
  // index to the planner, and on a table it has no statistics for yet (a new schema, an
  // event's first hour) it walked the event's valid scans instead of the ticket's: a
  // scan's tally grew with the event, and pg.arbitrate.throughput fell to a fifth of its
  // floor. The tally now answers from a table of its own, by primary key.
  it('tally a ticket\u2019s first entry without reading the event\u2019s other scans', async () => {
    const schema = db.schema();
    const storage = await open(schema);
    const raw = new pg.Client({ connectionString: db.url() });
    try {
      await storage.createEvent(makeEvent());
      const earlier = Array.from({ length: 2_000 }, (_, i) => makeScan({ ticketId: ticketId(`early-${i}`), code: `early-${i}`, at: T0 + i }));
      for (let i = 0; i < earlier.length; i += 500) await storage.uploadOffline(earlier.slice(i, i + 500), T0);
      await raw.connect();
      await raw.query(`SET search_path = ${schema}`);
      // The insert on its own, as the raw floor does it: what the triggers read is all that reads scans.
      const row = scanToRow(makeScan({ ticketId: ticketId('late'), code: 'late', at: T0 + 5_000 }), T0);
      const columns = Object.keys(row).filter((c) => row[c as keyof typeof row] !== undefined);
      await raw.query('BEGIN');
      await raw.query(`INSERT INTO scans (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
        columns.map((c) => row[c as keyof typeof row]));
      // This transaction's own reads so far (PostgreSQL counts them per transaction as they happen).
      const read = await raw.query<{ n: number }>(`SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int AS n
        FROM pg_stat_xact_user_tables WHERE schemaname = $1 AND relname = 'scans'`, [schema]);
      await raw.query('COMMIT');
      expect(read.rows[0]!.n).toBeLessThan(10);
      const want = await rebuilt(storage);
      expect(want.admitted).toBe(2_001);
      expect(await fromTally(storage)).toEqual(want);
    } finally { await raw.end(); await storage.close(); }
  });

  it('stay exact when two instances store one event\u2019s scans at once', async () => {
    const schema = db.schema();
    const [a, b] = [await open(schema), await open(schema)];
    try {
      await a.createEvent(makeEvent());
      const scans = scansOf(23, 600);
      await Promise.all([a, b].map(async (s, k) => {
        for (let i = k * 20; i < scans.length; i += 40) await s.uploadOffline(scans.slice(i, i + 20), T0);
      }));
      const want = await rebuilt(a);
      expect((await a.scansAfter(EVENT, 0, 100_000)).scans).toHaveLength(600);
      expect(await fromTally(b)).toEqual(want);
    } finally { await Promise.all([a, b].map((s) => s.close())); }
  });
});
