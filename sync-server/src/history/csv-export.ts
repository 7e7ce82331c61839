// History as CSV, for a spreadsheet: exactly the rows the filters select, newest first,
// streamed a page at a time so that an event of a million scans never sits in memory.
// What is ours: which columns, that no cell a person typed or a phone sent can run as a
// formula when the file is opened, and writing each line straight from the columns storage
// reads (historyExportRows). A million rows made into Scan objects, records of cells and
// csv-stringify's output took 25 s of CPU, a fifth of it the collector's
// (server.history.export.1m in bench/README.md); the quoting is a regular expression and
// a replace, so it is written here rather than bought with an object per cell. Put back
// per page on raw rows, csv-stringify alone still cost 16 s of CPU a million rows, and
// papaparse three times our own: the CSV library is used where it earns its place, in
// reading imports (csv-parse).
import type { Checkpoint } from '@gatekeeper/shared/domain';
import type { HistoryExportRow, HistoryQuery, StaffRecord, Storage } from '../storage/types.ts';

/** Rows per read: each page is one walk down one index, read and written in one turn of the event loop. */
const PAGE = 1_000;

/**
 * Spreadsheets run a cell that starts with = + - @ as a formula, and some also after a
 * leading tab or carriage return (OWASP's CSV injection advice). Holder names, codes and
 * ids come from imports and phones: such a cell gets a leading apostrophe, which the
 * spreadsheet shows as text and does not run. Numbers we write ourselves stay numbers.
 */
export function spreadsheetSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/**
 * One cell as RFC 4180 has it (csv-parse reads it back): quoted when it holds
 * a comma, a quote or a line break (LF or a lone CR), its quotes doubled.
 */
export function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A cell of text that came from outside (a name, an id): safe for a spreadsheet, then quoted; empty when absent. */
const outsideCell = (text: string | null | undefined): string => (text === null || text === undefined ? '' : csvCell(spreadsheetSafe(text)));

export const CSV_COLUMNS = [
  'time', 'time_utc', 'outcome', 'ticket', 'order', 'holder', 'checkpoint', 'checkpoint_name', 'direction',
  'inspector', 'inspector_name', 'device', 'offline', 'id_checked', 'kind', 'annuls', 'quarantine', 'scan', 'seq', 'received_utc',
] as const;

export interface ExportNames {
  timeZone: string;
  checkpoints: ReadonlyMap<string, Checkpoint>;
  staff: ReadonlyMap<string, StaffRecord>;
}

const MINUTE_MS = 60_000;

/**
 * A local wall-clock time in the event's zone, as spreadsheets read it: 2026-12-02 19:05:03.
 * Formatting through Intl for every row of a million was a tenth of the export; time zones
 * move by whole minutes, so the minute is formatted once and the seconds added to it
 * (rows come newest first, so consecutive rows nearly always share their minute).
 */
export function localTime(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  let minute = Number.NaN;
  let prefix = '';
  return (ms) => {
    const m = Math.floor(ms / MINUTE_MS);
    if (m !== minute) {
      minute = m;
      prefix = f.format(m * MINUTE_MS).slice(0, -2);
    }
    const second = Math.floor((ms - m * MINUTE_MS) / 1000);
    return `${prefix}${second < 10 ? '0' : ''}${second}`;
  };
}

/**
 * The UTC time as `Date.toISOString` writes it (2026-12-02T18:05:03.120Z), the minute
 * formatted once as above: two dates a row were the largest part of building it.
 */
export function isoTime(): (ms: number) => string {
  let minute = Number.NaN;
  let prefix = '';
  return (ms) => {
    const m = Math.floor(ms / MINUTE_MS);
    if (m !== minute) {
      minute = m;
      prefix = new Date(m * MINUTE_MS).toISOString().slice(0, -7);
    }
    const inMinute = ms - m * MINUTE_MS;
    const second = Math.floor(inMinute / 1000);
    const milli = inMinute - second * 1000;
    return `${prefix}${second < 10 ? '0' : ''}${second}.${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}Z`;
  };
}

