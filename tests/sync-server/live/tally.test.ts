// The live counters from storage's tally (migration 10) against the counters rebuilt from
// every stored scan: the same after storing, after a restart, after migrating a database
// that had its scans before the tally existed, and folded from the deltas of batches
// gossiped one after another. The scans mix what makes counting hard: annulments (some
// stamped before their admission, some quarantined), exits uploaded out of order at an
// entry/exit zone, quarantined scans, scans of no ticket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, scanId, ticketId } from '@gatekeeper/shared/ids';
import { applyLiveDelta } from '@gatekeeper/shared/live-counts';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import type { Down, LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import { LiveCounters } from '../../../sync-server/src/live/counters.ts';
import { Live, type LiveReader } from '../../../sync-server/src/live/live.ts';
import { silentLogger } from '../../../sync-server/src/log.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../sync-server/src/storage/sqlite/index.ts';
import { MIGRATIONS, migrate } from '../../../sync-server/src/storage/sqlite/migrations.ts';
import { eventToRow, scanToRow } from '../../../sync-server/src/storage/rows.ts';
import type { StoredScan } from '../../../sync-server/src/storage/types.ts';
import { OutgoingMessage } from '../../../sync-server/src/hub/frames.ts';
import { DEVICE_A, DEVICE_B, EVENT, INSPECTOR_A, T0, hlcAt, makeEvent, makeScan } from '../../support/factories.ts';
import { prng } from '../../support/prng.ts';
import { until } from '../../support/until.ts';

const LOUNGE = checkpointId('lounge');
const OUTCOMES: Outcome[] = ['valid', 'valid', 'valid', 'already_used', 'unknown'];

/** `n` scans of 25 tickets over three hours, stamped out of the order they are listed in. */
function scansOf(seed: number, n: number): Scan[] {
  const random = prng(seed);
  const out: Scan[] = [];
  const admissions: Scan[] = [];
  for (let i = 0; i < n; i++) {
    const device = random() < 0.5 ? DEVICE_A : DEVICE_B;
    if (random() < 0.12 && admissions.length > 0) {
      const target = admissions[Math.floor(random() * admissions.length)]!;
      // Mostly stamped after the admission (it counts), sometimes before it (it does not).
      const at = target.at + Math.floor((random() - 0.2) * 600_000);
      const undo = makeAnnulment({ target, id: scanId(`s-undo-${i}`), hlc: hlcAt(at, i), at, clockOffset: 0, deviceId: device, inspectorId: INSPECTOR_A, checkpoint: target, offline: true });
      out.push(random() < 0.1 ? { ...undo, quarantine: 'unknown_checkpoint' } : undo);
      continue;
    }
    const at = T0 + Math.floor(random() * 3 * 3600_000);
    const lounge = random() < 0.4;
    const exit = lounge && random() < 0.4;
    const scan = makeScan({
      id: scanId(`s-${i}`), ticketId: random() < 0.05 ? null : ticketId(`t${Math.floor(random() * 25)}`), at, hlc: hlcAt(at, i), deviceId: device,
      ...(lounge ? { checkpointId: LOUNGE, zone: 'vip', mode: 'entry_exit' as const } : {}),
      direction: exit ? 'exit' : 'entry', outcome: exit ? 'exit' : OUTCOMES[Math.floor(random() * OUTCOMES.length)]!,
      ...(random() < 0.05 ? { quarantine: 'unknown_checkpoint' as const } : {}),
    });
    out.push(scan);
    if (isAdmitting(scan.outcome) && scan.quarantine === undefined) admissions.push(scan);
  }
  return out;
}

/** The counters rebuilt from every stored scan, in one batch, without the tally. */
async function rebuilt(storage: SqliteStorage): Promise<LiveSnapshot> {
  const all = await storage.scansAfter(EVENT, 0, 100_000);
  const counters = new LiveCounters();
  counters.apply(all.scans, []);
  return counters.snapshot(EVENT, await storage.admissibleTicketCount(EVENT));
}

const fromTally = (storage: SqliteStorage) => new Live({ storage, log: silentLogger }).snapshot(EVENT);

describe('live counters from the tally', () => {
  let dir: string;
  let file: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gk-tally-')); file = join(dir, 'gatekeeper.sqlite'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('equal the counters rebuilt from every scan, before and after a restart', async () => {
    let storage = openSqliteStorage({ file });
    await storage.createEvent(makeEvent());
    const scans = scansOf(7, 600);
    for (let i = 0; i < scans.length; i += 50) await storage.uploadOffline(scans.slice(i, i + 50), T0);
    const want = await rebuilt(storage);
    expect(want.admitted).toBeGreaterThan(0);
    expect(want.zones.length).toBe(1);
    expect(await fromTally(storage)).toEqual(want);
    await storage.close();
    storage = openSqliteStorage({ file });
    try {
      expect(await fromTally(storage)).toEqual(want);
    } finally { await storage.close(); }
  });

  it('are filled in by their migration from the scans a database already held', async () => {
    const db = new Database(file);
    // Every migration before the one that makes the tallies.
    migrate(db, MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.sql.includes('CREATE TABLE live_totals'))));
    const event = eventToRow(makeEvent());
    db.prepare('INSERT INTO events (id, name, venue, starts_at, ends_at, time_zone) VALUES (@id, @name, @venue, @starts_at, @ends_at, @time_zone)').run(event);
    const scans = scansOf(11, 400);
    const columns = Object.keys(scanToRow(scans[0]!, T0));
    const insert = db.prepare(`INSERT INTO scans (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    db.transaction(() => { for (const s of scans) insert.run(scanToRow(s, T0)); })();
    db.close();
    const storage = openSqliteStorage({ file });
    try {
      expect(storage.pragmas().userVersion).toBe(MIGRATIONS.length);
      const want = await rebuilt(storage);
      expect(want.admitted).toBeGreaterThan(0);
      expect(await fromTally(storage)).toEqual(want);
    } finally { await storage.close(); }
  });

  it('folded from the deltas of gossiped batches, equal a fresh snapshot and the rebuilt counters', async () => {
    const storage = openSqliteStorage({ file });
    try {
      await storage.createEvent(makeEvent());
      const scans = scansOf(23, 500);
      await storage.uploadOffline(scans.slice(0, 100), T0);
      const live = new Live({ storage, log: silentLogger });
      let view: LiveSnapshot | null = null;
      const reader: LiveReader = {
        eventId: EVENT, staff: { role: 'supervisor' }, open: true,
        send(msg: Down | OutgoingMessage) {
          const m = msg instanceof OutgoingMessage ? msg.msg : msg;
          if (m.type === 'live') view = m.snapshot;
          if (m.type === 'liveDelta') view = applyLiveDelta(view!, m.delta);
        },
      };
      await live.subscribe(reader);
      let cursor = (await storage.latestCursor(EVENT));
      for (let i = 100; i < scans.length; i += 40) {
        await storage.uploadOffline(scans.slice(i, i + 40), T0);
        const batch: StoredScan[] = (await storage.scansAfter(EVENT, cursor, 1000)).scans;
        cursor = batch.at(-1)!.seq;
        live.gossiped(EVENT, batch);
      }
      await until(() => view?.cursor === cursor, 'the last delta');
      const want = await rebuilt(storage);
      expect(view).toEqual(want);
      expect(await live.snapshot(EVENT)).toEqual(want);
      live.leave(reader);
    } finally { await storage.close(); }
  });
});
