// `npm run bench` installs PostgreSQL's server programs when a pg benchmark runs, as
// `npm test` does for its tests (scripts/ensure.mjs --postgres), and only then.
import { describe, expect, it } from 'vitest';
import { ensureFlags } from '../../bench/support/prerequisites.ts';

describe('the benchmarks\u2019 prerequisites', () => {
  it('ask ensure.mjs for PostgreSQL when a pg module is selected', () => {
    expect(ensureFlags(['server-race.ts', 'pg-gossip.ts'], {})).toEqual(['--postgres']);
    expect(ensureFlags(['pg-arbitrate.ts'], {})).toEqual(['--postgres']);
  });

  it('ask for nothing when none is, or when GK_TEST_DATABASE_URL names a server', () => {
    expect(ensureFlags(['server-race.ts', 'pwa-verdict.ts'], {})).toEqual([]);
    expect(ensureFlags(['pg-gossip.ts'], { GK_TEST_DATABASE_URL: 'postgres://db.example/gk' })).toEqual([]);
  });
});
