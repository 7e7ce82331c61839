// CodeWords (sync-server/src/code-word/code-words.ts): a drawn word is written and pushed
// when its day begins, at the rule's local time, and not before; a word set by hand stops
// the draws. Timers and the clock are the test's, so a day passes in no time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { codeWordAt, drawCodeWord } from '@gatekeeper/shared/code-word';
import { inspectorId, type EventId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import { CodeWords } from '../../sync-server/src/code-word/code-words.ts';
import { silentLogger } from '../../sync-server/src/log.ts';
import { openSqliteStorage, type SqliteStorage } from '../../sync-server/src/storage/sqlite/index.ts';
import { EVENT, makeEvent, makeStaff } from '../support/factories.ts';

const ZONE = 'Europe/Amsterdam';
/** Who sets the word (a person's change is audited under their name). */
const SAM = inspectorId('sup-1');
const rule = { words: ['Amber Owl', 'Silver Eel', 'Copper Hare', 'Iron Crow', 'Jade Newt', 'Ruby Wren', 'Onyx Mole'], changeAt: '06:00' };

let storage: SqliteStorage;
let clock: number;
let pushed: Array<{ eventId: EventId; msg: Down }>;
let words: CodeWords;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  storage = openSqliteStorage({ file: ':memory:' });
  await storage.createEvent(makeEvent({ timeZone: ZONE }));
  await storage.createStaff(makeStaff({ id: SAM, username: 'sam', role: 'supervisor' }));
  // Saturday 28 March 2026, 12:00 in Amsterdam: the clocks go forward that night.
  clock = Date.parse('2026-03-28T11:00:00Z');
  pushed = [];
  words = new CodeWords({ storage, push: { broadcast: (eventId, msg) => pushed.push({ eventId, msg }) }, log: silentLogger, now: () => clock });
});

afterEach(async () => {
  words.stop();
  vi.useRealTimers();
  await storage.close();
});

/** Let the clock run to `iso`, firing every timer due on the way. */
async function runTo(iso: string): Promise<void> {
  const to = Date.parse(iso);
  const ms = to - clock;
  clock = to;
  await vi.advanceTimersByTimeAsync(ms);
}

const codeWords = () => pushed.map((p) => (p.msg as { codeWord: string | null }).codeWord);

describe('the code word drawn each day', () => {
  it('is today\u2019s at once, and the next day\u2019s at 06:00 local across the spring clock change', async () => {
    const reply = await words.setRule(EVENT, rule, SAM);
    expect(reply).toEqual({ codeWord: drawCodeWord(rule, EVENT, '2026-03-28'), rule, nextChangeAt: Date.parse('2026-03-29T04:00:00Z') });
    expect(codeWords()).toEqual([drawCodeWord(rule, EVENT, '2026-03-28')]);
    await runTo('2026-03-29T03:59:59Z');
    expect(codeWords()).toHaveLength(1);
    await runTo('2026-03-29T04:00:00Z');
    const sunday = drawCodeWord(rule, EVENT, '2026-03-29');
    expect(await storage.getCodeWord(EVENT)).toBe(sunday);
    // Pushed only when the word differs from the day before (a list may draw the same twice).
    const saturday = drawCodeWord(rule, EVENT, '2026-03-28');
    expect(codeWords()).toEqual(saturday === sunday ? [saturday] : [saturday, sunday]);
    expect((await words.current(EVENT)).nextChangeAt).toBe(Date.parse('2026-03-30T04:00:00Z'));
  });

  it('over a week, the stored word is always the one the shared rule gives', async () => {
    await words.setRule(EVENT, rule, SAM);
    for (let day = 0; day < 7; day++) {
      await runTo(new Date(clock + 6 * 3_600_000).toISOString());
      expect(await storage.getCodeWord(EVENT)).toBe(codeWordAt(rule, EVENT, clock, ZONE));
    }
  });

  it('stops being drawn once a word is set by hand', async () => {
    await words.setRule(EVENT, rule, SAM);
    await words.setByHand(EVENT, 'Blue Heron', SAM);
    expect(await storage.getCodeWordRule(EVENT)).toBeNull();
    await runTo('2026-03-31T12:00:00Z');
    expect(await storage.getCodeWord(EVENT)).toBe('Blue Heron');
    expect(codeWords().at(-1)).toBe('Blue Heron');
  });

  it('after a restart, draws the word of the day it starts in', async () => {
    await words.setRule(EVENT, rule, SAM);
    words.stop();
    clock = Date.parse('2026-04-02T10:00:00Z');
    const again = new CodeWords({ storage, push: { broadcast: () => {} }, log: silentLogger, now: () => clock });
    await again.start();
    expect(await storage.getCodeWord(EVENT)).toBe(drawCodeWord(rule, EVENT, '2026-04-02'));
    again.stop();
  });
});
