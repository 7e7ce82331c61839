// The export's exact bytes, compared with a fixed text (csv-export.expected.json, one
// entry per case, the CSV split at its record delimiter "\n"): what a supervisor's
// spreadsheet receives must not change when the way it is made does. The scans are chosen
// to be awkward: names with quotes, commas, line breaks (LF, CR, CRLF), accents, CJK and
// emoji, cells a spreadsheet would run, unknown tickets and checkpoints, annulments and
// quarantined scans, several scans in one millisecond, and the night the clocks go back;
// every filter of the history is asked, and pages of three rows give the same bytes as
// pages of the default size.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, deviceId, inspectorId, orderId, scanId, ticketId } from '@gatekeeper/shared/ids';
import { historyCsv, type ExportNames } from '@gatekeeper/sync-server/history/csv-export';
import { openSqliteStorage } from '@gatekeeper/sync-server/storage/sqlite/index';
import type { HistoryQuery, Storage } from '@gatekeeper/sync-server/storage/types';
import { EVENT, INSPECTOR_A, INSPECTOR_B, makeCheckpoint, makeEvent, makeOrder, makeScan, makeStaff, makeTicket } from '../support/factories.ts';

const EXPECTED = JSON.parse(readFileSync(new URL('./csv-export.expected.json', import.meta.url), 'utf8')) as Record<string, string[]>;

/** Amsterdam's clocks went back at 01:00 UTC on 26 October 2025 (03:00 CEST → 02:00 CET). */
const DST_END = Date.UTC(2025, 9, 26, 1, 0);
const NORTH = checkpointId('north');
const SIDE = checkpointId('side');
const INSPECTOR_C = inspectorId('insp-c');
const DEVICE_C = deviceId('dev-c');

const HOLDERS: Array<[string, string | null, string | null]> = [
  // ticket, holder, order (whose buyer names a ticket without a holder)
  ['t-quote', 'Jan "Jantje" de Boer', null],
  ['t-comma', 'Vries, Sanne', null],
  ['t-lf', 'Line\nBreak', null],
  ['t-cr', 'Carriage\rReturn', null],
  ['t-crlf', 'Both\r\nEnds', null],
  ['t-uni', 'Zoë Ångström 李小龍 🎫', null],
  ['t-muller', 'Anna Müller', 'o-m'],
  ['t-wu', 'Li Wu', null],
  ['t-formula', '=HYPERLINK("http://evil.example","x")', null],
  ['t-minus', '-5+3', null],
  ['t-plus', '+31 6 1234', null],
  ['t-at', '@SUM(A1)', null],
  ['t-tab', '\tTabbed', null],
  ['t-crfirst', '\rFirst', null],
  ['t-space', '  spaced, "both"  ', null],
  ['t-buyer', null, 'o-b'],
  ['t-none', null, null],
];
/** Over 500 tickets share a name: the holder filter then walks the event instead of the names. */
const CROWD = 510;

function scans(): Scan[] {
  const at = (minutes: number, ms = 0) => DST_END - 90 * 60_000 + minutes * 60_000 + ms;
  const out: Scan[] = [];
  const add = (id: string, fields: Partial<Scan>) => out.push(makeScan({ id: scanId(id), code: `GK1.${id}`, ...fields }));
  HOLDERS.forEach(([t, , order], i) => add(`s-${t}`, {
    ticketId: ticketId(t), orderId: order === null ? null : orderId(order), at: at(i * 7, i * 137),
    checkpointId: [makeCheckpoint().id, NORTH, SIDE][i % 3]!, inspectorId: [INSPECTOR_A, INSPECTOR_B, INSPECTOR_C][i % 3]!,
    direction: i % 4 === 3 ? 'exit' : 'entry', outcome: (['valid', 'already_used', 'exit', 'unpaid', 'revoked'] as const)[i % 5]!,
    offline: i % 2 === 0, idChecked: i % 3 === 1, deviceId: i % 5 === 4 ? DEVICE_C : makeScan().deviceId,
  }));
  // Three scans in one millisecond, on a minute's first second, and one at its last.
  for (const n of [1, 2, 3]) add(`s-same-${n}`, { ticketId: ticketId('t-quote'), at: at(60), outcome: 'already_used', offline: false });
  add('s-last-second', { ticketId: ticketId('t-comma'), at: at(61, -1) });
  // The hour that happens twice in Amsterdam: 02:30 CEST, then 02:30 CET.
  add('s-first-0230', { ticketId: ticketId('t-uni'), at: DST_END - 30 * 60_000 });
  add('s-second-0230', { ticketId: ticketId('t-uni'), at: DST_END + 30 * 60_000 });
  // A code that named no ticket, a ticket nobody imported, a checkpoint the event lacks.
  add('s-no-ticket', { ticketId: null, outcome: 'unknown', at: at(3) });
  add('s-ghost', { ticketId: ticketId('t-ghost'), outcome: 'unknown', at: at(4) });
  add('s-gone-gate', { ticketId: ticketId('t-muller'), checkpointId: checkpointId('gone'), quarantine: 'unknown_checkpoint', at: at(5) });
  // An undo that counts, one that came too late, and a clock from the future.
  add('s-annul', { ticketId: ticketId('t-quote'), kind: 'annul', annuls: scanId('s-t-quote'), outcome: 'valid', at: at(1) });
  add('s-annul-late', { ticketId: ticketId('t-comma'), kind: 'annul', annuls: scanId('s-t-comma'), outcome: 'valid', quarantine: 'annul_outside_window', at: at(90) });
  add('s-ahead', { ticketId: ticketId('t-wu'), quarantine: 'clock_ahead', at: at(200, 999) });
  for (const n of [0, 255, CROWD - 1]) add(`s-crowd-${n}`, { ticketId: ticketId(`t-crowd-${n}`), at: at(20 + n / 100, n) });
  return out;
}

