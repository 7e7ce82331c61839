// Reading a ticket file through a column mapping, and previewing it: the parser's side
// (no storage). The routes are tested in tests/integration/settings-import.test.ts.
import { describe, expect, it } from 'vitest';
import { eventId } from '@gatekeeper/shared/ids';
import { parseTicketImport, previewTicketImport } from '@gatekeeper/sync-server/import/tickets';

const EVENT = eventId('ev-map');
const FOREIGN = 'Barcode,Category,Guest,Internal note\nB-1,Adult,Ann,x\nB-2,Child,Bo,y\n';
const MAP = [{ from: 'Barcode', to: 'ticket_id' as const }, { from: 'Category', to: 'type' as const }, { from: 'Guest', to: 'holder_name' as const }, { from: 'Internal note', to: null }];

describe('a ticket file read through a mapping', () => {
  it('imports foreign column names as ours and leaves out the unmapped column', () => {
    const r = parseTicketImport({ format: 'csv', text: FOREIGN, eventId: EVENT, columns: MAP });
    expect(r.errors).toEqual([]);
    expect(r.tickets.map((t) => [t.id, t.type, t.holderName])).toEqual([['B-1', 'Adult', 'Ann'], ['B-2', 'Child', 'Bo']]);
  });

  it('maps a foreign phone column to the order\u2019s mobile number', () => {
    const text = 'Barcode,Category,Bestelling,Telefoon\nB-1,Adult,O-1,0031 6 1234 5678\n';
    const columns = [...MAP, { from: 'Bestelling', to: 'order_id' as const }, { from: 'Telefoon', to: 'mobile' as const }];
    const r = parseTicketImport({ format: 'csv', text, eventId: EVENT, columns });
    expect(r.errors).toEqual([]);
    expect(r.orders).toEqual([{ id: 'O-1', eventId: EVENT, buyerName: null, email: null, mobile: '+31612345678' }]);
  });

  it('without the mapping names the foreign columns as unknown, as before', () => {
    const r = parseTicketImport({ format: 'csv', text: FOREIGN, eventId: EVENT });
    expect(r.tickets).toEqual([]);
    expect(r.errors[0]!.message).toMatch(/^unknown columns Barcode, Category, Guest, Internal note/);
  });

  it('reports errors under our column names, on the spreadsheet row', () => {
    const r = parseTicketImport({ format: 'csv', text: 'Barcode,Category\nB-1,\n', eventId: EVENT, columns: MAP });
    expect(r.errors).toEqual([{ row: 2, field: 'type', message: 'type is required' }]);
  });

  it('refuses a mapping on a JSON file rather than ignoring it', () => {
    const r = parseTicketImport({ format: 'json', text: '[{"id":"J-1","type":"Adult"}]', eventId: EVENT, columns: MAP });
    expect(r.errors).toEqual([{ row: 0, message: 'a column mapping applies to CSV files; a JSON file names the fields itself' }]);
  });
});

describe('the preview', () => {
  it('gives the header as written and as mapped, the counts and the first tickets', () => {
    const p = previewTicketImport({ format: 'csv', text: FOREIGN, eventId: EVENT, columns: MAP }, 1);
    expect(p).toMatchObject({ header: ['Barcode', 'Category', 'Guest', 'Internal note'], mapped: ['ticket_id', 'type', 'holder_name', null], tickets: 2, orders: 0, errors: [] });
    expect(p.sample.map((t) => t.id)).toEqual(['B-1']);
  });

  it('counts nothing while a row is wrong, but still shows the rows it could read and every error', () => {
    const p = previewTicketImport({ format: 'csv', text: `${FOREIGN}B-3,,Cy,z\n`, eventId: EVENT, columns: MAP });
    expect(p.tickets).toBe(0);
    expect(p.sample.map((t) => t.id)).toEqual(['B-1', 'B-2']);
    expect(p.errors).toEqual([{ row: 4, field: 'type', message: 'type is required' }]);
  });

  it('gives the header of a file whose columns are not mapped yet, so the console can offer them', () => {
    const p = previewTicketImport({ format: 'csv', text: FOREIGN, eventId: EVENT });
    expect(p.header).toEqual(['Barcode', 'Category', 'Guest', 'Internal note']);
    expect(p.mapped).toEqual(p.header);
    expect(p.errors.length).toBeGreaterThan(0);
  });
});