/** Cells of a column with few values (gates, staff, devices, outcomes), each made once per export. */
function memo(cellOf: (value: string) => string): (value: string) => string {
  const made = new Map<string, string>();
  return (value) => {
    let cell = made.get(value);
    if (cell === undefined) {
      cell = cellOf(value);
      made.set(value, cell);
    }
    return cell;
  };
}

/** Writes rows as CSV lines, with the event's names; one per export, since it keeps what it has made. */
function lineWriter(names: ExportNames, holders: ReadonlyMap<string, string>): (rows: readonly HistoryExportRow[]) => Uint8Array {
  const local = localTime(names.timeZone);
  const at = isoTime();
  const received = isoTime();
  const word = memo(csvCell);
  const holderCells = new Map<string, string>();
  for (const [ticket, name] of holders) holderCells.set(ticket, outsideCell(name));
  const checkpoint = memo((id) => `${outsideCell(id)},${outsideCell(names.checkpoints.get(id)?.name)}`);
  const inspector = memo((id) => `${outsideCell(id)},${outsideCell(names.staff.get(id)?.name)}`);
  const device = memo(outsideCell);
  // Each line goes into the page's buffer as soon as it is made: one string for the page,
  // encoded at the end, cost twice the CPU (its thousands of pieces are joined first).
  return (rows) => {
    let out = Buffer.allocUnsafe(rows.length * 256);
    let used = 0;
    for (const [ms, outcome, ticket, order, checkpointId, direction, inspectorId, deviceId, offline, idChecked, kind, annuls, quarantine, id, seq, receivedAt] of rows) {
      const line = `${local(ms)},${at(ms)},${word(outcome)},${outsideCell(ticket)},${outsideCell(order)},${ticket === null ? '' : (holderCells.get(ticket) ?? '')},`
        + `${checkpoint(checkpointId)},${word(direction)},${inspector(inspectorId)},${device(deviceId)},`
        + `${offline === 1 ? 'yes' : 'no'},${idChecked === 1 ? 'yes' : 'no'},${kind === null ? '' : word(kind)},${outsideCell(annuls)},`
        + `${quarantine === null ? '' : word(quarantine)},${outsideCell(id)},${seq},${received(receivedAt)}\n`;
      // UTF-8 takes at most three bytes for each UTF-16 unit.
      if (used + line.length * 3 > out.length) {
        const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, used + line.length * 3));
        out.copy(bigger, 0, 0, used);
        out = bigger;
      }
      used += out.write(line, used);
    }
    return out.subarray(0, used);
  };
}

/** A turn of the event loop: what else is waiting (an online verdict) runs before the next page is read. */
const nextTurn = () => new Promise<void>((resolve) => { setImmediate(resolve); });

/**
 * The CSV as a byte stream that reads the next page only when the reader has taken the
 * last one (pull), so a slow download holds one page, not the event. Starts with a
 * byte-order mark: Excel otherwise reads UTF-8 names as Latin-1.
 */
export function historyCsv(storage: Storage, query: Omit<HistoryQuery, 'before' | 'limit' | 'holders'>, names: ExportNames, pageRows = PAGE): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let before: HistoryQuery['before'];
  let lines: ((rows: readonly HistoryExportRow[]) => Uint8Array) | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!lines) {
        // Every ticket's holder read once per export: a join per row was half its time.
        lines = lineWriter(names, await storage.holderNames(query.eventId));
        controller.enqueue(encoder.encode(`\uFEFF${CSV_COLUMNS.map(csvCell).join(',')}\n`));
        return;
      }
      await nextTurn();
      const page = await storage.historyExportRows({ ...query, limit: pageRows, ...(before ? { before } : {}) });
      if (page.rows.length) controller.enqueue(lines(page.rows));
      if (page.next === null) controller.close();
      else before = page.next;
    },
  }, { highWaterMark: 1 });
}
