// JSON log lines, and the throttle for a line that would otherwise repeat with every scan.
import { describe, expect, it } from 'vitest';
import { jsonLogger, throttledLog } from '../../sync-server/src/log.ts';

function recorder() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: jsonLogger('info', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) };
}

describe('logging', () => {
  it('writes one JSON object per line, at the level asked and above', () => {
    const { lines, log } = recorder();
    log.debug('not shown');
    log.info('shown', { a: 1 });
    log.error('also shown');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['info', 'shown'], ['error', 'also shown']]);
    expect(lines[0]).toMatchObject({ a: 1, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('a throttled line is written once per window, saying how many were left out', () => {
    const { lines, log } = recorder();
    let t = 0;
    const cannotStore = throttledLog(log, 'error', 'cannot store', 10_000, () => t);
    for (let i = 0; i < 1000; i++) { cannotStore({ ref: `s-${i}` }); t += 5; }
    // 5 s of failures: the first line only.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'cannot store', ref: 's-0' });
    t = 10_000;
    cannotStore({ ref: 'later' });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ ref: 'later', leftOut: 999 });
  });
});
