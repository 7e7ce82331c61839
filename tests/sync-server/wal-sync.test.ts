// Grouped WAL syncs: a caller waits for a sync that began after its call, and callers that
// arrive while one is in flight share the single sync that follows it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WalSync } from '@gatekeeper/sync-server/storage/sqlite/wal-sync';
import { until } from '../support/until.ts';

const dir = mkdtempSync(join(tmpdir(), 'gk-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function controlled() {
  const started: Array<() => void> = [];
  const wal = join(dir, `x-${Math.random()}.sqlite-wal`);
  writeFileSync(wal, 'frames');
  const sync = new WalSync(wal, () => new Promise<void>((r) => started.push(r)));
  // settle: a moment for a wrong extra sync to show itself; waits for what must happen use until().
  return { sync, started, settle: () => new Promise((r) => setTimeout(r, 10)) };
}

describe('WalSync', () => {
  it('one sync for a lone caller', async () => {
    const { sync, started, settle } = controlled();
    const a = sync.flush();
    await until(() => started.length === 1, 'the sync to start');
    await settle();
    expect(started).toHaveLength(1);
    started[0]!();
    await a;
    await sync.close();
  });

  it('callers during a sync wait for one more sync, shared among them', async () => {
    const { sync, started, settle } = controlled();
    const done: string[] = [];
    const a = sync.flush().then(() => done.push('a'));
    await until(() => started.length === 1, 'the first sync to start');
    const b = sync.flush().then(() => done.push('b'));
    const c = sync.flush().then(() => done.push('c'));
    await settle();
    expect(started).toHaveLength(1);
    started[0]!();
    await a;
    await until(() => started.length === 2, 'the shared second sync to start');
    expect(done).toEqual(['a']);
    started[1]!();
    await Promise.all([b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
    expect(started).toHaveLength(2);
    await sync.close();
  });

  it('a failed sync fails its callers, and the next caller tries again', async () => {
    const wal = join(dir, 'fail.sqlite-wal');
    writeFileSync(wal, 'frames');
    let calls = 0;
    const sync = new WalSync(wal, async () => { if (++calls === 1) throw new Error('EIO'); });
    await expect(sync.flush()).rejects.toThrow('EIO');
    await sync.flush();
    expect(calls).toBe(2);
    await sync.close();
  });

  it('a WAL file that does not exist yet is nothing to sync', async () => {
    let calls = 0;
    const sync = new WalSync(join(dir, 'absent.sqlite-wal'), async () => { calls++; });
    await sync.flush();
    expect(calls).toBe(0);
    await sync.close();
  });
});
