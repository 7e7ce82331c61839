// Column mappings: checked before they are kept, applied to a file's header the way the
// importer reads headers, and suggested for a file the console has not seen.
import { describe, expect, it } from 'vitest';
import { mapHeader, mappingProblems, suggestMapping, zColumnMapping } from '@gatekeeper/shared/import-mapping';

describe('a column mapping', () => {
  it('renames the columns it names, in any case or spacing, leaves out those mapped to null, and keeps the rest', () => {
    const header = ['Barcode', 'TICKET category', 'Notes', 'seat'];
    const mapped = mapHeader(header, [{ from: 'barcode', to: 'ticket_id' }, { from: 'Ticket-Category', to: 'type' }, { from: 'notes', to: null }]);
    expect(mapped).toEqual(['ticket_id', 'type', null, 'seat']);
  });

  it('refuses a file column named twice and two file columns filling one of ours', () => {
    expect(mappingProblems([{ from: 'Barcode', to: 'ticket_id' }, { from: 'barcode ', to: 'imported_code' }])).toEqual([
      'the file column "barcode " is mapped twice (also as "Barcode")',
    ]);
    expect(mappingProblems([{ from: 'Barcode', to: 'ticket_id' }, { from: 'Order no', to: 'ticket_id' }])).toEqual([
      'ticket_id is filled from both "Barcode" and "Order no"',
    ]);
    // Leaving out several columns is fine.
    expect(mappingProblems([{ from: 'a', to: null }, { from: 'b', to: null }])).toEqual([]);
    expect(zColumnMapping.safeParse([{ from: 'x', to: 'ticket_id' }, { from: 'y', to: 'ticket_id' }]).success).toBe(false);
    expect(zColumnMapping.safeParse([{ from: 'x', to: 'not_a_column' }]).success).toBe(false);
    expect(zColumnMapping.safeParse([{ from: '   ', to: 'type' }]).success).toBe(false);
  });

  it('suggests our own columns where the file already uses them, and a saved mapping for the rest', () => {
    const header = ['Ticket ID', 'Category', 'Buyer', ''];
    expect(suggestMapping(header)).toEqual([
      { from: 'Ticket ID', to: 'ticket_id' }, { from: 'Category', to: null }, { from: 'Buyer', to: null },
    ]);
    expect(suggestMapping(header, [{ from: 'category', to: 'type' }, { from: 'Buyer', to: 'holder_name' }])).toEqual([
      { from: 'Ticket ID', to: 'ticket_id' }, { from: 'Category', to: 'type' }, { from: 'Buyer', to: 'holder_name' },
    ]);
  });
});
