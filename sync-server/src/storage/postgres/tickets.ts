// Tickets and orders: imported all or nothing, each change numbered so that a phone can
// fetch only what changed since its last manifest (sqlite/tickets.ts tells why each rule).
import type { Order, Ticket } from '@gatekeeper/shared/domain';
import type { TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type pg from 'pg';
import type { Storage } from '../types.ts';
import type { Audited } from './audit.ts';
import { inTransaction, isConstraintError, type Sql } from './db.ts';
import { nameSearch } from '../name-search.ts';
import { ticketsNamed } from './names.ts';
import { orderFromRow, orderToRow, ticketFromRow, ticketToRow, type OrderRow, type TicketRow } from '../rows.ts';
import { bits, insertOf } from './row-sql.ts';

export type PgTicketMethods = Pick<Storage,
  | 'importTickets' | 'getTicket' | 'getTickets' | 'findTicketByImportedCode' | 'listOrderTickets' | 'setTicketStatus' | 'changesSince' | 'holderNames'
  | 'searchTickets'>;

const ORDER_COLUMNS = ['event_id', 'id', 'buyer_name', 'email', 'mobile', 'change_seq'] as const;
const TICKET_FIELDS = [
  'order_id', 'type', 'holder_name', 'seat', 'kind', 'e_ticket', 'status', 'valid_from', 'valid_until', 'id_check', 'imported_code',
] as const;
const TICKET_COLUMNS = ['event_id', 'id', ...TICKET_FIELDS, 'change_seq'] as const;

// Upserts touch only a row whose content differs, so re-importing the same file changes
// nothing and sends no delta to every phone; the row count then counts real changes.
const UPSERT_ORDER = `ON CONFLICT (event_id, id) DO UPDATE SET
    buyer_name = excluded.buyer_name, email = excluded.email, mobile = coalesce(excluded.mobile, orders.mobile), change_seq = excluded.change_seq
  WHERE (orders.buyer_name, orders.email) IS DISTINCT FROM (excluded.buyer_name, excluded.email)
     OR (excluded.mobile IS NOT NULL AND orders.mobile IS DISTINCT FROM excluded.mobile)`;
const UPSERT_TICKET = `ON CONFLICT (event_id, id) DO UPDATE SET
    ${TICKET_FIELDS.map((f) => `${f} = excluded.${f}`).join(', ')}, change_seq = excluded.change_seq
  WHERE (${TICKET_FIELDS.map((f) => `tickets.${f}`).join(', ')}) IS DISTINCT FROM (${TICKET_FIELDS.map((f) => `excluded.${f}`).join(', ')})`;

const ticket = (r: object) => ticketFromRow(bits<TicketRow>(r));
const found = (r: object & { buyer_name: string | null }) => ({ ...ticket(r), buyerName: r.buyer_name });
const FOUND_SELECT = 'SELECT t.*, o.buyer_name FROM tickets t LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id';

/**
 * The next change number, taking the counter's row lock until the transaction ends: a
 * second import (on this instance or another) waits, and so never numbers its changes
 * with the same value.
 */
export const nextChange = async (sql: Sql) =>
  Number((await sql.one<{ value: number }>(`SELECT value FROM counters WHERE name = 'change' FOR UPDATE`))!.value) + 1;
export const setChange = (sql: Sql, seq: number) => sql.run(`UPDATE counters SET value = $1 WHERE name = 'change'`, [seq]);

export function pgTicketMethods(pool: pg.Pool, sql: Sql, withAudit: Audited): PgTicketMethods {
  /** Run one row's write; a refused row names itself so the importer can point at it. */
  const row = async (what: string, write: () => Promise<number>): Promise<number> => {
    try {
      return await write();
    } catch (e) {
      if (isConstraintError(e)) throw new GkError('invalid_import', `${what} was refused: ${e.message}`, { row: what });
      throw e;
    }
  };

  return {
    async importTickets(eventId, orders: Order[], tickets: Ticket[], audit) {
      // One change number for the whole import; the counter moves only when something changed.
      return withAudit(async (tx) => {
        if (!(await tx.one('SELECT 1 FROM events WHERE id = $1', [eventId]))) throw new GkError('not_found', `event ${eventId} does not exist`);
        const seq = await nextChange(tx);
        let changed = 0;
        for (const o of orders) {
          if (o.eventId !== eventId) throw new GkError('invalid_import', `order ${o.id} belongs to event ${o.eventId}, not ${eventId}`, { row: `order ${o.id}` });
          changed += await row(`order ${o.id}`, () => tx.run(...insertOf('orders', ORDER_COLUMNS, { ...orderToRow(o), change_seq: seq }, UPSERT_ORDER)));
        }
        for (const t of tickets) {
          if (t.eventId !== eventId) throw new GkError('invalid_import', `ticket ${t.id} belongs to event ${t.eventId}, not ${eventId}`, { row: `ticket ${t.id}` });
          changed += await row(`ticket ${t.id}`, () => tx.run(...insertOf('tickets', TICKET_COLUMNS, { ...ticketToRow(t), change_seq: seq }, UPSERT_TICKET)));
        }
        if (changed > 0) await setChange(tx, seq);
        return { orders: orders.length, tickets: tickets.length };
      }, audit);
    },
    async getTicket(eventId, id) {
      const r = await sql.one<object>('SELECT * FROM tickets WHERE event_id = $1 AND id = $2', [eventId, id]);
      return r ? ticket(r) : null;
    },
    async getTickets(eventId, ids) {
      const out = new Map<TicketId, Ticket>();
      const rows = await sql.all<object>('SELECT * FROM tickets WHERE event_id = $1 AND id = ANY($2::text[])', [eventId, [...new Set(ids)]]);
      for (const r of rows) {
        const t = ticket(r);
        out.set(t.id, t);
      }
      return out;
    },
    async findTicketByImportedCode(eventId, code) {
      const r = await sql.one<object>('SELECT * FROM tickets WHERE event_id = $1 AND imported_code = $2', [eventId, code]);
      return r ? ticket(r) : null;
    },
    async listOrderTickets(eventId, orderId) {
      return (await sql.all<object>('SELECT * FROM tickets WHERE event_id = $1 AND order_id = $2 ORDER BY id', [eventId, orderId])).map(ticket);
    },
    async setTicketStatus(eventId, id, status, audit) {
      await withAudit(async (tx) => {
        const seq = await nextChange(tx);
        const changed = await tx.run(
          'UPDATE tickets SET status = $1, change_seq = $2 WHERE event_id = $3 AND id = $4 AND status IS DISTINCT FROM $1', [status, seq, eventId, id]);
        if (changed > 0) await setChange(tx, seq);
        else if (!(await tx.one('SELECT 1 FROM tickets WHERE event_id = $1 AND id = $2', [eventId, id]))) {
          throw new GkError('not_found', `ticket ${id} of event ${eventId} does not exist`);
        }
      }, audit);
    },
    async changesSince(eventId, since) {
      // One snapshot: a row changed or a certificate revoked concurrently is in this delta or numbered after `version`.
      return inTransaction(pool, async (tx) => ({
        version: Number((await tx.one<{ value: number }>(`SELECT value FROM counters WHERE name = 'change'`))?.value ?? 0),
        tickets: (await tx.all<object>('SELECT * FROM tickets WHERE event_id = $1 AND change_seq > $2 ORDER BY change_seq, id', [eventId, since])).map(ticket),
        orders: (await tx.all<OrderRow>('SELECT * FROM orders WHERE event_id = $1 AND change_seq > $2 ORDER BY change_seq, id', [eventId, since])).map(orderFromRow),
        revokedCertificates: (await tx.all<{ id: string }>(
          'SELECT id FROM device_certificates WHERE event_id = $1 AND revoked_seq > $2 ORDER BY revoked_seq, id', [eventId, since])).map((r) => r.id),
      }), 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
    },
    async searchTickets(eventId, text, limit) {
      // The exact ids and barcode first (the ticket of that id before any other), then names.
      const exact = (await sql.all<object & { buyer_name: string | null }>(
        `${FOUND_SELECT} WHERE t.event_id = $1 AND (t.id = $2 OR t.order_id = $2 OR t.imported_code = $2)
         ORDER BY t.id <> $2, t.id LIMIT $3`, [eventId, text.trim(), limit])).map(found);
      const search = nameSearch(text);
      if (search === null || exact.length >= limit) return exact;
      const seen = new Set(exact.map((t) => t.id));
      const named = (await sql.all<object & { buyer_name: string | null }>(
        `${FOUND_SELECT} WHERE t.event_id = $1 AND t.id IN (${ticketsNamed(search, 2)}) ORDER BY t.holder_name NULLS FIRST, t.id LIMIT $3`,
        [eventId, search.text, limit])).map(found).filter((t) => !seen.has(t.id));
      return [...exact, ...named].slice(0, limit);
    },
    async holderNames(eventId) {
      const rows = await sql.all<{ id: TicketId; name: string }>(`SELECT t.id, coalesce(t.holder_name, o.buyer_name) AS name FROM tickets t
        LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id
        WHERE t.event_id = $1 AND coalesce(t.holder_name, o.buyer_name) IS NOT NULL`, [eventId]);
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