const NAMES = (timeZone: string): ExportNames => ({
  timeZone,
  checkpoints: new Map([makeCheckpoint(), makeCheckpoint({ id: NORTH, name: 'Gate "B", north' }), makeCheckpoint({ id: SIDE, name: '=SUM(1)' })].map((k) => [k.id, k])),
  staff: new Map([
    makeStaff(), makeStaff({ id: INSPECTOR_B, username: 'b', name: 'Björn, "the gate"' }), makeStaff({ id: INSPECTOR_C, username: 'c', name: '-Ω\nnew line' }),
  ].map((s) => [s.id, s])),
});

/** Each case: the filters, and the event's zone when it is not Amsterdam. */
export const CASES: Record<string, { query: Partial<HistoryQuery>; timeZone?: string }> = {
  all: { query: {} },
  allInKathmandu: { query: {}, timeZone: 'Asia/Kathmandu' },
  ticket: { query: { ticketId: ticketId('t-quote') } },
  order: { query: { orderId: orderId('o-m') } },
  checkpoint: { query: { checkpointId: NORTH } },
  inspector: { query: { inspectorId: INSPECTOR_C } },
  device: { query: { deviceId: DEVICE_C } },
  outcome: { query: { outcome: 'already_used' } },
  offline: { query: { offline: true } },
  online: { query: { offline: false } },
  holderPhrase: { query: { holder: 'MULLER' } },
  holderBuyer: { query: { holder: 'chloé' } },
  holderShort: { query: { holder: 'Wu' } },
  holderQuote: { query: { holder: '"Jantje"' } },
  holderCrowd: { query: { holder: 'crowd member' } },
  holderWildcard: { query: { holder: '%' } },
  from: { query: { from: DST_END } },
  to: { query: { to: DST_END - 60 * 60_000 } },
  window: { query: { from: DST_END - 30 * 60_000, to: DST_END + 30 * 60_000 } },
  combined: { query: { deviceId: makeScan().deviceId, offline: true, outcome: 'valid', from: DST_END - 80 * 60_000 } },
};

let storage: Storage;

beforeAll(async () => {
  storage = openSqliteStorage({ file: ':memory:' });
  await storage.createEvent(makeEvent());
  for (const k of NAMES('UTC').checkpoints.values()) await storage.upsertCheckpoint(k);
  const orders = [makeOrder({ id: orderId('o-m'), buyerName: 'Not the holder' }), makeOrder({ id: orderId('o-b'), buyerName: 'Chloé "C" Visser, Jr.' })];
  const tickets = [
    ...HOLDERS.map(([t, holder, order]) => makeTicket({ id: ticketId(t), holderName: holder, orderId: order === null ? null : orderId(order) })),
    ...Array.from({ length: CROWD }, (_, i) => makeTicket({ id: ticketId(`t-crowd-${i}`), holderName: `Crowd Member ${i}` })),
  ];
  await storage.importTickets(EVENT, orders, tickets);
  // In three uploads, so that the received times differ.
  const all = scans();
  for (const [i, part] of [all.slice(0, 10), all.slice(10, 20), all.slice(20)].entries()) {
    await storage.uploadOffline(part, DST_END + 3600_000 + i * 61_001);
  }
});
afterAll(async () => { await storage?.close(); });

async function exported(name: string, pageRows?: number): Promise<string> {
  const { query, timeZone } = CASES[name]!;
  const stream = historyCsv(storage, { eventId: EVENT, ...query }, NAMES(timeZone ?? 'Europe/Amsterdam'), pageRows);
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  // Every byte as sent, the byte-order mark included: the decoder must not drop it.
  return new TextDecoder('utf-8', { ignoreBOM: true, fatal: true }).decode(bytes);
}

describe('the history export\u2019s bytes', () => {
  it('has one expected text for every case', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const name of Object.keys(CASES)) {
    it(`${name}: the expected text, in pages of 3 rows as in whole pages`, async () => {
      const want = EXPECTED[name]!.join('\n');
      expect(await exported(name)).toBe(want);
      expect(await exported(name, 3)).toBe(want);
    });
  }
});
