// The floor under online arbitration on PostgreSQL: one-row insert transactions (an
// INSERT on its own commits) into the server's own scans table, schema and indexes but
// not its triggers (the live tallies are the server's work, paid on its side only), on
// as many connections as the server's pool (10), each committed with the same durability
// (fsync and synchronous_commit on): no reads, no decision, no locks, no network to phones.
// PostgreSQL flushes the WAL of commits that arrive together once, as the server's group
// commit does, so the floor rises with the connections.
import pg from 'pg';
import { ticketId, deviceId } from '@gatekeeper/shared/ids';
import { openPostgresStorage } from '../../sync-server/src/storage/postgres/index.ts';
import { scanToRow } from '../../sync-server/src/storage/rows.ts';
import { makeEvent, makeScan } from '../../tests/support/factories.ts';

const COLUMNS = [
  'id', 'event_id', 'ticket_id', 'order_id', 'code', 'checkpoint_id', 'zone', 'mode', 'direction', 'device_id',
  'inspector_id', 'hlc', 'at', 'clock_offset', 'outcome', 'offline', 'id_checked', 'received_at',
] as const;
const CONNECTIONS = 10;
const SCHEMA = 'raw_floor';

export interface RawPostgres {
  /** One-row insert transactions per second over `ms`. */
  rate(ms: number): Promise<number>;
  close(): Promise<void>;
}

export async function rawPostgres(url: string): Promise<RawPostgres> {
  const storage = await openPostgresStorage({ url, schema: SCHEMA, poolSize: 1 });
  await storage.createEvent(makeEvent());
  await storage.close();
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS, options: `-c search_path=${SCHEMA}` });
  await pool.query('ALTER TABLE scans DISABLE TRIGGER USER');
  const text = `INSERT INTO scans (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
  let n = 0;
  return {
    async rate(ms) {
      const end = performance.now() + ms;
      let done = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (performance.now() < end) {
          const k = ++n;
          const row = scanToRow(makeScan({ ticketId: ticketId(`raw-${k}`), code: `raw-${k}`, deviceId: deviceId(`raw-${k % CONNECTIONS}`), outcome: 'valid' }), Date.now());
          await pool.query(text, COLUMNS.map((c) => row[c]));
          done++;
        }
      }));
      return done / ((performance.now() - t0) / 1000);
    },
    close: () => pool.end(),
  };
}
