// History as CSV, for a spreadsheet: exactly the rows the filters select, newest first,
// streamed a page at a time so that an event of a million scans never sits in memory.
// Quoting is csv-stringify's; what is ours is which columns, and that no cell a person
// typed or a phone sent can run as a formula when the file is opened.
import { stringify } from 'csv-stringify/sync';
import type { HistoryEntry } from '@gatekeeper/shared/api/history';
import type { Checkpoint } from '@gatekeeper/shared/domain';
import type { HistoryQuery, StaffRecord, Storage } from '../storage/types.ts';

/** Rows per read: the storage's page size, each one walk down one index. */
const PAGE = 500;

/**
 * Spreadsheets run a cell that starts with = + - @ as a formula, and some also after a
 * leading tab or carriage return (OWASP's CSV injection advice). Holder names, codes and
 * ids come from imports and phones: such a cell gets a leading apostrophe, which the
 * spreadsheet shows as text and does not run. Numbers we write ourselves stay numbers.
 */
export function spreadsheetSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export const CSV_COLUMNS = [
  'time', 'time_utc', 'outcome', 'ticket', 'order', 'holder', 'checkpoint', 'checkpoint_name', 'direction',
  'inspector', 'inspector_name', 'device', 'offline', 'id_checked', 'kind', 'annuls', 'quarantine', 'scan', 'seq', 'received_utc',
] as const;

export interface ExportNames {
  timeZone: string;
  checkpoints: ReadonlyMap<string, Checkpoint>;
  staff: ReadonlyMap<string, StaffRecord>;
}

interface RowNames extends ExportNames {
  /** Every ticket's holder (else its buyer), read once per export: a join per row was half its time. */
  holders: ReadonlyMap<string, string>;
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

function rowOf(e: HistoryEntry, names: RowNames, local: (ms: number) => string): Array<string | number> {
  const s = e.scan;
  const text = (v: string | null | undefined) => (v === null || v === undefined ? '' : spreadsheetSafe(v));
  return [
    local(s.at), new Date(s.at).toISOString(), s.outcome, text(s.ticketId), text(s.orderId), text(s.ticketId === null ? null : names.holders.get(s.ticketId)),
    text(s.checkpointId), text(names.checkpoints.get(s.checkpointId)?.name), s.direction,
    text(s.inspectorId), text(names.staff.get(s.inspectorId)?.name), text(s.deviceId),
    s.offline ? 'yes' : 'no', s.idChecked ? 'yes' : 'no', s.kind ?? '', text(s.annuls), s.quarantine ?? '',
    text(s.id), e.seq, new Date(e.receivedAt).toISOString(),
  ];
}

/**
 * The CSV as a byte stream that reads the next page only when the reader has taken the
 * last one (pull), so a slow download holds one page, not the event. Starts with a
 * byte-order mark: Excel otherwise reads UTF-8 names as Latin-1.
 */
export function historyCsv(storage: Storage, query: Omit<HistoryQuery, 'before' | 'limit'>, names: ExportNames, pageRows = PAGE): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const local = localTime(names.timeZone);
  let before: HistoryQuery['before'];
  let rowNames: RowNames | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!rowNames) {
        rowNames = { ...names, holders: await storage.holderNames(query.eventId) };
        controller.enqueue(encoder.encode(`\uFEFF${stringify([[...CSV_COLUMNS]])}`));
        return;
      }
      const page = await storage.history({ ...query, limit: pageRows, holders: false, ...(before ? { before } : {}) });
      const rn = rowNames;
      if (page.scans.length) controller.enqueue(encoder.encode(stringify(page.scans.map((e) => rowOf(e, rn, local)))));
      if (page.next === null) controller.close();
      else before = page.next;
    },
  }, { highWaterMark: 1 });
}
