// What the console's Live section shows (live-view.ts): every checkpoint of the event in
// the manifest's order, at 0 when nobody entered there; the entry/exit zones; the outcome
// mix with refusals by reason, flagged when the gates refuse too much; entries per minute
// over the chart's span, a quiet minute at 0.
import { describe, expect, it } from 'vitest';
import { checkpointId } from '@gatekeeper/shared/ids';
import type { LiveSnapshot } from '@gatekeeper/shared/protocol/live';
import { liveFigures, minuteSeries, outcomeMix, REFUSAL_ALARM_MIN_SCANS } from '../../scanner-pwa/src/lib/console/live-view.ts';
import { EVENT, makeCheckpoint, T0 } from '../support/factories.ts';

const MIN = 60_000;
const north = makeCheckpoint({ id: checkpointId('north'), name: 'North gate', zone: 'venue', mode: 'once_per_event' });
const south = makeCheckpoint({ id: checkpointId('south'), name: 'South gate', zone: 'venue', mode: 'once_per_event' });
const bar = makeCheckpoint({ id: checkpointId('bar'), name: 'VIP bar', zone: 'vip', mode: 'entry_exit' });

const snapshot = (over: Partial<LiveSnapshot> = {}): LiveSnapshot => ({
  eventId: EVENT, cursor: 10, ticketsSold: 400, admitted: 100, quarantined: 0, checkpoints: [], zones: [], minutes: [], outcomes: [], ...over,
});

describe('live figures', () => {
  it('lists every checkpoint in the manifest\u2019s order, at 0 where nobody entered, then any the manifest lacks', () => {
    const f = liveFigures(snapshot({ checkpoints: [{ checkpointId: checkpointId('added-later'), admitted: 3 }, { checkpointId: south.id, admitted: 97 }] }), [north, south, bar]);
    expect(f.checkpoints.map((c) => [c.name, c.admitted])).toEqual([['North gate', 0], ['South gate', 97], ['VIP bar', 0], ['added-later', 3]]);
    expect([f.admitted, f.sold, f.share]).toEqual([100, 400, 0.25]);
  });

  it('shows the entry/exit zones (empty ones at 0), not the others', () => {
    const f = liveFigures(snapshot({ zones: [{ zone: 'vip', inside: 12 }] }), [north, bar]);
    expect(f.zones).toEqual([{ zone: 'vip', names: ['VIP bar'], inside: 12 }]);
    expect(liveFigures(snapshot(), [north, bar]).zones).toEqual([{ zone: 'vip', names: ['VIP bar'], inside: 0 }]);
    expect(liveFigures(snapshot(), [north]).zones).toEqual([]);
  });

  it('nothing sold: a share of 0, not a division by zero', () => {
    expect(liveFigures(snapshot({ ticketsSold: 0, admitted: 0 }), []).share).toBe(0);
  });
});

describe('the outcome mix', () => {
  it('counts refusals by reason, the most frequent first; admissions and exits are no refusals', () => {
    const mix = outcomeMix([
      { outcome: 'valid', count: 70 }, { outcome: 'exit', count: 10 }, { outcome: 'unknown', count: 5 }, { outcome: 'already_used', count: 15 },
    ]);
    expect(mix.total).toBe(100);
    expect(mix.refused).toBe(20);
    expect(mix.refusals.map((r) => [r.outcome, r.count, r.share])).toEqual([['already_used', 15, 0.15], ['unknown', 5, 0.05]]);
    expect(mix.alarm).toBe(true);
  });

  it('flags a gate refusing a fifth or more, once there are enough scans to say so', () => {
    expect(outcomeMix([{ outcome: 'valid', count: 81 }, { outcome: 'unpaid', count: 19 }]).alarm).toBe(false);
    expect(outcomeMix([{ outcome: 'valid', count: 80 }, { outcome: 'unpaid', count: 20 }]).alarm).toBe(true);
    // Two refusals out of the first five scans are no trend.
    expect(outcomeMix([{ outcome: 'valid', count: 3 }, { outcome: 'unknown', count: 2 }]).alarm).toBe(false);
    const few = REFUSAL_ALARM_MIN_SCANS - 1;
    expect(outcomeMix([{ outcome: 'unknown', count: few }]).alarm).toBe(false);
  });

  it('no scans: nothing refused, no alarm', () => {
    expect(outcomeMix([])).toEqual({ total: 0, refused: 0, refusedShare: 0, refusals: [], alarm: false });
  });
});

describe('entries per minute', () => {
  const lines = liveFigures(snapshot(), [north, south, bar]).checkpoints;

  it('spans the last minutes up to now, a quiet minute at 0, checkpoints without entries left out', () => {
    const now = T0 + 10 * MIN + 30_000;
    const s = minuteSeries([
      { checkpointId: south.id, minute: T0 + 10 * MIN, entries: 4 },
      { checkpointId: north.id, minute: T0 + 8 * MIN, entries: 7 },
      { checkpointId: north.id, minute: T0 + 10 * MIN, entries: 2 },
      // Older than the span: not drawn.
      { checkpointId: bar.id, minute: T0 - 60 * MIN, entries: 9 },
    ], lines, now, 3);
    expect(s.xs).toEqual([(T0 + 8 * MIN) / 1000, (T0 + 9 * MIN) / 1000, (T0 + 10 * MIN) / 1000]);
    expect(s.series.map((x) => [x.name, x.values])).toEqual([['North gate', [7, 0, 2]], ['South gate', [0, 0, 4]]]);
    expect(s.peak).toBe(7);
  });

  it('nothing in the span: no series to draw', () => {
    expect(minuteSeries([], lines, T0, 30)).toMatchObject({ series: [], peak: 0 });
  });
});
