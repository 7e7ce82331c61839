// The WAL fsync on its own thread: a thread pool full of password hashes (a login flood)
// must not hold up the fsync that scan acknowledgements wait on.
import { scrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncWorker } from '@gatekeeper/sync-server/storage/sqlite/sync-worker';

const dir = mkdtempSync(join(tmpdir(), 'gk-syncw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fill libuv's pool (4 threads) with hashes; each pushes 'hash' to `order` when done. */
const flood = (order: string[]) => Array.from({ length: 8 }, () => new Promise<void>((resolve, reject) => {
  scrypt('guess', 'salt', 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 }, (e) => { if (e) reject(e); else { order.push('hash'); resolve(); } });
}));

describe('SyncWorker', () => {
  it('fsyncs while every thread of the pool is hashing, before any hash is done', { timeout: 60_000 }, async () => {
    const file = join(dir, 'a.sqlite-wal');
    writeFileSync(file, 'frames');
    const handle = await open(file, 'r');
    const worker = new SyncWorker();
    try {
      await worker.syncFile(handle); // the worker is up
      const order: string[] = [];
      const hashes = flood(order);
      await worker.syncFile(handle).then(() => order.push('fsync'));
      await Promise.all(hashes);
      expect(order[0]).toBe('fsync');
      // On the pool, the same fsync waits for a hash to finish first.
      const pooled: string[] = [];
      const more = flood(pooled);
      await handle.sync().then(() => pooled.push('fsync'));
      await Promise.all(more);
      expect(pooled[0]).toBe('hash');
    } finally {
      await handle.close();
      await worker.stop();
    }
  });

  it('reports a failed fsync with its error code', async () => {
    const worker = new SyncWorker();
    // A descriptor nothing has open (descriptors are handed out lowest first, so a closed
    // one is soon reused by another test's file, and fsync on that gave EINVAL, not EBADF).
    const fd = 999_999;
    try {
      await expect(worker.syncFile({ fd } as Parameters<typeof worker.syncFile>[0])).rejects.toMatchObject({ code: 'EBADF' });
    } finally { await worker.stop(); }
  });
});
