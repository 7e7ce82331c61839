// The history half of the Storage contract (see storage-contract.ts): supervisors' pages
// of scans, newest first by when they happened, with every filter the console offers.
import { beforeEach, expect, it } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, eventId, inspectorId, orderId, ticketId } from '@gatekeeper/shared/ids';
import type { HistoryCursor, HistoryEntry, HistoryQuery, Storage } from '@gatekeeper/sync-server/storage/types';
import { DEVICE_A, DEVICE_B, EVENT, INSPECTOR_B, T0, makeCheckpoint, makeEvent, makeOrder, makeScan, makeTicket } from '../support/factories.ts';

const EVENT_2 = eventId('ev-2');
const t1 = makeTicket({ id: ticketId('t1'), orderId: orderId('o-1'), holderName: 'Anna Müller' });
const t2 = makeTicket({ id: ticketId('t2'), orderId: null, holderName: 'Bram Jansen' });
/** No holder name: found by its order's buyer. */
const t3 = makeTicket({ id: ticketId('t3'), orderId: orderId('o-2'), holderName: null });
const ids = (scans: ReadonlyArray<{ scan: Scan }>) => scans.map((s) => s.scan.id);

export function historyContract(s: () => Storage): void {
  beforeEach(async () => {
    await s().createEvent(makeEvent());
    await s().createEvent(makeEvent({ id: EVENT_2 }));
    await s().upsertCheckpoint(makeCheckpoint());
    await s().importTickets(EVENT, [makeOrder(), makeOrder({ id: orderId('o-2'), buyerName: 'Chloé Visser' })], [t1, t2, t3]);
  });
  /** Scans stored one upload each: seq order = array order. */
  const storeEach = async (scans: Scan[]) => {
    for (const scan of scans) await s().uploadOffline([scan], scan.at);
  };
  const h = async (q: Partial<HistoryQuery>) => ids((await s().history({ eventId: EVENT, limit: 50, ...q })).scans);
  /** Every page of a query, by the cursor. */
  const allPages = async (q: Partial<HistoryQuery>) => {
    const out: string[] = [];
    for (let before: HistoryCursor | undefined; ;) {
      const page = await s().history({ eventId: EVENT, limit: 200, ...q, ...(before ? { before } : {}) });
      out.push(...ids(page.scans));
      if (page.next === null) return out;
      before = page.next;
    }
  };

  it('filters history by ticket, order, checkpoint, inspector, device, outcome and time, newest first', async () => {
    const a = makeScan({ ticketId: t1.id, orderId: t1.orderId, at: T0 });
    const b = makeScan({ ticketId: t2.id, checkpointId: checkpointId('side-door'), at: T0 + 10 });
    const c = makeScan({ ticketId: ticketId('t9'), deviceId: DEVICE_B, inspectorId: INSPECTOR_B, outcome: 'revoked', at: T0 + 20 });
    const d = makeScan({ ticketId: ticketId('t4'), eventId: EVENT_2, at: T0 + 15 });
    await storeEach([a, b, c, d]);
    expect(await h({})).toEqual([c.id, b.id, a.id]);
    expect(await h({ ticketId: t2.id })).toEqual([b.id]);
    expect(await h({ orderId: orderId('o-1') })).toEqual([a.id]);
    expect(await h({ checkpointId: checkpointId('side-door') })).toEqual([b.id]);
    expect(await h({ inspectorId: INSPECTOR_B })).toEqual([c.id]);
    expect(await h({ deviceId: DEVICE_A })).toEqual([b.id, a.id]);
    expect(await h({ outcome: 'revoked' })).toEqual([c.id]);
    expect(await h({ from: T0 + 10, to: T0 + 20 })).toEqual([c.id, b.id]);
    expect(await h({ from: T0 + 11 })).toEqual([c.id]);
    expect(await h({ to: T0 })).toEqual([a.id]);
    expect(await h({ deviceId: DEVICE_A, from: T0 + 5 })).toEqual([b.id]);
    expect(await h({ inspectorId: inspectorId('nobody') })).toEqual([]);
  });

  it('orders by when a scan happened: an offline scan uploaded late sits at its own time', async () => {
    const online1 = makeScan({ ticketId: ticketId('t5'), offline: false, at: T0 + 100 });
    const online2 = makeScan({ ticketId: ticketId('t6'), offline: false, at: T0 + 300 });
    const late = makeScan({ ticketId: ticketId('t7'), offline: true, at: T0 + 200 });
    await storeEach([online1, online2]);
    await s().uploadOffline([late], T0 + 10_000);
    expect(await h({})).toEqual([online2.id, late.id, online1.id]);
    expect(await h({ offline: true })).toEqual([late.id]);
    expect(await h({ offline: false })).toEqual([online2.id, online1.id]);
  });

  it('finds a holder by part of the name, in any case and without accents, or by the order\u2019s buyer', async () => {
    const a = makeScan({ ticketId: t1.id, at: T0 });
    const b = makeScan({ ticketId: t2.id, at: T0 + 1 });
    const c = makeScan({ ticketId: t3.id, at: T0 + 2 });
    await storeEach([a, b, c]);
    expect(await h({ holder: 'muller' })).toEqual([a.id]);
    expect(await h({ holder: 'MÜLL' })).toEqual([a.id]);
    expect(await h({ holder: 'jansen' })).toEqual([b.id]);
    expect(await h({ holder: 'Chloe' })).toEqual([c.id]);
    expect(await h({ holder: 'visser', outcome: 'valid' })).toEqual([c.id]);
    expect(await h({ holder: 'nobody by that name' })).toEqual([]);
    // One or two letters: too short for the trigram index, so a word of the name must start
    // with them (a prefix index): "Wu" finds Li Wu and Wubbe, not Kwun, which has it inside.
    const wu = makeTicket({ id: ticketId('t-wu'), orderId: null, holderName: 'Li Wu' });
    const wubbe = makeTicket({ id: ticketId('t-wubbe'), orderId: null, holderName: 'Wubbe Özil' });
    const kwun = makeTicket({ id: ticketId('t-kwun'), orderId: null, holderName: 'Kwun Ho' });
    await s().importTickets(EVENT, [], [wu, wubbe, kwun]);
    const [w, wb, kw] = [wu, wubbe, kwun].map((t, i) => makeScan({ ticketId: t.id, at: T0 + 3 + i }));
    await storeEach([w!, wb!, kw!]);
    expect(await h({ holder: 'wu' })).toEqual([wb!.id, w!.id]);
    expect(await h({ holder: 'WU' })).toEqual([wb!.id, w!.id]);
    expect(await h({ holder: 'oz' })).toEqual([wb!.id]);
    expect(await h({ holder: 'k' })).toEqual([kw!.id]);
    expect(await h({ holder: 'un' })).toEqual([]);
    // Nothing a name's word could start with.
    expect(await h({ holder: '--' })).toEqual([]);
    expect(await h({ holder: '"' })).toEqual([]);
    expect(await h({ holder: "'" })).toEqual([]);
    // Wildcards are not patterns: "%" alone does not match everyone.
    expect(await h({ holder: '%%' })).toEqual([]);
    expect(await h({ holder: 'j_nsen' })).toEqual([]);
    const page = await s().history({ eventId: EVENT, limit: 10, holder: 'jansen' });
    expect(page.scans.map((e) => e.holder)).toEqual(['Bram Jansen']);
    expect((await s().history({ eventId: EVENT, limit: 10, holder: 'visser' })).scans.map((e) => e.holder)).toEqual(['Chloé Visser']);
  });

  it('finds a holder among many tickets of that name, newest first, the same as among few', async () => {
    const many = Array.from({ length: 520 }, (_, i) => makeTicket({ id: ticketId(`tj-${i}`), orderId: null, holderName: `Jansen ${i}` }));
    await s().importTickets(EVENT, [], many);
    const scans = many.map((t, i) => makeScan({ ticketId: t.id, at: T0 + (i % 7) * 1000 + i }));
    await s().uploadOffline(scans, T0);
    const want = [...scans].sort((x, y) => y.at - x.at).map((x) => x.id);
    expect(await allPages({ holder: 'jansen' })).toEqual(want);
    expect(await h({ holder: 'jansen 25', limit: 500 })).toEqual(scans.filter((_, i) => /^25\d?$/.test(String(i))).sort((x, y) => y.at - x.at).map((x) => x.id));
  });

  it('follows a renamed holder and a renamed buyer (a later import)', async () => {
    const a = makeScan({ ticketId: t1.id, at: T0 });
    const c = makeScan({ ticketId: t3.id, at: T0 + 1 });
    await storeEach([a, c]);
    await s().importTickets(EVENT, [makeOrder({ id: orderId('o-2'), buyerName: 'Daan de Boer' })], [{ ...t1, holderName: 'Anna de Wit' }]);
    expect(await h({ holder: 'müller' })).toEqual([]);
    expect(await h({ holder: 'de wit' })).toEqual([a.id]);
    expect(await h({ holder: 'visser' })).toEqual([]);
    expect(await h({ holder: 'de boer' })).toEqual([c.id]);
  });

  it('pages with `next` until it is null, scans of the same moment split across pages', async () => {
    const scans = Array.from({ length: 7 }, (_, i) => makeScan({ ticketId: ticketId(`t-${i}`), at: T0 + Math.floor(i / 3) }));
    await storeEach(scans);
    const seen: string[] = [];
    let before: HistoryCursor | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await s().history({ eventId: EVENT, limit: 2, ...(before === undefined ? {} : { before }) });
      sizes.push(page.scans.length);
      seen.push(...ids(page.scans));
      if (page.next === null) break;
      before = page.next;
    }
    expect(sizes).toEqual([2, 2, 2, 1]);
    // Same `at`: the later stored first, as with distinct times.
    expect(seen).toEqual(scans.map((x) => x.id).reverse());
    const exact = await s().history({ eventId: EVENT, limit: 7 });
    expect(exact.next).toBeNull();
  });

  it('caps a history page at 500 scans', async () => {
    const scans = Array.from({ length: 501 }, (_, i) => makeScan({ ticketId: ticketId(`t-${i}`), at: T0 + i }));
    await s().uploadOffline(scans, T0);
    const page = await s().history({ eventId: EVENT, limit: 10_000 });
    expect(page.scans).toHaveLength(500);
    expect(page.next).not.toBeNull();
    const rest = await s().history({ eventId: EVENT, limit: 10_000, before: page.next! });
    expect(rest.scans.map((e) => e.scan.id)).toEqual([scans[0].id]);
    expect(rest.next).toBeNull();
  });

  it('gives the export the same pages as the history, as rows of columns, by the same cursor', async () => {
    const late = makeScan({ ticketId: t1.id, orderId: t1.orderId, at: T0 + 1, offline: true, idChecked: true, quarantine: 'clock_ahead' });
    const undo = makeScan({ ticketId: t1.id, at: T0 + 2, kind: 'annul', annuls: late.id, direction: 'exit', offline: false });
    const unknown = makeScan({ ticketId: null, at: T0 + 2, outcome: 'unknown', deviceId: DEVICE_B, inspectorId: INSPECTOR_B });
    const many = Array.from({ length: 7 }, (_, i) => makeScan({ ticketId: t2.id, at: T0 + Math.floor(i / 3) }));
    await storeEach([late, undo, unknown, ...many]);
    await s().uploadOffline([makeScan({ eventId: EVENT_2, ticketId: ticketId('t4') })], T0 + 99);
    const asRow = (e: HistoryEntry) => {
      const x = e.scan;
      return [x.at, x.outcome, x.ticketId, x.orderId, x.checkpointId, x.direction, x.inspectorId, x.deviceId, x.offline ? 1 : 0, x.idChecked ? 1 : 0,
        x.kind ?? null, x.annuls ?? null, x.quarantine ?? null, x.id, e.seq, e.receivedAt];
    };
    for (const q of [{}, { holder: 'jansen' }, { offline: false }, { ticketId: t1.id, to: T0 + 1 }, { holder: '%' }] satisfies Array<Partial<HistoryQuery>>) {
      const want: unknown[] = [];
      for (let before: HistoryCursor | undefined; ;) {
        const page = await s().history({ eventId: EVENT, limit: 2, ...q, ...(before ? { before } : {}) });
        want.push(...page.scans.map(asRow));
        if (page.next === null) break;
        before = page.next;
      }
      const got: unknown[] = [];
      for (let before: HistoryCursor | undefined; ;) {
        const page = await s().historyExportRows({ eventId: EVENT, limit: 2, ...q, ...(before ? { before } : {}) });
        expect(page.rows.length).toBeLessThanOrEqual(2);
        got.push(...page.rows);
        if (page.next === null) break;
        before = page.next;
      }
      expect(got, JSON.stringify(q)).toEqual(want);
    }
    expect((await s().historyExportRows({ eventId: EVENT, limit: 100 })).rows).toHaveLength(10);
  });
}
