// WAL checkpoints on a worker thread: the server's connection never checkpoints inside a
// commit, the worker keeps the WAL copied back, and if the worker fails the connection
// goes back to checkpointing by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanId, TicketId } from '@gatekeeper/shared/ids';
import { Checkpointer } from '@gatekeeper/sync-server/storage/sqlite/checkpointer';
import { openSqliteStorage } from '@gatekeeper/sync-server/storage/sqlite/index';
import { EVENT, makeEvent, makeScan, makeTicket } from '../support/factories.ts';
import { UNIT_WAIT_MS, until } from '../support/until.ts';
import { runStorageContract } from './storage-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'gk-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `db-${++files}.sqlite`);

runStorageContract('SQLite on a file, checkpoints on a worker', async () => openSqliteStorage({ file: freshFile(), checkpoints: 'worker' }));

describe('checkpoints on a worker thread', () => {
  it('turns the connection\u2019s own checkpoints off and copies the WAL back from the worker', async () => {
    const s = openSqliteStorage({ file: freshFile(), checkpoints: 'worker' });
    try {
      expect(s.pragmas().walAutocheckpoint).toBe(0);
      await s.createEvent(makeEvent());
      const tickets = Array.from({ length: 300 }, (_, i) => makeTicket({ id: `T${i}` as TicketId }));
      await s.importTickets(EVENT, [], tickets);
      await s.uploadOffline(tickets.map((t, i) => makeScan({ id: `s-${i}` as ScanId, ticketId: t.id })), Date.now());
      // Every frame in the WAL copied back into the database, by the worker.
      await until(() => { const c = s.lastCheckpoint(); return c !== null && c.log > 0 && c.checkpointed === c.log; }, 'the worker to checkpoint the whole log', UNIT_WAIT_MS);
      expect(s.integrityCheck()).toBe('ok');
    } finally {
      await s.close();
    }
  });

  it('leaves SQLite\u2019s own checkpoints on when not asked for a worker', async () => {
    const s = openSqliteStorage({ file: freshFile() });
    try {
      expect(s.pragmas().walAutocheckpoint).toBe(1000);
      expect(s.lastCheckpoint()).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('gives the checkpoints back to the connection if the worker fails', async () => {
    // The file is gone by the time the worker opens it (it insists the file exists), so it
    // fails at once; this connection keeps its open file and goes on.
    const file = freshFile();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    rmSync(file);
    const failures: unknown[] = [];
    const c = new Checkpointer(db, (e) => failures.push(e));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await until(() => failures.length > 0, 'the checkpointer to report a failure', UNIT_WAIT_MS);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await c.stop();
    db.close();
  });
});
