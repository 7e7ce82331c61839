// The scan log's order on PostgreSQL, where several connections (several server instances)
// write at once. A sequence hands its number out at insert and the row is seen at commit:
// if scan 2 could commit while scan 1 is still in flight, a reader at that moment is told
// cursor 2, and once 1 commits nobody reading on from 2 ever sees it. The storage must give
// readers a prefix of the log: never a cursor past a scan still to commit.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Scan } from '@gatekeeper/shared/domain';
import { deviceId, ticketId } from '@gatekeeper/shared/ids';
import { NO_REASON } from '@gatekeeper/shared/reasons';
import { openPostgresStorage, type PostgresStorage } from '@gatekeeper/sync-server/storage/postgres/index';
import { EVENT, makeCheckpoint, makeEvent, makeScan, makeTicket } from '../support/factories.ts';
import { usePostgres } from '../support/postgres.ts';
import { until, UNIT_WAIT_MS } from '../support/until.ts';

const db = usePostgres();
const open = (schema: string) => openPostgresStorage({ url: db.url(), schema, poolSize: 4 });
/** The advisory lock the test holds to keep a transaction open after its insert. */
const GATE = 4242;

/** The two ways a scan is stored: decided online, or uploaded as decided offline. */
const WRITES = {
  online: (s: PostgresStorage, scan: Scan) => {
    const { outcome: _o, offline: _f, ...request } = scan;
    return s.submitOnline([{ request, decide: () => ({ outcome: 'valid', offline: false, ticketId: scan.ticketId, firstScan: null, reason: NO_REASON }) }], 1);
  },
  offline: (s: PostgresStorage, scan: Scan) => s.uploadOffline([scan], 1),
};

describe.each(Object.keys(WRITES) as Array<keyof typeof WRITES>)('the scan log on PostgreSQL, scans stored %s', (how) => {
  const write = WRITES[how];
  it('never shows a reader a later-numbered scan while an earlier-numbered one is still to commit', async () => {
    const schema = db.schema();
    // Two instances: two pools, two transactions truly at once.
    const [a, b] = [await open(schema), await open(schema)];
    const test = new pg.Client({ connectionString: db.url(), options: `-c search_path=${schema}` });
    await test.connect();
    try {
      await a.createEvent(makeEvent());
      await a.upsertCheckpoint(makeCheckpoint());
      await a.importTickets(EVENT, [], [makeTicket({ id: ticketId('slow') }), makeTicket({ id: ticketId('fast') })]);
      // The slow scan's transaction, once its row (and so its number) is in, waits on the
      // test's lock before it can commit.
      await test.query(`
        CREATE FUNCTION hold_slow() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_advisory_lock_shared(${GATE}); PERFORM pg_advisory_unlock_shared(${GATE}); RETURN NULL; END $$;
        CREATE TRIGGER hold_slow AFTER INSERT ON scans FOR EACH ROW WHEN (NEW.ticket_id = 'slow') EXECUTE FUNCTION hold_slow();`);
      await test.query('SELECT pg_advisory_lock($1)', [GATE]);
      const waiting = async () => Number((await test.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE NOT granted`)).rows[0]!.n);

      const slow = write(a, makeScan({ ticketId: ticketId('slow'), code: 'GK1.slow', deviceId: deviceId('phone-a') }));
      await until(async () => (await waiting()) === 1, 'the slow scan to wait at the gate', UNIT_WAIT_MS);
      let fastDone = false;
      const fast = write(b, makeScan({ ticketId: ticketId('fast'), code: 'GK1.fast', deviceId: deviceId('phone-b') }))
        .finally(() => { fastDone = true; });
      // The fast scan either commits now (numbered after the slow one) or waits its turn.
      await until(async () => fastDone || (await waiting()) === 2, 'the fast scan to commit or wait', UNIT_WAIT_MS);

      // What a catch-up and a welcome read while the slow scan is in flight.
      const seen = await b.scansAfter(EVENT, 0, 100);
      const welcome = await b.latestCursor(EVENT);
      await test.query('SELECT pg_advisory_unlock($1)', [GATE]);
      await Promise.all([slow, fast]);

      const all = (await a.scansAfter(EVENT, 0, 100)).scans;
      expect(all.map((s) => s.scan.ticketId)).toEqual(['slow', 'fast']);
      const seenIds = new Set(seen.scans.map((s) => s.scan.id));
      const skipped = all.filter((s) => (s.seq <= seen.cursor || s.seq <= welcome) && !seenIds.has(s.scan.id));
      expect(skipped.map((s) => s.scan.ticketId)).toEqual([]);
      // Reading on from the cursor then given finds the rest.
      const rest = await a.scansAfter(EVENT, seen.cursor, 100);
      expect([...seenIds, ...rest.scans.map((s) => s.scan.id)].sort()).toEqual(all.map((s) => s.scan.id).sort());
    } finally {
      await test.end();
      await a.close();
      await b.close();
    }
  });
});
