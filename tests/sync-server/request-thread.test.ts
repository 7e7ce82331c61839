// The worker thread both server threads are built on (scrypt-threads.ts, sync-worker.ts):
// answers in the order asked, errors come back with their code, a thread that dies fails
// what it owed, and stop() answers what was asked first.
import { describe, expect, it } from 'vitest';
import { RequestThread, requestThreadSource } from '@gatekeeper/sync-server/request-thread';

const doubler = (name = 'test thread') => new RequestThread<number>({
  source: requestThreadSource(
    '',
    `if (m.n === 'die') process.exit(3);
     if (m.n < 0) { const e = new Error('negative ' + m.n); e.code = 'ENEG'; throw e; }
     return m.n * 2;`,
  ),
  name,
  errorPrefix: 'doubling failed: ',
  read: (v) => v as number,
});

describe('RequestThread', () => {
  it('answers each request its own, in the order asked', async () => {
    const t = doubler();
    try {
      const asked = [1, 2, 3, 4, 5].map((n) => t.ask({ n }));
      expect(t.pending).toBe(5);
      expect(await Promise.all(asked)).toEqual([2, 4, 6, 8, 10]);
      expect(t.pending).toBe(0);
    } finally { await t.stop(); }
  });

  it('reports what the worker threw, with its code, and goes on answering', async () => {
    const t = doubler();
    try {
      await expect(t.ask({ n: -1 })).rejects.toMatchObject({ message: 'doubling failed: negative -1', code: 'ENEG' });
      expect(await t.ask({ n: 21 })).toBe(42);
    } finally { await t.stop(); }
  });

  it('fails what it owed when its worker dies, and says it is no longer alive', async () => {
    const t = doubler('doubling thread');
    const dying = t.ask({ n: 'die' });
    const after = t.ask({ n: 1 });
    await expect(dying).rejects.toThrow('the doubling thread stopped');
    await expect(after).rejects.toThrow('the doubling thread stopped');
    expect(t.alive).toBe(false);
    await t.stop();
  });

  it('on stop, answers what was asked before, then ends', async () => {
    const t = doubler();
    const asked = t.ask({ n: 7 });
    const stopped = t.stop();
    expect(await asked).toBe(14);
    await stopped;
    expect(t.alive).toBe(false);
  });
});
