// Work nobody awaits: a failure is logged with what it was, never left unhandled, and
// settled() waits for all of it, including work that work started.
import { describe, expect, it } from 'vitest';
import { TrackedWork } from '../../scanner-pwa/src/lib/sync/tracked-work.ts';

describe('TrackedWork', () => {
  it('logs a failure under its name and waits for work added while waiting', async () => {
    const logged: string[] = [];
    const work = new TrackedWork((what, e) => logged.push(`${what}: ${(e as Error).message}`));
    const done: string[] = [];
    work.add(Promise.reject(new Error('DatabaseClosedError')), 'store verdict');
    work.add(new Promise<void>((r) => setTimeout(() => {
      done.push('first');
      work.add(new Promise<void>((r2) => setTimeout(() => { done.push('second'); r2(); }, 10)), 'upload');
      r();
    }, 10)), 'count pending');
    await work.settled();
    expect(done).toEqual(['first', 'second']);
    expect(logged).toEqual(['store verdict: DatabaseClosedError']);
    await work.settled();
  });
});
