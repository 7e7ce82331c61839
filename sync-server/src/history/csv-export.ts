// History as CSV, for a spreadsheet: exactly the rows the filters select, newest first,
// streamed a page at a time so that an event of a million scans never sits in memory.
// Quoting is csv-stringify's (RFC 4180, the same family as the csv-parse that reads
// imports). What is ours: which columns, that no cell a person typed or a phone sent can
// run as a formula when the file is opened, and making each row's cells straight from the
// columns storage reads (historyExportRows), a page at a time, with every cell of a column
// that repeats (gates, staff, devices, outcomes, times within a minute) made once: a
// million rows made into Scan objects and records took 25 s of CPU, a fifth of it the
// collector's (server.history.export.1m in bench/README.md).
import { stringify } from 'csv-stringify/sync';
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

/** A cell of text that came from outside (a name, an id): safe for a spreadsheet; empty when absent. */
const outsideCell = (text: string | null | undefined): string => (text === null || text === undefined ? '' : spreadsheetSafe(text));

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

/** Cells of a column with few values (gates, staff, devices), each made once per export. */
function memo<T>(cellOf: (value: string) => T): (value: string) => T {
  const made = new Map<string, T>();
  return (value) => {
    let cell = made.get(value);
    if (cell === undefined) {
      cell = cellOf(value);
      made.set(value, cell);
    }
    return cell;
  };
}

type Cell = string | number;

/** Makes a page's rows of cells, with the event's names; one per export, since it keeps what it has made. */
function rowMaker(names: ExportNames, holders: ReadonlyMap<string, string>): (row: HistoryExportRow) => Cell[] {
  const local = localTime(names.timeZone);
  const at = isoTime();
  const received = isoTime();
  const holderCells = new Map<string, string>();
  for (const [ticket, name] of holders) holderCells.set(ticket, outsideCell(name));
  const checkpointName = memo((id) => outsideCell(names.checkpoints.get(id)?.name));
  const inspectorName = memo((id) => outsideCell(names.staff.get(id)?.name));
  const safe = memo(outsideCell);
  return ([ms, outcome, ticket, order, checkpointId, direction, inspectorId, deviceId, offline, idChecked, kind, annuls, quarantine, id, seq, receivedAt]) => [
    local(ms), at(ms), outcome, outsideCell(ticket), outsideCell(order), ticket === null ? '' : (holderCells.get(ticket) ?? ''),
    safe(checkpointId), checkpointName(checkpointId), direction, safe(inspectorId), inspectorName(inspectorId), safe(deviceId),
    offline === 1 ? 'yes' : 'no', idChecked === 1 ? 'yes' : 'no', kind ?? '', outsideCell(annuls),
    quarantine ?? '', outsideCell(id), seq, received(receivedAt),
  ];
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
  let rowOf: ((row: HistoryExportRow) => Cell[]) | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!rowOf) {
        // Every ticket's holder read once per export: a join per row was half its time.
        rowOf = rowMaker(names, await storage.holderNames(query.eventId));
        controller.enqueue(encoder.encode(`\uFEFF${stringify([[...CSV_COLUMNS]])}`));
        return;
      }
      await nextTurn();
      const page = await storage.historyExportRows({ ...query, limit: pageRows, ...(before ? { before } : {}) });
      if (page.rows.length) controller.enqueue(encoder.encode(stringify(page.rows.map(rowOf))));
      if (page.next === null) controller.close();
      else before = page.next;
    },
  }, { highWaterMark: 1 });
}
