// The SQLite adapter: the shared Storage contract on a file and in memory, then what only
// SQLite has: pragmas, migrations, integrity, and surviving a close or a kill -9.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectorId, ticketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { openSqliteStorage, type SqliteStorage } from '@gatekeeper/sync-server/storage/sqlite/index';
import { withReadCache } from '@gatekeeper/sync-server/storage/read-cache';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '@gatekeeper/sync-server/storage/sqlite/migrations';
import { EVENT, makeEvent, makeScan, makeTicket } from '../support/factories.ts';
import { runStorageContract } from './storage-contract.ts';
import { until } from '../support/until.ts';

const dir = mkdtempSync(join(tmpdir(), 'gk-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshFile = () => join(dir, `db-${++files}.sqlite`);

runStorageContract('SQLite on a file', async () => openSqliteStorage({ file: freshFile() }));
runStorageContract('SQLite in memory', async () => openSqliteStorage({ file: ':memory:' }));
// The server's storage: the same adapter with its hot reads held in memory (read-cache.ts).
runStorageContract('SQLite behind the read cache', async () => withReadCache(openSqliteStorage({ file: freshFile() })));

describe('SQLite adapter', () => {
  const withStorage = async (file: string, fn: (s: SqliteStorage) => Promise<void>, synchronous?: 'FULL' | 'NORMAL') => {
    const s = openSqliteStorage({ file, ...(synchronous ? { synchronous } : {}) });
    try { await fn(s); } finally { await s.close(); }
  };

  it('opens in WAL mode with FULL durability (the WAL fsynced off the event loop), foreign keys on and a busy timeout', async () => {
    await withStorage(freshFile(), async (s) => {
      expect(s.pragmas()).toMatchObject({ journalMode: 'wal', synchronous: 1, durability: 'FULL', foreignKeys: true });
      expect(s.pragmas().busyTimeoutMs).toBeGreaterThan(0);
    });
  });

  it('uses NORMAL durability when asked', async () => {
    await withStorage(freshFile(), async (s) => { expect(s.pragmas()).toMatchObject({ synchronous: 1, durability: 'NORMAL' }); }, 'NORMAL');
  });

  it('resolves a write only after an fsync of the WAL that began after it; reads and no-op writes wait for none', async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    const s = openSqliteStorage({
      file: freshFile(),
      syncFile: () => { log.push('sync'); return new Promise<void>((r) => { release = () => { log.push('synced'); r(); }; }); },
    });
    try {
      const created = s.createEvent(makeEvent()).then(() => log.push('created'));
      await until(() => log.length > 0, 'the sync to start');
      await new Promise((r) => setTimeout(r, 20));
      // The disk is still syncing and the event loop is free: timers fire, reads answer.
      expect(log).toEqual(['sync']);
      expect(await s.listEvents()).toHaveLength(1);
      release();
      await created;
      expect(log).toEqual(['sync', 'synced', 'created']);

      log.length = 0;
      await s.listEvents();
      expect(log).toEqual([]);

      const scan = makeScan();
      const first = s.uploadOffline([scan], 1);
      await until(() => log.length > 0, 'the sync to start');
      release();
      await first;
      log.length = 0;
      // The same scan again changes no row: nothing to make durable.
      expect((await s.uploadOffline([scan], 2))[0]!.status).toBe('duplicate');
      expect(log).toEqual([]);
    } finally {
      release();
      await s.close();
    }
  });

  it('a failed fsync (disk full, I/O error) is `unavailable`; the retry that finds the scan stored is acknowledged only after a sync succeeds', async () => {
    let fail = false;
    let syncs = 0;
    const s = openSqliteStorage({
      file: freshFile(),
      syncFile: async () => {
        syncs++;
        if (fail) throw Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' });
      },
    });
    try {
      await s.createEvent(makeEvent());
      await s.importTickets(EVENT, [], [makeTicket()]);
      const scan = makeScan();
      fail = true;
      const err = await s.uploadOffline([scan], 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GkError);
      expect(err).toMatchObject({ code: 'unavailable', status: 503, details: { cause: 'ENOSPC' } });
      // Committed, but not known to be on disk: the retry must not be answered before a sync.
      const before = syncs;
      await expect(s.uploadOffline([scan], 2)).rejects.toMatchObject({ code: 'unavailable' });
      expect(syncs).toBe(before + 1);
      fail = false;
      expect((await s.uploadOffline([scan], 3))[0]!.status).toBe('duplicate');
      expect(syncs).toBe(before + 2);
      // Synced again: a duplicate is free once more.
      expect((await s.uploadOffline([scan], 4))[0]!.status).toBe('duplicate');
      expect(syncs).toBe(before + 2);
    } finally {
      await s.close();
    }
  });

  it('does not sync a database in memory', async () => {
    let syncs = 0;
    const s = openSqliteStorage({ file: ':memory:', syncFile: async () => { syncs++; } });
    await s.createEvent(makeEvent());
    await s.close();
    expect(syncs).toBe(0);
  });

  it('migrates a new database to the newest version, recorded in user_version', async () => {
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    await withStorage(freshFile(), async (s) => { expect(s.pragmas().userVersion).toBe(SCHEMA_VERSION); });
  });

  it('keeps data across close and reopen, running no migration twice', async () => {
    const file = freshFile();
    const scan = makeScan();
    await withStorage(file, async (s) => {
      await s.createEvent(makeEvent());
      await s.importTickets(EVENT, [], [makeTicket()]);
      await s.uploadOffline([scan], 1);
    });
    await withStorage(file, async (s) => {
      expect(s.pragmas().userVersion).toBe(SCHEMA_VERSION);
      expect(await s.getEvent(EVENT)).toEqual(makeEvent());
      expect(await s.getTicket(EVENT, makeTicket().id)).toEqual(makeTicket());
      expect(await s.ticketScans(EVENT, makeTicket().id)).toEqual([scan]);
      expect(s.integrityCheck()).toBe('ok');
    });
  });

  it('has a scan log id of its own, made with the database and kept across reopening (migration 4)', async () => {
    const file = freshFile();
    let id = '';
    await withStorage(file, async (s) => { id = await s.scanLogId(); });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await withStorage(file, async (s) => { expect(await s.scanLogId()).toBe(id); });
    await withStorage(freshFile(), async (s) => { expect(await s.scanLogId()).not.toBe(id); });
  });

  it('gives a database from before migration 4 a log id when it migrates', async () => {
    const file = freshFile();
    const raw = new Database(file);
    for (const m of MIGRATIONS.filter((x) => x.version < 4)) raw.exec(m.sql);
    raw.pragma('user_version = 3');
    raw.close();
    await withStorage(file, async (s) => {
      expect(s.pragmas().userVersion).toBe(SCHEMA_VERSION);
      expect(await s.scanLogId()).toMatch(/^[0-9a-f]{32}$/);
    });
  });

  it('keeps the checkpoint and import audit of migration 9 when 11 rebuilds the table for staff changes and reasons', async () => {
    const file = freshFile();
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.slice(0, 9));
    raw.exec(`INSERT INTO events (id, name, time_zone) VALUES ('${EVENT}', 'Fair', 'Europe/Amsterdam');
      INSERT INTO staff (id, username, name, role, password_hash, disabled) VALUES ('sup-1', 'sam', 'Sam', 'supervisor', 'x', 0);
      INSERT INTO audit_log (event_id, actor, action, target, before_json, after_json, at)
        VALUES ('${EVENT}', 'sup-1', 'checkpoint.update', 'north-gate', '{"mode":"entry"}', '{"mode":"exit"}', 5);`);
    raw.close();
    await withStorage(file, async (s) => {
      expect(s.pragmas().userVersion).toBe(SCHEMA_VERSION);
      const kept = await s.recordAudit({ eventId: null, actor: inspectorId('sup-1'), action: 'staff.role', target: 'i-x', before: { role: 'inspector' }, after: { role: 'supervisor' }, reason: null, at: 6 });
      const { entries } = await s.listAudit(EVENT, { limit: 10, withStaff: true });
      expect(entries).toEqual([kept, {
        id: 1, eventId: EVENT, actor: 'sup-1', actorName: 'Sam', action: 'checkpoint.update', target: 'north-gate',
        before: { mode: 'entry' }, after: { mode: 'exit' }, reason: null, at: 5,
      }]);
      expect(kept.id).toBe(2);
      expect(s.integrityCheck()).toBe('ok');
    });
  });

  it('indexes the words of the names a database held before migration 16', async () => {
    const file = freshFile();
    await withStorage(file, async (s) => {
      await s.createEvent(makeEvent());
      await s.importTickets(EVENT, [], [makeTicket({ id: ticketId('t-wu'), orderId: null, holderName: 'Li Wu' })]);
    });
    const raw = new Database(file);
    raw.exec('DROP TRIGGER ticket_name_words_ai; DROP TRIGGER ticket_name_words_ad; DROP TRIGGER ticket_name_words_au; DROP TABLE ticket_name_words');
    raw.pragma('user_version = 15');
    raw.close();
    await withStorage(file, async (s) => {
      expect(s.pragmas().userVersion).toBe(SCHEMA_VERSION);
      expect((await s.searchTickets(EVENT, 'wu', 10)).map((t) => t.id)).toEqual(['t-wu']);
      expect(s.integrityCheck()).toBe('ok');
    });
  });

  it('passes the integrity check after writes', async () => {
    await withStorage(freshFile(), async (s) => {
      await s.createEvent(makeEvent());
      await s.uploadOffline([makeScan(), makeScan({ at: 2 })], 3);
      expect(s.integrityCheck()).toBe('ok');
    });
  });

  it('refuses a database written by a newer server', () => {
    const file = freshFile();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openSqliteStorage({ file })).toThrow(/newer/);
  });

  it('rolls a failing migration back whole, version included', () => {
    const raw = new Database(':memory:');
    try {
      const steps = [
        { version: 1, sql: 'CREATE TABLE a (x INTEGER)' },
        { version: 2, sql: 'CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);' },
      ];
      expect(() => migrate(raw, steps)).toThrow(/no_such_table/);
      expect(raw.pragma('user_version', { simple: true })).toBe(1);
      expect(raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()).toEqual(['a']);
      expect(migrate(raw, steps.slice(0, 1))).toBe(1); // nothing left to run: idempotent
    } finally {
      raw.close();
    }
  });

  it('refuses migrations that are not numbered 1, 2, 3, …', () => {
    const raw = new Database(':memory:');
    try {
      expect(() => migrate(raw, [{ version: 2, sql: 'SELECT 1' }])).toThrow(/versions must run/);
    } finally {
      raw.close();
    }
  });

  it('keeps an acknowledged scan when the server process is killed with SIGKILL', async () => {
    const file = freshFile();
    const scan = makeScan();
    const entry = fileURLToPath(new URL('../../sync-server/src/storage/sqlite/index.ts', import.meta.url));
    // The child acknowledges on stdout once uploadOffline has resolved, then idles until
    // killed: whatever it acknowledged must be there when the next process opens the file.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { openSqliteStorage } from ${JSON.stringify(entry)};
      const s = openSqliteStorage({ file: ${JSON.stringify(file)} });
      await s.createEvent(${JSON.stringify(makeEvent())});
      await s.uploadOffline([${JSON.stringify(scan)}], 1);
      process.stdout.write('stored\\n');
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('stored')) resolve(); });
      child.on('exit', () => reject(new Error(`child exited before storing: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await withStorage(file, async (s) => {
      expect(await s.ticketScans(EVENT, makeTicket().id)).toEqual([scan]);
      expect(s.integrityCheck()).toBe('ok');
    });
  }, 30_000);
});
