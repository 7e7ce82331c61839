// Reading an organiser's CSV file into records, with csv-parse (the family of the
// csv-stringify that writes our exports). What is ours: the options that make it read
// what spreadsheets save (a byte-order mark, CRLF, LF or a lone CR, even mixed; blank
// lines kept, so row numbers are the spreadsheet's), strictness (a quote in the middle of
// an unquoted field, or text after a closing quote, is an error rather than a guess,
// because a guessed split shifts every later column of the row into the wrong field of a
// ticket), a bound on a row's size, and errors that say in words which row and line.
import { CsvError as ParserError, parse } from 'csv-parse/sync';

/**
 * Longest row read, in characters: a full ticket row is well under 2,000. A quote that is
 * never closed turns the rest of the file into one cell; past this the reader stops there
 * instead of holding up to the import's 64 MiB as one field.
 */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;

/** What is wrong with the file's CSV, as a word a caller can act on. */
export const CsvProblem = {
  unterminatedQuote: 'unterminated_quote',
  textAfterQuote: 'text_after_quote',
  quoteInField: 'quote_in_field',
  rowTooLong: 'row_too_long',
} as const;
export type CsvProblem = (typeof CsvProblem)[keyof typeof CsvProblem];

export class CsvError extends Error {
  readonly problem: CsvProblem;
  /** The physical line of the file (1-based) where the problem is. */
  readonly line: number;
  /** The record (spreadsheet row, 1-based) the problem is in. */
  readonly row: number;
  constructor(problem: CsvProblem, message: string, line: number, row: number) {
    super(message);
    this.name = 'CsvError';
    this.problem = problem;
    this.line = line;
    this.row = row;
  }
}

export interface CsvOptions {
  /** One character; ',' unless told. Dutch spreadsheets save with ';'. */
  delimiter?: string;
}

/**
 * Every record of `text` as an array of fields, unquoted. A blank line is a record with
 * one empty field (it is a row in a spreadsheet too, so row numbers stay as people see
 * them); a line break at the very end does not start another record. Rows may differ in
 * length: the caller says which row has too many or too few fields.
 */
export function parseCsv(text: string, options: CsvOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new Error(`CSV delimiter must be one character other than a quote or a line break, not ${JSON.stringify(delimiter)}`);
  }
  // Where the last whole record ended, as the parser counts: its line, and its byte
  // offset after the line break. The parser counts a CRLF inside quotes as two lines, so
  // the line a row starts on is counted again from the bytes when an error needs it.
  let lastRecord = { lines: 0, bytes: 0 };
  try {
    return parse(text, {
      bom: true,
      delimiter,
      quote: '"',
      escape: '"',
      // Tried in this order at each line break, so CRLF is one break and not two.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: MAX_CSV_RECORD_CHARS,
      on_record: (record: string[], context) => {
        lastRecord = { lines: context.lines, bytes: context.bytes };
        return record;
      },
    });
  } catch (e) {
    if (!(e instanceof ParserError)) throw e;
    const body = Buffer.from(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, 'utf8');
    const startLine = 1 + lineBreaks(body.subarray(0, lastRecord.bytes));
    // Within the row, the parser's count of lines since it started is right but for a
    // CRLF inside quotes before the bad quote, which is rare enough to leave.
    const line = typeof e.lines === 'number' ? startLine + Math.max(0, e.lines - (lastRecord.lines + 1)) : startLine;
    throw ourError(e, startLine, line);
  }
}

const CR = 0x0d;
const LF = 0x0a;

/** Line breaks in `bytes`: CRLF, LF and a lone CR each count once. */
function lineBreaks(bytes: Uint8Array): number {
  let count = 0;
  for (let k = 0; k < bytes.length; k++) {
    const c = bytes[k];
    if (c === LF || (c === CR && bytes[k + 1] !== LF)) count++;
  }
  return count;
}

/** The parser's error in words; `startLine`: where the row it stopped in starts. */
function ourError(e: InstanceType<typeof ParserError>, startLine: number, line: number): CsvError {
  const row = (typeof e.records === 'number' ? e.records : 0) + 1;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvError(CsvProblem.unterminatedQuote,
        `unterminated quoted field: a quote in the row that starts on line ${startLine} is never closed`, startLine, row);
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvError(CsvProblem.textAfterQuote,
        `unexpected text after the closing quote of a field on line ${line}: a field is either all in quotes or has none`, line, row);
    case 'INVALID_OPENING_QUOTE':
      return new CsvError(CsvProblem.quoteInField,
        `a quote inside an unquoted field on line ${line}: put the whole field in quotes and double the quote ("")`, line, row);
    case 'CSV_MAX_RECORD_SIZE':
      return new CsvError(CsvProblem.rowTooLong,
        `the row that starts on line ${startLine} is longer than ${MAX_CSV_RECORD_CHARS / 1024} KiB, which no ticket needs: ` +
        'most often a quote that is never closed, making the rest of the file one cell', startLine, row);
    default:
      // Options we set wrongly, not the file: a bug here, not the organiser's to fix.
      throw e;
  }
}
