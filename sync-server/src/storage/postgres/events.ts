// Events and their set-up: checkpoints, signing keys, the code word and its rule. A
// person's change of the code word sets the word and the rule together, with its audit.
import type { CodeWordRule } from '@gatekeeper/shared/code-word';
import type { EventId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { Storage } from '../types.ts';
import type { Audited } from './audit.ts';
import { isConstraintError, type Sql } from './db.ts';
import { checkpointFromRow, type CheckpointRow, checkpointToRow, eventFromRow, eventKeyFromRow, type EventKeyRow, eventKeyToRow, type EventRow, eventToRow, ruleFromRow, type RuleRow } from '../rows.ts';
import { bits, insertOf } from './row-sql.ts';

export type PgEventMethods = Pick<Storage,
  | 'createEvent' | 'getEvent' | 'listEvents' | 'upsertCheckpoint' | 'listCheckpoints' | 'getCheckpoint'
  | 'addEventKey' | 'listEventKeys' | 'setCodeWord' | 'getCodeWord' | 'getCodeWordRule' | 'setCodeWordRule' | 'listCodeWordRules'
  | 'setCodeWordSetting'>;

const EVENT_COLUMNS = ['id', 'name', 'venue', 'starts_at', 'ends_at', 'time_zone'] as const;
const CHECKPOINT_COLUMNS = ['event_id', 'id', 'name', 'zone', 'mode', 'allowed_types', 'valid_from', 'valid_until'] as const;
const KEY_COLUMNS = ['event_id', 'key_id', 'public_key', 'private_key', 'revoked', 'created_at'] as const;

const setWord = async (sql: Sql, eventId: EventId, word: string | null) => {
  if (word === null) await sql.run('DELETE FROM code_words WHERE event_id = $1', [eventId]);
  else await sql.run('INSERT INTO code_words (event_id, word) VALUES ($1, $2) ON CONFLICT (event_id) DO UPDATE SET word = excluded.word', [eventId, word]);
};

const setRule = async (sql: Sql, eventId: EventId, rule: CodeWordRule | null) => {
  if (rule === null) await sql.run('DELETE FROM code_word_rules WHERE event_id = $1', [eventId]);
  else {
    await sql.run(`INSERT INTO code_word_rules (event_id, words, change_at) VALUES ($1, $2, $3)
      ON CONFLICT (event_id) DO UPDATE SET words = excluded.words, change_at = excluded.change_at`, [eventId, JSON.stringify(rule.words), rule.changeAt]);
  }
};

export function pgEventMethods(sql: Sql, withAudit: Audited): PgEventMethods {
  return {
    async createEvent(event) {
      try {
        await sql.run(...insertOf('events', EVENT_COLUMNS, eventToRow(event)));
      } catch (e) {
        if (isConstraintError(e)) throw new GkError('bad_request', `event ${event.id} already exists`);
        throw e;
      }
    },
    async getEvent(id) {
      const row = await sql.one<EventRow>('SELECT * FROM events WHERE id = $1', [id]);
      return row ? eventFromRow(row) : null;
    },
    async listEvents() {
      // Undated events last; equal dates in a stable order.
      return (await sql.all<EventRow>('SELECT * FROM events ORDER BY starts_at IS NULL, starts_at, id')).map(eventFromRow);
    },
    async upsertCheckpoint(checkpoint, audit) {
      // Edited in place: scans copy its zone and mode, so editing it never rewrites history.
      await withAudit((tx) => tx.run(...insertOf('checkpoints', CHECKPOINT_COLUMNS, checkpointToRow(checkpoint), `
        ON CONFLICT (event_id, id) DO UPDATE SET
          name = excluded.name, zone = excluded.zone, mode = excluded.mode, allowed_types = excluded.allowed_types,
          valid_from = excluded.valid_from, valid_until = excluded.valid_until`)), audit);
    },
    async listCheckpoints(eventId) {
      return (await sql.all<CheckpointRow>('SELECT * FROM checkpoints WHERE event_id = $1 ORDER BY name, id', [eventId])).map(checkpointFromRow);
    },
    async getCheckpoint(eventId, id) {
      const row = await sql.one<CheckpointRow>('SELECT * FROM checkpoints WHERE event_id = $1 AND id = $2', [eventId, id]);
      return row ? checkpointFromRow(row) : null;
    },
    async addEventKey(key) {
      // Plain insert, never replace: a key id names one key for ever.
      await sql.run(...insertOf('event_keys', KEY_COLUMNS, eventKeyToRow(key)));
    },
    async listEventKeys(eventId) {
      const rows = await sql.all<object>('SELECT * FROM event_keys WHERE event_id = $1 ORDER BY created_at, key_id', [eventId]);
      return rows.map((r) => eventKeyFromRow(bits<EventKeyRow>(r)));
    },
    async setCodeWord(eventId, word) {
      await setWord(sql, eventId, word);
    },
    async getCodeWord(eventId) {
      return (await sql.one<{ word: string }>('SELECT word FROM code_words WHERE event_id = $1', [eventId]))?.word ?? null;
    },
    async getCodeWordRule(eventId: EventId) {
      const r = await sql.one<RuleRow>('SELECT * FROM code_word_rules WHERE event_id = $1', [eventId]);
      return r ? ruleFromRow(r) : null;
    },
    async setCodeWordRule(eventId, rule) {
      await setRule(sql, eventId, rule);
    },
    async setCodeWordSetting(eventId, { word, rule }, audit) {
      await withAudit(async (tx) => {
        await setRule(tx, eventId, rule);
        await setWord(tx, eventId, word);
      }, audit);
    },
    async listCodeWordRules() {
      return (await sql.all<RuleRow>('SELECT * FROM code_word_rules ORDER BY event_id')).map((r) => ({ eventId: r.event_id as EventId, rule: ruleFromRow(r) }));
    },
  };
}
