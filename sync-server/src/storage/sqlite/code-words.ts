// The rule each day's code word is drawn by (code-word/code-words.ts draws it); no row: the
// word is set by hand.
import type { CodeWordRule } from '@gatekeeper/shared/code-word';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Storage } from '../types.ts';
import type { Db } from './db.ts';

export type CodeWordRuleMethods = Pick<Storage, 'getCodeWordRule' | 'setCodeWordRule' | 'listCodeWordRules'>;

interface RuleRow { event_id: string; words: string; change_at: string }

const ruleFromRow = (r: RuleRow): CodeWordRule => ({ words: JSON.parse(r.words) as string[], changeAt: r.change_at });

export function codeWordRuleMethods(db: Db): CodeWordRuleMethods {
  const q = {
    getRule: db.prepare<[string], RuleRow>('SELECT * FROM code_word_rules WHERE event_id = ?'),
    setRule: db.prepare<RuleRow>(
      `INSERT INTO code_word_rules (event_id, words, change_at) VALUES (@event_id, @words, @change_at)
       ON CONFLICT (event_id) DO UPDATE SET words = excluded.words, change_at = excluded.change_at`),
    clearRule: db.prepare<[string]>('DELETE FROM code_word_rules WHERE event_id = ?'),
    listRules: db.prepare<[], RuleRow>('SELECT * FROM code_word_rules ORDER BY event_id'),
  };
  return {
    async getCodeWordRule(eventId: EventId) {
      const r = q.getRule.get(eventId);
      return r ? ruleFromRow(r) : null;
    },
    async setCodeWordRule(eventId: EventId, rule: CodeWordRule | null) {
      if (rule === null) q.clearRule.run(eventId);
      else q.setRule.run({ event_id: eventId, words: JSON.stringify(rule.words), change_at: rule.changeAt });
    },
    async listCodeWordRules() {
      return q.listRules.all().map((r) => ({ eventId: r.event_id as EventId, rule: ruleFromRow(r) }));
    },
  };
}
