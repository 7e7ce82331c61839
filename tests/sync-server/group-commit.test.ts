// Group commit: online scans stored together, one transaction and one fsync per batch.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '@gatekeeper/sync-server/scans/group-commit';
import { until, UNIT_WAIT_MS } from '../support/until.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A batch store whose batches finish when the test says: `stored` are the batches begun. */
function heldStore() {
  const stored: number[][] = [];
  const finish: Array<(fail?: Error) => void> = [];
  const store = (items: number[]) => new Promise<number[]>((resolve, reject) => {
    stored.push(items);
    finish.push((fail) => (fail ? reject(fail) : resolve(items.map((n) => n * 10))));
  });
  return { stored, finish, store };
}

describe('GroupCommit', () => {
  it('stores what is submitted in one event-loop turn as one batch, in order', async () => {
    const { stored, finish, store } = heldStore();
    const group = new GroupCommit(store);
    const answers = [group.submit(1), group.submit(2), group.submit(3)];
    await until(() => stored.length === 1, 'the batch begun', UNIT_WAIT_MS);
    finish[0]!();
    expect(await Promise.all(answers)).toEqual([10, 20, 30]);
    expect(stored).toEqual([[1, 2, 3]]);
  });

  it('holds what arrives while a batch is being stored, and stores it together after that batch', async () => {
    // One transaction and one fsync per batch: arrivals during a batch's fsync committed
    // each on its own would cost a commit each (and the WAL pages it rewrites) for nothing,
    // since none of them can be acknowledged before the fsync after that one anyway.
    const { stored, finish, store } = heldStore();
    const group = new GroupCommit(store);
    const first = group.submit(1);
    await until(() => stored.length === 1, 'the first batch begun', UNIT_WAIT_MS);
    const later = [group.submit(2)];
    await nextTurn();
    later.push(group.submit(3));
    await nextTurn();
    await nextTurn();
    expect(stored).toEqual([[1]]);
    finish[0]!();
    expect(await first).toBe(10);
    await until(() => stored.length === 2, 'the second batch begun', UNIT_WAIT_MS);
    expect(stored[1]).toEqual([2, 3]);
    finish[1]!();
    expect(await Promise.all(later)).toEqual([20, 30]);
  });

  it('fails only the batch that failed; what waited behind it is stored next', async () => {
    const { stored, finish, store } = heldStore();
    const group = new GroupCommit(store);
    const first = group.submit(1);
    await until(() => stored.length === 1, 'the first batch begun', UNIT_WAIT_MS);
    const second = group.submit(2);
    finish[0]!(new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    await until(() => stored.length === 2, 'the second batch begun', UNIT_WAIT_MS);
    finish[1]!();
    expect(await second).toBe(20);
    expect(stored).toEqual([[1], [2]]);
  });

  it('splits a backlog into batches of at most its bound', async () => {
    const { stored, finish, store } = heldStore();
    const group = new GroupCommit(store, 2);
    const answers = [1, 2, 3, 4, 5].map((n) => group.submit(n));
    for (let i = 0; i < 3; i++) {
      await until(() => stored.length === i + 1, `batch ${i + 1} begun`, UNIT_WAIT_MS);
      finish[i]!();
    }
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50]);
    expect(stored).toEqual([[1, 2], [3, 4], [5]]);
  });
});
