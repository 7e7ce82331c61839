// The console's code word: the word shown now, set by hand or drawn each day from a list,
// and its audit (who changed it, from what to what). The server pushes a new word to every
// scanner itself; this only asks for the change and shows what the server answered.
import type { AuditEntry, CodeWordReply } from '@gatekeeper/shared/api/settings';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';

export type CodeWordApi = Pick<Api, 'codeWord' | 'setCodeWord' | 'audit'>;

/** The list as the organiser types it: one word a line, blank lines and spaces dropped. */
export const wordsOfText = (text: string): string[] => text.split('\n').map((w) => w.trim()).filter(Boolean);

export class CodeWordEditor {
  #reply = $state.raw<CodeWordReply | null>(null);
  #history = $state.raw<AuditEntry[]>([]);
  #status = $state<'loading' | 'ready' | 'error'>('loading');
  #saving = $state(false);
  #error = $state.raw<unknown>(null);
  readonly #api: CodeWordApi;
  readonly #eventId: EventId;

  constructor(api: CodeWordApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get reply() { return this.#reply; }
  get history() { return this.#history; }
  get status() { return this.#status; }
  get saving() { return this.#saving; }
  /** The last load or save that failed, until one succeeds. */
  get error() { return this.#error; }

  async load(): Promise<void> {
    try {
      const [reply, audit] = await Promise.all([this.#api.codeWord(this.#eventId), this.#audit()]);
      this.#reply = reply;
      this.#history = audit;
      this.#status = 'ready';
      this.#error = null;
    } catch (e) {
      this.#error = e;
      if (!this.#reply) this.#status = 'error';
    }
  }

  /** A word by hand (null: none); ends any daily draw. */
  setWord(word: string | null): Promise<boolean> {
    return this.#save(() => this.#api.setCodeWord(this.#eventId, { codeWord: word }));
  }

  /** Draw each day from these words, changing at `changeAt` (HH:MM) in the event's zone. */
  setRule(words: string[], changeAt: string): Promise<boolean> {
    return this.#save(() => this.#api.setCodeWord(this.#eventId, { rule: { words, changeAt } }));
  }

  async #save(write: () => Promise<CodeWordReply>): Promise<boolean> {
    if (this.#saving) return false;
    this.#saving = true;
    try {
      this.#reply = await write();
      this.#error = null;
      this.#history = await this.#audit().catch(() => this.#history);
      return true;
    } catch (e) {
      this.#error = e;
      return false;
    } finally {
      this.#saving = false;
    }
  }

  // Code word rows name the event as their target; nothing else does.
  async #audit(): Promise<AuditEntry[]> {
    return (await this.#api.audit(this.#eventId, `target=${encodeURIComponent(this.#eventId)}&limit=20`)).entries;
  }
}
