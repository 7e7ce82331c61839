// A real server hashes logins on a thread of its own at the lowest CPU priority (so that
// during a login flood the gates' scans get the CPU first: server.verdict.p99.loginFlood)
// and ends that thread when it closes.
import { describe, expect, it } from 'vitest';
import { HASHING_NICE } from '../../sync-server/src/auth/scrypt-threads.ts';
import { postFrom } from '../support/http-from.ts';
import { login, startTestServer } from '../support/server.ts';
import { threads, threadsSince } from '../support/threads.ts';

describe('a server hashing passwords', () => {
  it('judges logins on a nice-19 thread and stops it when it closes', async () => {
    const before = threads();
    const server = await startTestServer();
    try {
      // No login yet, no thread: most servers hash rarely.
      expect(threadsSince(before).filter((t) => t.nice === HASHING_NICE)).toEqual([]);
      expect((await postFrom(server.url, '/api/login', { username: 'inspector', password: 'not it' })).status).toBe(401);
      expect((await postFrom(server.url, '/api/login', { username: 'inspector', password: login('inspector').password })).status).toBe(200);
      const hashing = threadsSince(before).filter((t) => t.nice === HASHING_NICE);
      expect(hashing).toHaveLength(1);
      expect(hashing[0]!.cpuTicks).toBeGreaterThan(0);
    } finally { await server.close(); }
    expect(threadsSince(before).filter((t) => t.nice === HASHING_NICE)).toEqual([]);
  });
});
