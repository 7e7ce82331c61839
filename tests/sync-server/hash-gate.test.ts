// The hash gate: how many hashes run at once, how many wait, and the rest a slot takes
// after each hash so that a login flood keeps hashing to a share of one core.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { HashGate, MAX_FLOOD_REST_MS, MAX_REST_MS } from '@gatekeeper/sync-server/auth/hash-gate';
import { poolScrypt, type Scrypt } from '@gatekeeper/sync-server/auth/passwords';

describe('HashGate', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  /** Work that "hashes" for `ms` of the gate's clock, and says when it started. */
  const hashFor = (ms: number, started: string[], name: string) => async () => {
    started.push(name);
    vi.setSystemTime(Date.now() + ms);
    return name;
  };

  it('runs one at a time, queues up to its bound, and refuses beyond it with busy', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1 }, () => Date.now());
    const started: string[] = [];
    let release!: () => void;
    const first = gate.run(() => new Promise<string>((r) => { started.push('a'); release = () => r('a'); }));
    const second = gate.run(hashFor(10, started, 'b'));
    const third = gate.run(hashFor(10, started, 'c'));
    await expect(third).rejects.toSatisfy((e) => e instanceof GkError && e.code === 'busy');
    expect(started).toEqual(['a']);
    release();
    expect(await first).toBe('a');
    expect(await second).toBe('b');
    expect(gate.running).toBe(0);
  });

  it('at duty 0.5, rests as long as it hashed before the next one starts', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 4, duty: 0.5 }, () => Date.now());
    const started: string[] = [];
    const a = gate.run(hashFor(40, started, 'a'));
    const b = gate.run(hashFor(40, started, 'b'));
    expect(await a).toBe('a');
    await vi.advanceTimersByTimeAsync(39);
    expect(started).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(2);
    expect(started).toEqual(['a', 'b']);
    expect(await b).toBe('b');
    // The slot rests after the last one too, then is free.
    expect(gate.running).toBe(1);
    await vi.advanceTimersByTimeAsync(41);
    expect(gate.running).toBe(0);
  });

  it('rests longer while its queue is full (a flood), at floodDuty, but not before a known browser\u2019s login', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1, duty: 0.5, floodDuty: 0.25 }, () => Date.now());
    const started: string[] = [];
    const a = gate.run(hashFor(40, started, 'a'));
    const b = gate.run(hashFor(40, started, 'b'));
    const c = gate.run(hashFor(40, started, 'c'), 'known');
    // a finished with staff (c) waiting: c goes next, at once.
    expect(await a).toBe('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['a', 'c']);
    expect(await c).toBe('c');
    // c finished with b waiting in a full queue: the slot rests 3 × 40 ms, not 40.
    await vi.advanceTimersByTimeAsync(119);
    expect(started).toEqual(['a', 'c']);
    await vi.advanceTimersByTimeAsync(2);
    expect(started).toEqual(['a', 'c', 'b']);
    expect(await b).toBe('b');
    // Then at duty, with nothing behind it.
    expect(gate.running).toBe(1);
    await vi.advanceTimersByTimeAsync(41);
    expect(gate.running).toBe(0);
  });

  it('wakes a resting slot for a known browser\u2019s login that arrives during the rest', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1, duty: 0.5, floodDuty: 0.1 }, () => Date.now());
    const started: string[] = [];
    const a = gate.run(hashFor(100, started, 'a'));
    const b = gate.run(hashFor(10, started, 'b'));
    // b waits in a full queue: after a the slot rests 900 ms (a flood's share).
    expect(await a).toBe('a');
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual(['a']);
    // Staff arrive mid-rest: they are served now, not after the flood's rest.
    const staff = gate.run(hashFor(10, started, 'staff'), 'known');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['a', 'staff']);
    expect(await staff).toBe('staff');
    // The flood does not gain from it: the slot's own rest is not cut short for b.
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['a', 'staff']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(started).toEqual(['a', 'staff', 'b']);
    await b;
  });

  it('rests at most MAX_REST_MS, however long a starved hash took', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 4, duty: 0.25 }, () => Date.now());
    const started: string[] = [];
    const a = gate.run(hashFor(5_000, started, 'a'));
    const b = gate.run(hashFor(10, started, 'b'));
    expect(await a).toBe('a');
    await vi.advanceTimersByTimeAsync(MAX_REST_MS - 1);
    expect(started).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(2);
    expect(started).toEqual(['a', 'b']);
    await b;
  });

  it('rests up to MAX_FLOOD_REST_MS while its queue is full, so a flood gets floodDuty of a slot', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1, duty: 0.5, floodDuty: 0.1 }, () => Date.now());
    const started: string[] = [];
    const a = gate.run(hashFor(100, started, 'a'));
    const b = gate.run(hashFor(10, started, 'b'));
    // b waits in a full queue: a's rest is 9 × 100 ms, past MAX_REST_MS.
    expect(await a).toBe('a');
    await vi.advanceTimersByTimeAsync(899);
    expect(started).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(2);
    expect(started).toEqual(['a', 'b']);
    await b;
  });

  it('rests at most MAX_FLOOD_REST_MS while its queue is full', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1, duty: 0.5, floodDuty: 0.1 }, () => Date.now());
    const started: string[] = [];
    const c = gate.run(hashFor(5_000, started, 'c'));
    const d = gate.run(hashFor(10, started, 'd'));
    expect(await c).toBe('c');
    await vi.advanceTimersByTimeAsync(MAX_FLOOD_REST_MS - 1);
    expect(started).toEqual(['c']);
    await vi.advanceTimersByTimeAsync(2);
    expect(started).toEqual(['c', 'd']);
    await d;
  });

  it('says it is full exactly when the next hash would be refused', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1 }, () => Date.now());
    let release!: () => void;
    const first = gate.run(() => new Promise<void>((r) => { release = r; }));
    expect(gate.full).toBe(false);
    const second = gate.run(async () => {});
    expect(gate.full).toBe(true);
    await expect(gate.run(async () => {})).rejects.toSatisfy((e) => e instanceof GkError && e.code === 'busy');
    release();
    await first;
    await second;
    expect(gate.full).toBe(false);
  });

  it('serves a known browser\u2019s login before the open queue, in a queue of its own that a flood does not fill', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 2, knownQueue: 1 }, () => Date.now());
    const started: string[] = [];
    let release!: () => void;
    const first = gate.run(() => new Promise<string>((r) => { started.push('a'); release = () => r('a'); }));
    const flood = [gate.run(hashFor(10, started, 'b')), gate.run(hashFor(10, started, 'c'))];
    expect(gate.full).toBe(true);
    await expect(gate.run(hashFor(10, started, 'x'))).rejects.toSatisfy((e) => e instanceof GkError && e.code === 'busy');
    const staff = gate.run(hashFor(10, started, 'staff'), 'known');
    await expect(gate.run(hashFor(10, started, 'y'), 'known')).rejects.toSatisfy((e) => e instanceof GkError && e.code === 'busy');
    expect(gate.waiting).toBe(3);
    release();
    await Promise.all([first, staff, ...flood]);
    expect(started).toEqual(['a', 'staff', 'b', 'c']);
    expect(gate.running).toBe(0);
  });

  describe('hashing passwords', () => {
    beforeEach(() => { vi.useRealTimers(); });

    it('hashes and verifies with the scrypt it was given, each taking a slot', async () => {
      const calls: number[] = [];
      const counted: Scrypt = (...args) => { calls.push(calls.length); return poolScrypt(...args); };
      const gate = new HashGate({ concurrency: 1, queue: 0, scrypt: counted });
      const stored = gate.hash('at the gate');
      await expect(gate.verify('at the gate', 'scrypt$1$1$1$x$y')).rejects.toSatisfy((e) => e instanceof GkError && e.code === 'busy');
      expect(await gate.verify('at the gate', await stored)).toBe(true);
      expect(await gate.verify('not it', await stored)).toBe(false);
      expect(calls).toHaveLength(3);
    });
  });
});
