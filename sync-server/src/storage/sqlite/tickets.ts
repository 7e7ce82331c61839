// Tickets and orders: imported all or nothing, each change numbered so that a phone can
// fetch only what changed since its last manifest.
import type { Order, Ticket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { ImportResult, Storage } from '../types.ts';
import { audited } from './audit.ts';
import { isConstraintError, type Db } from './db.ts';
import { orderFromRow, orderToRow, ticketFromRow, ticketToRow, type OrderRow, type TicketRow } from '../rows.ts';
import { nameSearch } from '../name-search.ts';
import { ftsNameQuery, NAME_INDEX, type NameIndex } from './scan-reads.ts';

export type TicketMethods = Pick<Storage,
  | 'importTickets' | 'getTicket' | 'getTickets' | 'findTicketByImportedCode' | 'listOrderTickets' | 'setTicketStatus' | 'changesSince' | 'holderNames'
  | 'searchTickets'>;

type Seq = { change_seq: number };

// Upserts only touch a row whose content differs (the WHERE on DO UPDATE), so
// re-importing the same CSV changes nothing and sends no 100,000-ticket delta to every
// phone; `.changes` then counts the rows that really changed.
const UPSERT_ORDER = `
  INSERT INTO orders (event_id, id, buyer_name, email, mobile, change_seq)
  VALUES (@event_id, @id, @buyer_name, @email, @mobile, @change_seq)
  ON CONFLICT (event_id, id) DO UPDATE SET
    buyer_name = excluded.buyer_name, email = excluded.email, mobile = coalesce(excluded.mobile, orders.mobile), change_seq = excluded.change_seq
  WHERE (orders.buyer_name, orders.email) IS NOT (excluded.buyer_name, excluded.email)
     OR (excluded.mobile IS NOT NULL AND orders.mobile IS NOT excluded.mobile)`;

const TICKET_FIELDS = [
  'order_id', 'type', 'holder_name', 'seat', 'kind', 'e_ticket', 'status', 'valid_from', 'valid_until', 'id_check', 'imported_code',
] as const;

const UPSERT_TICKET = `
  INSERT INTO tickets (event_id, id, ${TICKET_FIELDS.join(', ')}, change_seq)
  VALUES (@event_id, @id, ${TICKET_FIELDS.map((f) => `@${f}`).join(', ')}, @change_seq)
  ON CONFLICT (event_id, id) DO UPDATE SET
    ${TICKET_FIELDS.map((f) => `${f} = excluded.${f}`).join(', ')}, change_seq = excluded.change_seq
  WHERE (${TICKET_FIELDS.map((f) => `tickets.${f}`).join(', ')}) IS NOT (${TICKET_FIELDS.map((f) => `excluded.${f}`).join(', ')})`;

type FoundRow = TicketRow & { buyer_name: string | null };

export function ticketMethods(db: Db): TicketMethods {
  const byName = (kind: NameIndex) => db.prepare<{ eventId: string; names: string; limit: number }, FoundRow>(
    `SELECT t.*, o.buyer_name FROM ${NAME_INDEX[kind]} f JOIN ticket_names n ON n.id = f.rowid
     JOIN tickets t ON t.event_id = n.event_id AND t.id = n.ticket_id
     LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id
     WHERE ${NAME_INDEX[kind]} MATCH @names AND n.event_id = @eventId
     ORDER BY t.holder_name, t.id LIMIT @limit`);
  const q = {
    eventExists: db.prepare<[string], { one: 1 }>('SELECT 1 AS one FROM events WHERE id = ?'),
    changeCounter: db.prepare<[], { value: number }>(`SELECT value FROM counters WHERE name = 'change'`),
    setChangeCounter: db.prepare<[number]>(`UPDATE counters SET value = ? WHERE name = 'change'`),
    upsertOrder: db.prepare<OrderRow & Seq>(UPSERT_ORDER),
    upsertTicket: db.prepare<TicketRow & Seq>(UPSERT_TICKET),
    getTicket: db.prepare<[string, string], TicketRow>('SELECT * FROM tickets WHERE event_id = ? AND id = ?'),
    // The same name as a history page's holder (scan-reads.ts), read for the whole event at once.
    holderNames: db.prepare<[string], [string, string]>(`SELECT t.id, coalesce(t.holder_name, o.buyer_name) FROM tickets t
      LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id
      WHERE t.event_id = ? AND coalesce(t.holder_name, o.buyer_name) IS NOT NULL`).raw(),
    byImportedCode: db.prepare<[string, string], TicketRow>('SELECT * FROM tickets WHERE event_id = ? AND imported_code = ?'),
    // The ids as one JSON array: one statement for a whole upload batch, whatever its size.
    someTickets: db.prepare<[string, string], TicketRow>('SELECT * FROM tickets WHERE event_id = ? AND id IN (SELECT value FROM json_each(?))'),
    byOrder: db.prepare<[string, string], TicketRow>('SELECT * FROM tickets WHERE event_id = ? AND order_id = ? ORDER BY id'),
    setStatus: db.prepare<[string, number, string, string, string]>(
      'UPDATE tickets SET status = ?, change_seq = ? WHERE event_id = ? AND id = ? AND status IS NOT ?'),
    ticketsSince: db.prepare<[string, number], TicketRow>(
      'SELECT * FROM tickets WHERE event_id = ? AND change_seq > ? ORDER BY change_seq, id'),
    // The console's ticket search: the exact ids and barcode first (the ticket of that id
    // before any other), then names.
    byKey: db.prepare<{ eventId: string; text: string; limit: number }, FoundRow>(
      `SELECT t.*, o.buyer_name FROM tickets t LEFT JOIN orders o ON o.event_id = t.event_id AND o.id = t.order_id
       WHERE t.event_id = @eventId AND (t.id = @text OR t.order_id = @text OR t.imported_code = @text)
       ORDER BY t.id <> @text, t.id LIMIT @limit`),
    byName: { phrase: byName('phrase'), prefix: byName('prefix') },
    ordersSince: db.prepare<[string, number], OrderRow>(
      'SELECT * FROM orders WHERE event_id = ? AND change_seq > ? ORDER BY change_seq, id'),
    certificatesRevokedSince: db.prepare<[string, number], string>(
      'SELECT id FROM device_certificates WHERE event_id = ? AND revoked_seq > ? ORDER BY revoked_seq, id').pluck(),
  };

  const nextChange = () => (q.changeCounter.get()?.value ?? 0) + 1;

  /** Run one row's write; a refused row names itself so the importer can point at it. */
  const row = (what: string, write: () => number): number => {
    try {
      return write();
    } catch (e) {
      if (isConstraintError(e)) throw new GkError('invalid_import', `${what} was refused: ${e.message}`, { row: what });
      throw e;
    }
  };

  // One change number for the whole import: every row it changed gets it, so a phone
  // that saw the number before the import gets all of them and one that saw it after,
  // none. The counter only moves when something really changed.
  const importTx = db.transaction((eventId: EventId, orders: Order[], tickets: Ticket[]): ImportResult => {
    if (!q.eventExists.get(eventId)) throw new GkError('not_found', `event ${eventId} does not exist`);
    const seq = nextChange();
    let changed = 0;
    for (const o of orders) {
      if (o.eventId !== eventId) throw new GkError('invalid_import', `order ${o.id} belongs to event ${o.eventId}, not ${eventId}`, { row: `order ${o.id}` });
      changed += row(`order ${o.id}`, () => q.upsertOrder.run({ ...orderToRow(o), change_seq: seq }).changes);
    }
    for (const t of tickets) {
      if (t.eventId !== eventId) throw new GkError('invalid_import', `ticket ${t.id} belongs to event ${t.eventId}, not ${eventId}`, { row: `ticket ${t.id}` });
      changed += row(`ticket ${t.id}`, () => q.upsertTicket.run({ ...ticketToRow(t), change_seq: seq }).changes);
    }
    if (changed > 0) q.setChangeCounter.run(seq);
    return { orders: orders.length, tickets: tickets.length };
  });

  const setStatusTx = db.transaction((eventId: EventId, id: TicketId, status: Ticket['status']) => {
    const seq = nextChange();
    if (q.setStatus.run(status, seq, eventId, id, status).changes > 0) q.setChangeCounter.run(seq);
    else if (!q.getTicket.get(eventId, id)) throw new GkError('not_found', `ticket ${id} of event ${eventId} does not exist`);
  });

  // A read transaction: the counter and the rows come from one snapshot, so a row changed
  // by a concurrent import is either in this delta or numbered after `version`.
  const changesTx = db.transaction((eventId: EventId, since: number) => ({
    version: q.changeCounter.get()?.value ?? 0,
    tickets: q.ticketsSince.all(eventId, since).map(ticketFromRow),
    orders: q.ordersSince.all(eventId, since).map(orderFromRow),
    revokedCertificates: q.certificatesRevokedSince.all(eventId, since),
  }));

  const withAudit = audited(db);

  return {
    async importTickets(eventId, orders, tickets, audit) {
      // Immediate (withAudit's): take the write lock before reading the counter, so that a
      // CLI import in another process cannot number its changes with the same value.
      return withAudit(() => importTx(eventId, orders, tickets), audit);
    },
    async getTicket(eventId: EventId, id: TicketId) {
      const r = q.getTicket.get(eventId, id);
      return r ? ticketFromRow(r) : null;
    },
    async getTickets(eventId: EventId, ids: readonly TicketId[]) {
      const out = new Map<TicketId, Ticket>();
      for (const r of q.someTickets.all(eventId, JSON.stringify([...new Set(ids)]))) {
        const t = ticketFromRow(r);
        out.set(t.id, t);
      }
      return out;
    },
    async findTicketByImportedCode(eventId: EventId, code: string) {
      const r = q.byImportedCode.get(eventId, code);
      return r ? ticketFromRow(r) : null;
    },
    async listOrderTickets(eventId: EventId, orderId: OrderId) {
      return q.byOrder.all(eventId, orderId).map(ticketFromRow);
    },
    async setTicketStatus(eventId, id, status, audit) {
      withAudit(() => setStatusTx(eventId, id, status), audit);
    },
    async searchTickets(eventId, text, limit) {
      const found = (r: FoundRow) => ({ ...ticketFromRow(r), buyerName: r.buyer_name });
      const exact = q.byKey.all({ eventId, text: text.trim(), limit }).map(found);
      const named = nameSearch(text);
      if (!named || exact.length >= limit) return exact;
      const search = ftsNameQuery(named);
      const seen = new Set(exact.map((t) => t.id));
      const fromNames = q.byName[search.kind].all({ eventId, names: search.param, limit }).map(found).filter((t) => !seen.has(t.id));
      return [...exact, ...fromNames].slice(0, limit);
    },
    async changesSince(eventId, since) {
      return changesTx.deferred(eventId, since);
    },
    async holderNames(eventId) {
      return new Map(q.holderNames.all(eventId) as Array<[TicketId, string]>);
    },
  };
}
