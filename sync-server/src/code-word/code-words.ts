// The code word of the day as the server keeps it: set by hand, or drawn from the
// organiser's list when each day begins (shared/src/code-word.ts says which word a day
// gets). The word in force is always the one in storage (code_words), which is what the
// welcome, the event details and the manifest read; this class writes it there when a
// drawn word's day begins and pushes it to every scanner of the event at that moment.
//
// One timer per event with a rule, armed for its next change. A server that was down at
// the change catches up when it starts (start()), and a timer that fires late (a suspended
// laptop) draws for the day it wakes in, not the one it slept through. Several instances on
// one database each arm theirs: a rule set through one is announced to the others
// (`push.ruleChanged`, `rearm`), so the draw does not depend on that one instance running;
// the first to draw stores the word, the others find it stored.
//
// A person's change (by hand, or a new list) stores the word, the rule and its audit row in
// one transaction: the word a new list gives today is drawn before it is stored.
import type { CodeWordReply } from '@gatekeeper/shared/api/settings';
import { codeWordAt, nextCodeWordChange, type CodeWordRule } from '@gatekeeper/shared/code-word';
import type { EventId, InspectorId } from '@gatekeeper/shared/ids';
import { GkError, type Down } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { Storage } from '../storage/types.ts';

export interface CodeWordsDeps {
  storage: Storage;
  push: {
    broadcast(eventId: EventId, msg: Down): void;
    /** Tell the other server instances that the event's rule changed (hub.ts). */
    ruleChanged?(eventId: EventId): void;
  };
  log: Logger;
  now: () => number;
}

/** setTimeout takes at most 2^31 - 1 ms; a change further off is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CodeWords {
  readonly #deps: CodeWordsDeps;
  readonly #timers = new Map<EventId, ReturnType<typeof setTimeout>>();
  #stopped = false;

  constructor(deps: CodeWordsDeps) { this.#deps = deps; }

  /** Bring every event's drawn word up to date and arm the timers. */
  async start(): Promise<void> {
    for (const { eventId } of await this.#deps.storage.listCodeWordRules()) await this.#apply(eventId);
  }

  /** The event's rule was changed elsewhere (another instance): arm or disarm its timer here. */
  rearm(eventId: EventId): Promise<void> {
    return this.#apply(eventId);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  async current(eventId: EventId): Promise<CodeWordReply> {
    const { storage, now } = this.#deps;
    const [codeWord, rule, event] = await Promise.all([storage.getCodeWord(eventId), storage.getCodeWordRule(eventId), storage.getEvent(eventId)]);
    if (!event) throw new GkError('not_found', `no event ${eventId}`);
    return { codeWord, rule, nextChangeAt: rule ? nextCodeWordChange(now(), rule.changeAt, event.timeZone) : null };
  }

  /** A word by hand (null: none), set by `actor`: any rule ends. Pushed to every scanner at once. */
  async setByHand(eventId: EventId, word: string | null, actor: InspectorId): Promise<CodeWordReply> {
    this.#disarm(eventId);
    await this.#set(eventId, { word, rule: null }, actor);
    return this.current(eventId);
  }

  /** Draw from this list from now on, as `actor` said: today's word at once, each next day's at `changeAt`. */
  async setRule(eventId: EventId, rule: CodeWordRule, actor: InspectorId): Promise<CodeWordReply> {
    const event = await this.#deps.storage.getEvent(eventId);
    if (!event) throw new GkError('not_found', `no event ${eventId}`);
    await this.#set(eventId, { word: codeWordAt(rule, eventId, this.#deps.now(), event.timeZone), rule }, actor);
    await this.#apply(eventId);
    return this.current(eventId);
  }

  /** A person's change: the word and rule with their audit row, one write; pushed. */
  async #set(eventId: EventId, after: { word: string | null; rule: CodeWordRule | null }, actor: InspectorId): Promise<void> {
    const { storage, push, now } = this.#deps;
    const before = { codeWord: await storage.getCodeWord(eventId), rule: await storage.getCodeWordRule(eventId) };
    await storage.setCodeWordSetting(eventId, after, {
      eventId, actor, action: after.rule ? 'code_word.rule' : 'code_word.set', target: eventId,
      before, after: { codeWord: after.word, rule: after.rule }, reason: null, at: now(),
    });
    push.broadcast(eventId, { type: 'codeWord', eventId, codeWord: after.word });
    push.ruleChanged?.(eventId);
  }

  /** Store the word the rule gives now (pushed if it changed) and arm the timer for the next. */
  async #apply(eventId: EventId): Promise<void> {
    const { storage, now } = this.#deps;
    this.#disarm(eventId);
    const [rule, event] = await Promise.all([storage.getCodeWordRule(eventId), storage.getEvent(eventId)]);
    if (!rule || !event || this.#stopped) return;
    const at = now();
    await this.#store(eventId, codeWordAt(rule, eventId, at, event.timeZone), false);
    const wait = Math.min(Math.max(0, nextCodeWordChange(at, rule.changeAt, event.timeZone) - at), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.#timers.delete(eventId);
      this.#apply(eventId).catch((e: unknown) => this.#deps.log.error('could not draw the code word of the day', { event: eventId, err: String(e) }));
    }, wait);
    timer.unref?.();
    this.#timers.set(eventId, timer);
  }

  async #store(eventId: EventId, word: string | null, always: boolean): Promise<void> {
    const { storage, push, log } = this.#deps;
    if (!always && (await storage.getCodeWord(eventId)) === word) return;
    await storage.setCodeWord(eventId, word);
    push.broadcast(eventId, { type: 'codeWord', eventId, codeWord: word });
    if (!always) log.info('code word of the day drawn', { event: eventId });
  }

  #disarm(eventId: EventId): void {
    const t = this.#timers.get(eventId);
    if (t !== undefined) clearTimeout(t);
    this.#timers.delete(eventId);
  }
}
