// Hashing on threads of its own at the lowest CPU priority: the work is charged to a
// nice-19 thread, the caller's thread keeps its priority, the stored format is the same
// whichever thread hashed, and stopping lets asked hashes finish and ends the threads.
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@gatekeeper/sync-server/auth/passwords';
import { HASHING_NICE, ScryptThreads } from '@gatekeeper/sync-server/auth/scrypt-threads';
import { threads, threadsSince } from '../support/threads.ts';

const hashingThreads = (before: ReturnType<typeof threads>) => threadsSince(before).filter((t) => t.nice === HASHING_NICE);

describe('ScryptThreads', () => {
  it('hashes on a thread of its own at nice 19, and the calling thread keeps its priority', async () => {
    const before = threads();
    const mine = getPriority();
    const hasher = new ScryptThreads(1);
    try {
      const stored = await hashPassword('right one', hasher.scrypt);
      expect(await verifyPassword('right one', stored, hasher.scrypt)).toBe(true);
      expect(await verifyPassword('wrong one', stored, hasher.scrypt)).toBe(false);
      const [thread, ...more] = hashingThreads(before);
      expect(more).toEqual([]);
      // Three hashes of CPU time were charged to it (in clock ticks, 10 ms each).
      expect(thread!.cpuTicks).toBeGreaterThan(0);
      expect(getPriority()).toBe(mine);
    } finally { await hasher.stop(); }
  });

  it('keeps the stored format: a hash made on the pool verifies on the threads, and back', async () => {
    const hasher = new ScryptThreads(1);
    try {
      const onPool = await hashPassword('pool made');
      const onThread = await hashPassword('thread made', hasher.scrypt);
      expect(onThread.split('$').slice(0, 4)).toEqual(onPool.split('$').slice(0, 4));
      expect(await verifyPassword('pool made', onPool, hasher.scrypt)).toBe(true);
      expect(await verifyPassword('thread made', onThread)).toBe(true);
    } finally { await hasher.stop(); }
  });

  it('hashes side by side on at most `size` threads', async () => {
    const before = threads();
    const hasher = new ScryptThreads(2);
    try {
      const stored = await Promise.all(['a1', 'b2', 'c3', 'd4'].map((p) => hashPassword(p, hasher.scrypt)));
      expect(await Promise.all(stored.map((s, i) => verifyPassword(['a1', 'b2', 'c3', 'd4'][i]!, s, hasher.scrypt)))).toEqual([true, true, true, true]);
      expect(hashingThreads(before)).toHaveLength(2);
    } finally { await hasher.stop(); }
  });

  it('reports a hash that fails and goes on hashing', async () => {
    const hasher = new ScryptThreads(1);
    try {
      // N must be a power of two.
      await expect(verifyPassword('x', 'scrypt$1000$8$1$c2FsdA$aGFzaA', hasher.scrypt)).rejects.toThrow(/scrypt failed/);
      expect(await verifyPassword('y', await hashPassword('y', hasher.scrypt), hasher.scrypt)).toBe(true);
    } finally { await hasher.stop(); }
  });

  it('on stop, finishes the hashes already asked for, ends its threads and refuses more', async () => {
    const before = threads();
    const hasher = new ScryptThreads(1);
    const asked = hashPassword('asked before stop', hasher.scrypt);
    await hasher.stop();
    expect(await verifyPassword('asked before stop', await asked)).toBe(true);
    expect(hashingThreads(before)).toEqual([]);
    await expect(hashPassword('after stop', hasher.scrypt)).rejects.toThrow(/stopping/);
  });
});
