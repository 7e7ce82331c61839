// The rule each day's code word is drawn by (code-word/code-words.ts draws it); no row: the
// word is set by hand. A person's change sets the word and the rule together, with its audit.
import type { CodeWordRule } from '@gatekeeper/shared/code-word';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Storage } from '../types.ts';
import { audited } from './audit.ts';
import type { Db } from './db.ts';
import { ruleFromRow, type RuleRow } from '../rows.ts';

export type CodeWordRuleMethods = Pick<Storage, 'getCodeWordRule' | 'setCodeWordRule' | 'listCodeWordRules' | 'setCodeWordSetting'>;

export function codeWordRuleMethods(db: Db): CodeWordRuleMethods {
  const q = {
    getRule: db.prepare<[string], RuleRow>('SELECT * FROM code_word_rules WHERE event_id = ?'),
    setRule: db.prepare<RuleRow>(
      `INSERT INTO code_word_rules (event_id, words, change_at) VALUES (@event_id, @words, @change_at)
       ON CONFLICT (event_id) DO UPDATE SET words = excluded.words, change_at = excluded.change_at`),
    clearRule: db.prepare<[string]>('DELETE FROM code_word_rules WHERE event_id = ?'),
    listRules: db.prepare<[], RuleRow>('SELECT * FROM code_word_rules ORDER BY event_id'),
    setWord: db.prepare<[string, string]>(
      'INSERT INTO code_words (event_id, word) VALUES (?, ?) ON CONFLICT (event_id) DO UPDATE SET word = excluded.word'),
    clearWord: db.prepare<[string]>('DELETE FROM code_words WHERE event_id = ?'),
  };
  const withAudit = audited(db);
  const setRule = (eventId: EventId, rule: CodeWordRule | null) => {
    if (rule === null) q.clearRule.run(eventId);
    else q.setRule.run({ event_id: eventId, words: JSON.stringify(rule.words), change_at: rule.changeAt });
  };
  return {
    async getCodeWordRule(eventId: EventId) {
      const r = q.getRule.get(eventId);
      return r ? ruleFromRow(r) : null;
    },
    async setCodeWordRule(eventId: EventId, rule: CodeWordRule | null) {
      setRule(eventId, rule);
    },
    async setCodeWordSetting(eventId, { word, rule }, audit) {
      withAudit(() => {
        setRule(eventId, rule);
        if (word === null) q.clearWord.run(eventId);
        else q.setWord.run(eventId, word);
      }, audit);
    },
    async listCodeWordRules() {
      return q.listRules.all().map((r) => ({ eventId: r.event_id as EventId, rule: ruleFromRow(r) }));
    },
  };
}
