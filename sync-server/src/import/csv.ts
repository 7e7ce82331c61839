// An RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF (or a lone CR, as old
// Mac exports have), a leading byte-order mark, line breaks inside quoted fields.
// Strict on purpose: a quote in the middle of an unquoted field, or text after a closing
// quote, is an error rather than a guess, because a guessed split shifts every later
// column of the row into the wrong field of a ticket.

export class CsvError extends Error {
  /** The physical line of the file (1-based) where the problem is. */
  readonly line: number;
  /** The record (spreadsheet row, 1-based) the problem is in. */
  readonly row: number;
  constructor(message: string, line: number, row: number) {
    super(message);
    this.name = 'CsvError';
    this.line = line;
    this.row = row;
  }
}

export interface CsvOptions {
  /** One character; ',' unless told. Dutch spreadsheets save with ';'. */
  delimiter?: string;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const BOM = 0xfeff;

/**
 * Every record of `text` as an array of fields, unquoted. A blank line is a record with
 * one empty field (it is a row in a spreadsheet too, so row numbers stay as people see
 * them); a line break at the very end does not start another record.
 */
export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new Error(`CSV delimiter must be one character other than a quote or a line break, not ${JSON.stringify(delimiter)}`);
  }
  const sep = delimiter.charCodeAt(0);
  const n = text.length;
  const records: string[][] = [];
  let i = text.charCodeAt(0) === BOM ? 1 : 0;
  if (i >= n) return records;
  let record: string[] = [];
  let line = 1;

  for (;;) {
    // At the start of a field.
    if (text.charCodeAt(i) === QUOTE) {
      const openedOn = line;
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) {
          throw new CsvError(
            `unterminated quoted field: the quote that opens it on line ${openedOn} is never closed`,
            openedOn, records.length + 1,
          );
        }
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        line += lineBreaks(text, i + 1, q);
        i = q + 1;
        break;
      }
      record.push(value);
      const c = text.charCodeAt(i);
      if (i < n && c !== sep && c !== CR && c !== LF) {
        throw new CsvError(
          `unexpected ${JSON.stringify(text[i])} after the closing quote of a field on line ${line}: a field is either all in quotes or has none`,
          line, records.length + 1,
        );
      }
    } else {
      let j = i;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === sep || c === CR || c === LF) break;
        if (c === QUOTE) {
          throw new CsvError(
            `a quote inside an unquoted field on line ${line}: put the whole field in quotes and double the quote ("")`,
            line, records.length + 1,
          );
        }
      }
      record.push(text.slice(i, j));
      i = j;
    }

    // After a field: a delimiter, a line break or the end.
    if (i >= n) {
      records.push(record);
      return records;
    }
    const c = text.charCodeAt(i);
    if (c === sep) {
      i++;
      continue;
    }
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    line++;
    records.push(record);
    record = [];
    if (i >= n) return records;
  }
}

/** Line breaks in text[from, to): CRLF, LF and a lone CR each count once. */
function lineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) count++;
  }
  return count;
}
