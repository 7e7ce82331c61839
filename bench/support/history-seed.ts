// A big event's scan log for the history benchmarks, written straight into a server's
// SQLite file (a second connection; WAL lets the server read on). A million scans
// through the protocol would take the benchmark longer than it measures; the rows are
// the same shape the server stores, through its own row mapping, so every index the
// server keeps is maintained as in a real event.
import Database from 'better-sqlite3';
import type { CheckpointId, DeviceId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import { Outcome } from '@gatekeeper/shared/outcomes';
import { scanToRow, type ScanInsertRow } from '../../sync-server/src/storage/rows.ts';
import { DEMO_CHECKPOINTS } from '../../sync-server/src/seed/seed.ts';
import { demoTickets } from '../../sync-server/src/seed/demo.ts';
import { hlcAt } from '../../tests/support/factories.ts';
import { prng } from '../../tests/support/prng.ts';
import { DEMO_EVENT } from '../../tests/support/server.ts';

export interface HistorySeed {
  scans: number;
  /** The scans' time span: from `startAt` on, spread evenly over `spanMs`. */
  startAt: number;
  spanMs: number;
  devices: number;
}

/** Mostly admissions, as at a real gate; the rest the refusals supervisors look for. */
const OUTCOME_MIX: ReadonlyArray<readonly [Outcome, number]> = [
  [Outcome.valid, 0.86], [Outcome.already_used, 0.07], [Outcome.wrong_checkpoint, 0.03],
  [Outcome.unknown, 0.02], [Outcome.unpaid, 0.01], [Outcome.invalid_signature, 0.01],
];
export const INSPECTORS = ['i-inspector', 'i-inspector2', 'i-supervisor'] as const;

function pick<T>(mix: ReadonlyArray<readonly [T, number]>, r: number): T {
  let acc = 0;
  for (const [v, p] of mix) if ((acc += p) > r) return v;
  return mix[mix.length - 1]![0];
}

/**
 * Appends `seed.scans` scans of the demo tickets (`ticketCount` of them, as the server was
 * seeded) to the event's log in `dbFile`, in transactions of 50,000 rows.
 */
export function seedHistory(dbFile: string, ticketCount: number, seed: HistorySeed): void {
  const tickets = demoTickets(DEMO_EVENT, ticketCount).tickets;
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  let insert: Database.Statement<[ScanInsertRow]> | null = null;
  const store = (row: ScanInsertRow) => {
    const columns = Object.keys(row);
    insert ??= db.prepare(`INSERT INTO scans (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    insert.run(row);
  };
  const random = prng(20261202);
  const step = seed.spanMs / seed.scans;
  const write = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const t = tickets[Math.floor(random() * tickets.length)]!;
      const checkpoint = DEMO_CHECKPOINTS[Math.floor(random() * DEMO_CHECKPOINTS.length)]!;
      const device = Math.floor(random() * seed.devices);
      const at = Math.round(seed.startAt + i * step + random() * 5_000);
      const offline = random() < 0.15;
      store(scanToRow({
        id: `s-hist-${i}` as ScanId, eventId: DEMO_EVENT, ticketId: t.id as TicketId, orderId: t.orderId, code: t.id,
        checkpointId: checkpoint.id as CheckpointId, zone: checkpoint.zone, mode: checkpoint.mode, direction: 'entry',
        deviceId: `d-hist-${device}` as DeviceId, inspectorId: INSPECTORS[device % INSPECTORS.length] as InspectorId,
        hlc: hlcAt(at, i % 0xffff), at, clockOffset: 0, outcome: pick(OUTCOME_MIX, random()), offline, idChecked: false,
      }, at + (offline ? 600_000 : 50)));
    }
  });
  try {
    for (let i = 0; i < seed.scans; i += 50_000) write(i, Math.min(seed.scans, i + 50_000));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');
  } finally {
    db.close();
  }
}
