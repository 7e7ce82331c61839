// The manifest in memory: what the scan flow, search and the stored chunks ask of it. The
// index keeps its rows in columns and one string (ticket-table.ts, string-pool.ts); these
// say that what goes in comes out, and that replacing rows (deltas) moves every lookup.
import { describe, expect, it } from 'vitest';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import { ticketToRow, toManifestOrder } from '@gatekeeper/shared/manifest';
import type { Ticket } from '@gatekeeper/shared/domain';
import { orderId, ticketId } from '@gatekeeper/shared/ids';
import { ManifestIndex } from '../../scanner-pwa/src/lib/manifest/manifest-index.ts';
import { EVENT, makeOrder, makeTicket, T0 } from '../support/factories.ts';

const KEY = 'c2VjcmV0LWtleS1vZi10aGlzLWV2ZW50LTMyLWJ5dGU';
const hash = importedCodeHasher(KEY);
const row = (t: Ticket) => ticketToRow(t, hash);
const order = (id: string, buyerName: string | null) => toManifestOrder(makeOrder({ id: orderId(id), buyerName }));

function ticket(id: string, overrides: Partial<Ticket> = {}): Ticket {
  return makeTicket({ id: ticketId(id), orderId: null, ...overrides });
}

describe('the manifest index', () => {
  it('gives back every field of a ticket as it was downloaded, and null for one it does not hold', () => {
    const full = ticket('T1', {
      orderId: orderId('O1'), type: 'Child', holderName: 'Zoë Ångström', seat: 'B 12', kind: 'travel', eTicket: false,
      status: 'unpaid', validFrom: T0, validUntil: T0 + 3600_000, idCheck: true, importedCode: 'EAN-1',
    });
    const bare = ticket('T2');
    const index = new ManifestIndex(EVENT, KEY);
    index.apply([row(full), row(bare)], [order('O1', 'Fay')]);
    expect(index.size).toBe(2);
    expect(index.ticket('T1')).toEqual({ ...full, importedCode: hash('EAN-1') });
    expect(index.ticket('T2')).toEqual(bare);
    expect(index.ticket('T3')).toBeNull();
    expect(index.ticket('T')).toBeNull();
  });

  it('finds a ticket by its imported barcode, and stops when a delta moves the barcode to another ticket', () => {
    const index = new ManifestIndex(EVENT, KEY);
    index.apply([row(ticket('T1', { importedCode: 'EAN-1' })), row(ticket('T2'))], []);
    expect(index.byImportedCode('EAN-1')?.id).toBe('T1');
    expect(index.byImportedCode('EAN-2')).toBeNull();

    index.apply([row(ticket('T1', { importedCode: 'EAN-9' })), row(ticket('T2', { importedCode: 'EAN-1' }))], []);
    expect(index.byImportedCode('EAN-1')?.id).toBe('T2');
    expect(index.byImportedCode('EAN-9')?.id).toBe('T1');
    index.apply([row(ticket('T2'))], []);
    expect(index.byImportedCode('EAN-1')).toBeNull();
    expect(index.size).toBe(2);
  });

  it("lists an order's tickets in the order they were sold, and follows a ticket moved to another order", () => {
    const index = new ManifestIndex(EVENT, KEY);
    index.apply(['T1', 'T2', 'T3'].map((id) => row(ticket(id, { orderId: orderId('O1') }))), [order('O1', 'Fay')]);
    expect(index.orderTickets('O1').map((t) => t.id)).toEqual(['T1', 'T2', 'T3']);
    expect(index.order('O1')).toEqual(order('O1', 'Fay'));
    expect(index.orderTickets('O2')).toEqual([]);
    expect(index.order('O2')).toBeNull();

    index.apply([row(ticket('T2', { orderId: orderId('O2') }))], [order('O2', null)]);
    expect(index.orderTickets('O1').map((t) => t.id)).toEqual(['T1', 'T3']);
    expect(index.orderTickets('O2').map((t) => t.id)).toEqual(['T2']);
    expect(index.order('O2')).toEqual(order('O2', null));
    index.apply([row(ticket('T1'))], []);
    expect(index.orderTickets('O1').map((t) => t.id)).toEqual(['T3']);
  });

  it('knows the tickets of an order whose record it has not got', () => {
    const index = new ManifestIndex(EVENT, KEY);
    index.apply([row(ticket('T1', { orderId: orderId('O7') }))], []);
    expect(index.order('O7')).toBeNull();
    expect(index.orderTickets('O7').map((t) => t.id)).toEqual(['T1']);
  });

  it('shows a revoked ticket as revoked whatever its row says', () => {
    const index = new ManifestIndex(EVENT, KEY);
    index.apply([row(ticket('T1')), row(ticket('T2'))], []);
    index.setRevoked(['T2']);
    expect(index.ticket('T1')?.status).toBe('paid');
    expect(index.ticket('T2')?.status).toBe('revoked');
  });

  it('searches holder, order, buyer and ticket id, case-blind, and sees rows and buyers a delta changed', () => {
    const index = new ManifestIndex(EVENT, KEY);
    index.apply([
      row(ticket('T1', { holderName: 'Anna de Vries', orderId: orderId('O1') })),
      row(ticket('T2', { holderName: 'Bram Jansen', orderId: orderId('O1') })),
      row(ticket('T3', { holderName: 'Anneke Bos' })),
    ], [order('O1', 'Carla Visser')]);
    expect(index.search('an').map((h) => h.ticket.id)).toEqual([]);
    expect(index.search(' ANN ').map((h) => h.ticket.id)).toEqual(['T1', 'T3']);
    expect(index.search('carla').map((h) => h.ticket.id)).toEqual(['T1', 'T2']);
    expect(index.search('carla')[0].order).toEqual(order('O1', 'Carla Visser'));
    expect(index.search('ann', 1).map((h) => h.ticket.id)).toEqual(['T1']);
    expect(index.search('T3 ').map((h) => h.ticket.id)).toEqual([]);
    expect(index.search('o1\u0001').map((h) => h.ticket.id)).toEqual(['T1', 'T2']);
    // A match never runs from one row into the next (T2's id, then T3's holder).
    expect(index.search('t2anneke')).toEqual([]);

    index.apply([row(ticket('T3', { holderName: 'Daan Bos' }))], [order('O1', 'Eva Visser')]);
    expect(index.search('ann').map((h) => h.ticket.id)).toEqual(['T1']);
    expect(index.search('carla')).toEqual([]);
    expect(index.search('eva').map((h) => h.ticket.id)).toEqual(['T1', 'T2']);
  });

  it('gives a snapshot that, applied to a new index, is the same index', () => {
    const index = new ManifestIndex(EVENT, KEY);
    const tickets = Array.from({ length: 5000 }, (_, i) => ticket(`T${i}`, {
      orderId: orderId(`O${i >> 2}`), holderName: i % 3 ? `Holder ${i}` : null, importedCode: i % 7 ? null : `EAN-${i}`,
      validFrom: i % 2 ? T0 + i : null,
    }));
    const orders = Array.from({ length: 1250 }, (_, i) => order(`O${i}`, `Buyer ${i}`));
    index.apply(tickets.slice(0, 2500).map(row), orders);
    index.apply(tickets.slice(2500).map(row), []);
    const copy = new ManifestIndex(EVENT, KEY);
    const snap = index.snapshot();
    copy.apply(snap.rows, snap.orders);
    expect(snap.rows).toEqual(tickets.map(row));
    expect(snap.orders).toEqual(orders);
    for (const i of [0, 1, 7, 2499, 2500, 4999]) {
      expect(copy.ticket(`T${i}`)).toEqual(index.ticket(`T${i}`));
      expect(copy.orderTickets(`O${i >> 2}`)).toEqual(index.orderTickets(`O${i >> 2}`));
    }
    expect(copy.byImportedCode('EAN-4998')?.id).toBe('T4998');
  });
});
