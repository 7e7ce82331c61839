// Events and their set-up: checkpoints, signing keys, the code word of the day.
import type { Checkpoint } from '@gatekeeper/shared/domain';
import type { CheckpointId, EventId } from '@gatekeeper/shared/ids';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { Storage } from '../types.ts';
import { audited } from './audit.ts';
import { isConstraintError, type Db } from './db.ts';
import {
  checkpointFromRow, checkpointToRow, eventFromRow, eventKeyFromRow, eventKeyToRow, eventToRow,
  type CheckpointRow, type EventKeyRow, type EventRow,
} from '../rows.ts';

export type EventMethods = Pick<Storage,
  | 'createEvent' | 'getEvent' | 'listEvents' | 'upsertCheckpoint' | 'listCheckpoints' | 'getCheckpoint'
  | 'addEventKey' | 'listEventKeys' | 'setCodeWord' | 'getCodeWord'>;

export function eventMethods(db: Db): EventMethods {
  const q = {
    insertEvent: db.prepare<EventRow>(
      `INSERT INTO events (id, name, venue, starts_at, ends_at, time_zone)
       VALUES (@id, @name, @venue, @starts_at, @ends_at, @time_zone)`),
    getEvent: db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?'),
    // Undated events last; equal dates in a stable order.
    listEvents: db.prepare<[], EventRow>('SELECT * FROM events ORDER BY starts_at IS NULL, starts_at, id'),
    // A checkpoint is edited in place: scans copy its zone and mode, so editing it never
    // rewrites history (see Scan in shared/domain.ts).
    upsertCheckpoint: db.prepare<CheckpointRow>(
      `INSERT INTO checkpoints (event_id, id, name, zone, mode, allowed_types, valid_from, valid_until)
       VALUES (@event_id, @id, @name, @zone, @mode, @allowed_types, @valid_from, @valid_until)
       ON CONFLICT (event_id, id) DO UPDATE SET
         name = excluded.name, zone = excluded.zone, mode = excluded.mode, allowed_types = excluded.allowed_types,
         valid_from = excluded.valid_from, valid_until = excluded.valid_until`),
    listCheckpoints: db.prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE event_id = ? ORDER BY name, id'),
    getCheckpoint: db.prepare<[string, string], CheckpointRow>('SELECT * FROM checkpoints WHERE event_id = ? AND id = ?'),
    // Plain insert, never replace: a key id names one key for ever, and replacing its
    // material would make every ticket already signed with it fail to verify.
    insertKey: db.prepare<EventKeyRow>(
      `INSERT INTO event_keys (event_id, key_id, public_key, private_key, revoked, created_at)
       VALUES (@event_id, @key_id, @public_key, @private_key, @revoked, @created_at)`),
    listKeys: db.prepare<[string], EventKeyRow>('SELECT * FROM event_keys WHERE event_id = ? ORDER BY created_at, key_id'),
    setCodeWord: db.prepare<[string, string]>(
      'INSERT INTO code_words (event_id, word) VALUES (?, ?) ON CONFLICT (event_id) DO UPDATE SET word = excluded.word'),
    clearCodeWord: db.prepare<[string]>('DELETE FROM code_words WHERE event_id = ?'),
    getCodeWord: db.prepare<[string], { word: string }>('SELECT word FROM code_words WHERE event_id = ?'),
  };

  const withAudit = audited(db);

  return {
    async createEvent(event: GkEvent) {
      try {
        q.insertEvent.run(eventToRow(event));
      } catch (e) {
        if (isConstraintError(e)) throw new GkError('bad_request', `event ${event.id} already exists`);
        throw e;
      }
    },
    async getEvent(id: EventId) {
      const row = q.getEvent.get(id);
      return row ? eventFromRow(row) : null;
    },
    async listEvents() {
      return q.listEvents.all().map(eventFromRow);
    },
    async upsertCheckpoint(checkpoint: Checkpoint, audit) {
      withAudit(() => q.upsertCheckpoint.run(checkpointToRow(checkpoint)), audit);
    },
    async listCheckpoints(eventId: EventId) {
      return q.listCheckpoints.all(eventId).map(checkpointFromRow);
    },
    async getCheckpoint(eventId: EventId, id: CheckpointId) {
      const row = q.getCheckpoint.get(eventId, id);
      return row ? checkpointFromRow(row) : null;
    },
    async addEventKey(key) {
      q.insertKey.run(eventKeyToRow(key));
    },
    async listEventKeys(eventId: EventId) {
      return q.listKeys.all(eventId).map(eventKeyFromRow);
    },
    async setCodeWord(eventId: EventId, word: string | null) {
      if (word === null) q.clearCodeWord.run(eventId);
      else q.setCodeWord.run(eventId, word);
    },
    async getCodeWord(eventId: EventId) {
      return q.getCodeWord.get(eventId)?.word ?? null;
    },
  };
}
