import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from '@gatekeeper/sync-server/import/csv';

function csvError(text: string): CsvError {
  try {
    parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('expected a CsvError');
}

describe('parseCsv', () => {
  it('reads plain fields and rows', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
  });

  it('does not start a record after the final line break, with or without one', () => {
    expect(parseCsv('a,b')).toEqual([['a', 'b']]);
    expect(parseCsv('a,b\r\n')).toEqual([['a', 'b']]);
  });

  it('reads nothing from an empty text or a lone byte-order mark', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
  });

  it('drops a leading byte-order mark (Excel writes one)', () => {
    expect(parseCsv('\uFEFFticket_id,type\r\nT1,Adult\r\n')).toEqual([['ticket_id', 'type'], ['T1', 'Adult']]);
  });

  it('takes CRLF, LF and a lone CR as line breaks, mixed', () => {
    expect(parseCsv('a\r\nb\nc\rd')).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('keeps empty fields, leading, trailing and between', () => {
    expect(parseCsv(',a,,b,\n')).toEqual([['', 'a', '', 'b', '']]);
  });

  it('keeps a blank line as a record of one empty field, so rows count as in a spreadsheet', () => {
    expect(parseCsv('a\n\nb\n')).toEqual([['a'], [''], ['b']]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks inside', () => {
    const text = '"Row F, seat 12","She said ""hi""","two\r\nlines","x\ny"\n';
    expect(parseCsv(text)).toEqual([['Row F, seat 12', 'She said "hi"', 'two\r\nlines', 'x\ny']]);
  });

  it('reads an empty quoted field and a field that is only a quote', () => {
    expect(parseCsv('"","""",x')).toEqual([['', '"', 'x']]);
  });

  it('ends a quoted last field at the end of the text', () => {
    expect(parseCsv('a,"b"')).toEqual([['a', 'b']]);
  });

  it('leaves spaces around fields as they are (the importer trims cells it reads)', () => {
    expect(parseCsv(' a , b ')).toEqual([[' a ', ' b ']]);
  });

  it('reads another delimiter when told, quotes and all', () => {
    expect(parseCsv('a;"b;c"\n1;2', { delimiter: ';' })).toEqual([['a', 'b;c'], ['1', '2']]);
    expect(parseCsv('a\tb', { delimiter: '\t' })).toEqual([['a', 'b']]);
  });

  it('refuses a delimiter that could not work', () => {
    expect(() => parseCsv('a', { delimiter: '"' })).toThrow(/delimiter/);
    expect(() => parseCsv('a', { delimiter: ',,' })).toThrow(/delimiter/);
  });

  it('reports an unterminated quote with the line it opens on', () => {
    const e = csvError('a,b\n1,2\n3,"never closed\nstill going\n');
    expect(e.message).toMatch(/unterminated quoted field.*line 3/);
    expect(e.line).toBe(3);
    expect(e.row).toBe(3);
  });

  it('counts line breaks inside quoted fields in later line numbers, but one row per record', () => {
    const e = csvError('a,b\n"x\r\ny\nz",1\n2,"open');
    expect(e.line).toBe(5);
    expect(e.row).toBe(3);
  });

  it('refuses text after a closing quote, naming the line', () => {
    const e = csvError('a,b\n"x"y,1\n');
    expect(e.message).toMatch(/after the closing quote.*line 2/);
    expect(e.line).toBe(2);
  });

  it('refuses a quote inside an unquoted field, naming the line', () => {
    const e = csvError('a,b\nsize 12" vinyl,1\n');
    expect(e.message).toMatch(/quote inside an unquoted field on line 2/);
    expect(e.row).toBe(2);
  });

  it('reads 100,000 rows, quoted commas intact', () => {
    const line = 'T000001,O1,Adult,"Jansen, Sanne","Row F, seat 12",event,yes,paid,,,no,\r\n';
    const text = line.repeat(100_000);
    const records = parseCsv(text);
    expect(records).toHaveLength(100_000);
    expect(records[99_999][3]).toBe('Jansen, Sanne');
  });
});
