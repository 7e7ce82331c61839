import { describe, expect, it } from 'vitest';
import { CsvError, CsvProblem, MAX_CSV_RECORD_CHARS, parseCsv } from '@gatekeeper/sync-server/import/csv';

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

  it('names each problem with a word a caller can act on', () => {
    expect(csvError('a\n"open').problem).toBe(CsvProblem.unterminatedQuote);
    expect(csvError('a\n"x"y').problem).toBe(CsvProblem.textAfterQuote);
    expect(csvError('a\nx"y').problem).toBe(CsvProblem.quoteInField);
    expect(csvError(`a\n${'x'.repeat(2 * MAX_CSV_RECORD_CHARS)}`).problem).toBe(CsvProblem.rowTooLong);
  });

  it('counts lines after a byte-order mark and CRLFs inside quotes as a text editor does', () => {
    const e = csvError('\uFEFFa,b\r\n"x\r\ny",1\r\n"one\r\ntwo"\r\n"x"y,2\r\n');
    expect(e.problem).toBe(CsvProblem.textAfterQuote);
    expect(e.line).toBe(6);
    expect(e.row).toBe(4);
  });

  it('stops at a huge cell, naming its row, without reading on', () => {
    const e = csvError(`ticket_id,type,holder_name\nT1,Adult,${'x'.repeat(10 * MAX_CSV_RECORD_CHARS)}\nT2,Adult,Sanne\n`);
    expect(e.problem).toBe(CsvProblem.rowTooLong);
    expect(e.message).toMatch(/row that starts on line 2 is longer than 64 KiB/);
    expect(e).toMatchObject({ line: 2, row: 2 });
  });

  it('gives up on a quote never closed in a big file at the size bound, not at the end of the file', () => {
    // 40 MiB after the stray quote: reading it to the end would hold it all as one cell,
    // and would report the quote as unterminated; stopping at the bound reports the row.
    const rest = 'T000002,Adult,Sanne de Vries\n'.repeat(1_400_000);
    const e = csvError(`ticket_id,type,holder_name\nT000001,Adult,"Jansen, Sanne\n${rest}`);
    expect(e.problem).toBe(CsvProblem.rowTooLong);
    expect(e).toMatchObject({ line: 2, row: 2 });
  });

  it('reads 100,000 rows, quoted commas intact', () => {
    const line = 'T000001,O1,Adult,"Jansen, Sanne","Row F, seat 12",event,yes,paid,,,no,\r\n';
    const text = line.repeat(100_000);
    const records = parseCsv(text);
    expect(records).toHaveLength(100_000);
    expect(records[99_999][3]).toBe('Jansen, Sanne');
  });
});
