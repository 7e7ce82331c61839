// The history benchmarks' event: 1,000,000 scans of 100,000 demo tickets in a SQLite
// file. Seeding takes minutes, so the seeded file is kept in the system's temp folder,
// named by the seed's version and the schema's, and each run works on a copy (a server
// writes sessions as soon as someone logs in). Nothing of it is committed.
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../sync-server/src/storage/sqlite/migrations.ts';
import { seedHistory, type HistorySeed } from './history-seed.ts';
import { startServerProcess } from './server-process.ts';

/** Bump when the seed's rows change (history-seed.ts or the numbers below). */
const SEED_VERSION = 1;

export const HISTORY_TICKETS = 100_000;
/** Five festival days of scans, from a fixed start so every run filters the same rows. */
export const HISTORY_SEED: HistorySeed = { scans: 1_000_000, startAt: Date.UTC(2026, 6, 1, 8), spanMs: 5 * 24 * 3600_000, devices: 60 };

export interface SeededCopy {
  dbFile: string;
  /** Whether this call seeded the cached file (minutes) or found it. */
  seededMs: number | null;
  remove(): void;
}

/**
 * A fresh copy of the seeded database, seeding it first if no earlier run left one. The
 * demo is created by the real server (migrations, key, staff, tickets), which then stops;
 * the scans go in with a second connection. A seed that is cut short is never mistaken
 * for a whole one: it is written under another name and renamed when complete.
 */
export async function seededHistoryCopy(): Promise<SeededCopy> {
  const cached = join(tmpdir(), `gk-bench-history-seed${SEED_VERSION}-schema${SCHEMA_VERSION}.sqlite`);
  let seededMs: number | null = null;
  if (!existsSync(cached)) {
    const t0 = performance.now();
    const building = `${cached}.${process.pid}.partial`;
    try {
      const server = await startServerProcess({ demoTickets: HISTORY_TICKETS, dbFile: building });
      await server.close();
      seedHistory(building, HISTORY_TICKETS, HISTORY_SEED);
      renameSync(building, cached);
    } finally {
      for (const f of [building, `${building}-wal`, `${building}-shm`]) rmSync(f, { force: true });
    }
    seededMs = performance.now() - t0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gk-bench-history-'));
  const dbFile = join(dir, 'gatekeeper.sqlite');
  copyFileSync(cached, dbFile);
  return { dbFile, seededMs, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
