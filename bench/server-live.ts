// The supervisors' live view (issue 10).
//
// server.live.rebuild: an event's counters are built when a supervisor subscribes (or asks
// GET …/live), from the tally storage keeps as it stores scans (migration 8), then kept from
// the gossip while anyone watches. How long that takes on the history benchmarks' event
// (1,000,000 scans of 100,000 tickets, every checkpoint of the demo, its entry/exit lounge
// included; support/history-db.ts), and what the counters then hold in memory.
import { loadavg } from 'node:os';
import { Live } from '../sync-server/src/live/live.ts';
import { silentLogger } from '../sync-server/src/log.ts';
import { openSqliteStorage } from '../sync-server/src/storage/sqlite/index.ts';
import { DEMO_EVENT } from '../tests/support/server.ts';
import { HISTORY_SEED, seededHistoryCopy } from './support/history-db.ts';
import type { BenchResult } from './types.ts';

/** Seeding a fresh machine takes minutes (see server-history.ts). */
export const timeoutMs = 20 * 60_000;

const REBUILD_TARGET_MS = 10_000;

async function rebuild(): Promise<BenchResult> {
  const db = await seededHistoryCopy();
  try {
    const storage = openSqliteStorage({ file: db.dbFile });
    try {
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const live = new Live({ storage, log: silentLogger });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const snapshot = await live.snapshot(DEMO_EVENT);
      const cpu = process.cpuUsage(cpu0);
      const ms = performance.now() - t0;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      global.gc?.();
      const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      return {
        id: 'server.live.rebuild', value: Math.round(ms), unit: 'ms', baseline: null, baselineValue: null, ratio: null,
        target: `<= ${REBUILD_TARGET_MS} ms`, met: ms <= REBUILD_TARGET_MS,
        notes: `CPU ${cpuMs.toFixed(1)} ms (load average ${loadavg()[0]!.toFixed(1)}); ${HISTORY_SEED.scans.toLocaleString('en')} scans, cursor ${snapshot.cursor}, ${snapshot.admitted} tickets admitted, ` +
          `${snapshot.minutes.length} minute rows; heap after ${global.gc ? `${heapMb.toFixed(1)} MB` : 'not measured (run node with --expose-gc)'} (the snapshot read, nothing kept)`,
      };
    } finally {
      await storage.close();
    }
  } finally {
    db.remove();
  }
}

export async function run(): Promise<BenchResult[]> {
  return [await rebuild()];
}
