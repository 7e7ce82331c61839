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
import { applyLiveDelta } from '@gatekeeper/shared/live-counts';
import type { Down, LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import { Live, type LiveReader } from '../../../sync-server/src/live/live.ts';
import { silentLogger } from '../../../sync-server/src/log.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../sync-server/src/storage/sqlite/index.ts';
import { MIGRATIONS, migrate } from '../../../sync-server/src/storage/sqlite/migrations.ts';
import { eventToRow, scanToRow } from '../../../sync-server/src/storage/rows.ts';
import type { StoredScan } from '../../../sync-server/src/storage/types.ts';
import { OutgoingMessage } from '../../../sync-server/src/hub/frames.ts';
import { EVENT, T0, makeEvent } from '../../support/factories.ts';
import { fromTally, rebuilt, scansOf, tallyEqualsRebuild } from '../../support/live-scans.ts';
import { until } from '../../support/until.ts';


describe('live counters from the tally', () => {
  let dir: string;
  let file: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gk-tally-')); file = join(dir, 'gatekeeper.sqlite'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('equal the counters rebuilt from every scan, before and after a restart', async () => {
    let storage = openSqliteStorage({ file });
    await storage.createEvent(makeEvent());
    const want = await tallyEqualsRebuild(storage, 7);
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
