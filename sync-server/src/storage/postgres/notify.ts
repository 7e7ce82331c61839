// Gossip between server instances on one database: PostgreSQL's LISTEN/NOTIFY, no other
// service. Each scan transaction notifies, inside itself, the events it stored scans of and
// the conflicts it recorded; PostgreSQL delivers a notification only once its transaction
// commits, in commit order, to every connection listening on the channel. An instance reads
// the event's log on from storage when told (hub/event-tail.ts). The notification carries
// the scans it stored when they fit a payload (PostgreSQL's limit is 8,000 bytes) and the
// sender speaks the same protocol: the tail then sends them on with no read, as it does
// its own process's, if they follow what it sent last with no number missing; otherwise it
// reads. A notification that does not carry them, or is lost, costs no scan, only a read
// or a delay until the next one. Conflicts are carried: they are told once, as the
// instance that recorded them tells its own phones.
//
// The channel is per schema (notifications are per database, and tests keep several stores
// in one); an instance skips what it sent itself, which its own scan service told already.
//
// Pushes other than gossip (a code word, a revoked device, an alert: storage/types.ts
// `Announcement`) go on the same channel, sent by the instance that made them to its own
// sockets, after what they announce was committed; they carry what each push says, and a
// lost one is lost (as a push to a socket that is down is): phones read the state again on
// their next connect.
//
// One connection of its own listens (a pooled one would be handed to queries). When it is
// lost it is opened again, and the listener is told `resumed`: every log is read on, since
// notifications sent meanwhile are gone.
import { randomUUID } from 'node:crypto';
import type { Conflict } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION } from '@gatekeeper/shared/protocol/index';
import pg from 'pg';
import type { Announcement, StoredScan, StoreListener, StoreNotifications } from '../types.ts';
import type { Sql } from './db.ts';

/** Below PostgreSQL's 8,000 bytes per payload, with room for the envelope. */
const MAX_PAYLOAD = 7_000;
/** In bytes, as PostgreSQL counts: a scanned text may be 512 characters of three bytes each. */
const fits = (note: string): boolean => Buffer.byteLength(note) <= MAX_PAYLOAD;

function byEventOf<T>(items: readonly T[], eventOf: (item: T) => EventId): Map<EventId, T[]> {
  const out = new Map<EventId, T[]>();
  for (const item of items) {
    const list = out.get(eventOf(item));
    if (list) list.push(item); else out.set(eventOf(item), [item]);
  }
  return out;
}
/** How long to wait before opening a lost listening connection again. */
const RECONNECT_MS = 1_000;

/**
 * From origin `o`: event `e`'s log grew, by scans `s` when they fit (stored by a sender of
 * protocol `v`: the scans' shape), with conflicts `c`; or announcement `a`.
 */
type Note = { o: string; e: EventId; v?: number; s?: StoredScan[]; c?: Conflict[] } | { o: string; a: Announcement };

export interface Notifier {
  /** Inside a scan transaction: the scans it stored (not the duplicates), then the conflicts it recorded. */
  told(sql: Sql, stored: readonly StoredScan[], conflicts: readonly Conflict[]): Promise<void>;
}

export function channelOf(schema: string): string { return `gk_log_${schema}`; }

export function notifierFor(channel: string, origin: string): Notifier {
  return {
    async told(sql, stored, conflicts) {
      const notes: string[] = [...byEventOf(stored, (x) => x.scan.eventId)].map(([e, s]) => {
        const full = JSON.stringify({ o: origin, e, v: PROTOCOL_VERSION, s } satisfies Note);
        return fits(full) ? full : JSON.stringify({ o: origin, e } satisfies Note);
      });
      for (const [e, list] of byEventOf(conflicts, (c) => c.eventId)) {
        let chunk: Conflict[] = [];
        const flush = () => { if (chunk.length) notes.push(JSON.stringify({ o: origin, e, c: chunk } satisfies Note)); chunk = []; };
        for (const c of list) {
          if (!fits(JSON.stringify([...chunk, c]))) flush();
          chunk.push(c);
        }
        flush();
      }
      // In the order given: a conflict's note after its scans' (delivered in this order).
      if (notes.length) await sql.run('SELECT pg_notify($1, n) FROM unnest($2::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i', [channel, notes]);
    },
  };
}

/** Listening on `channel` for what other instances (not `origin`) commit. */
export function listenerFor(options: { url: string; channel: string; origin: string; sql: Sql; onError?: (e: unknown) => void }): StoreNotifications {
  return {
    async announce(a) {
      const note = JSON.stringify({ o: options.origin, a } satisfies Note);
      if (!fits(note)) throw new Error(`an announcement of ${Buffer.byteLength(note)} bytes is over PostgreSQL's notification limit`);
      await options.sql.run('SELECT pg_notify($1, $2)', [options.channel, note]);
    },
    async listen(listener: StoreListener) {
      let client: pg.Client | null = null;
      let stopped = false;
      let retry: ReturnType<typeof setTimeout> | null = null;
      const onNote = (m: pg.Notification) => {
        if (m.channel !== options.channel || !m.payload) return;
        let note: Note;
        try { note = JSON.parse(m.payload) as Note; } catch { return; }
        if (note.o === options.origin) return;
        if ('a' in note) listener.announced(note.a);
        else if (note.c) listener.conflicts(note.e, note.c);
        else listener.scans(note.e, note.v === PROTOCOL_VERSION && Array.isArray(note.s) ? note.s : undefined);
      };
      const lost = (e: unknown) => {
        if (stopped) return;
        options.onError?.(e);
        const gone = client;
        client = null;
        gone?.removeAllListeners();
        void gone?.end().catch(() => {});
        retry ??= setTimeout(() => { retry = null; void open(true); }, RECONNECT_MS);
        retry.unref();
      };
      const connect = async () => {
        const c = new pg.Client({ connectionString: options.url, application_name: 'gatekeeper-listen' });
        c.on('notification', onNote);
        c.on('error', lost);
        c.on('end', () => { if (client === c) lost(new Error('the listening connection ended')); });
        try {
          await c.connect();
          await c.query(`LISTEN ${options.channel}`);
        } catch (e) {
          c.removeAllListeners();
          void c.end().catch(() => {});
          throw e;
        }
        return c;
      };
      const open = async (again: boolean) => {
        try {
          const c = await connect();
          if (stopped) { await c.end(); return; }
          client = c;
          if (again) listener.resumed();
        } catch (e) {
          lost(e);
        }
      };
      // The first time, a failure is the caller's: the server does not start deaf.
      client = await connect();
      return async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        const c = client;
        client = null;
        await c?.end().catch(() => {});
      };
    },
  };
}

export const newOrigin = (): string => randomUUID();
