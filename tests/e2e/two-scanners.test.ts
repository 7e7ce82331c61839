// First scan wins across gates. Online, the server decides and the second gate sees who
// came first; offline, each gate decides alone, and the duplicate becomes a conflict that
// both inspectors see the moment they reconnect.
import { beforeAll, describe, expect, test } from 'vitest';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, eventually, login, serverScans, takeTicket, ticketCode, worldForFile } from './fixtures.ts';
import { bothAdmitOffline, twoGates } from './two-gates.ts';
import { checkpointId } from '@gatekeeper/shared/ids';

const env = worldForFile();

let gateA: ScannerPage;
let gateB: ScannerPage;

beforeAll(async () => {
  // Two phones, two inspectors, two lanes of the main gate (one entry per ticket per event).
  [gateA, gateB] = await twoGates(env);
});

describe('two scanners, one ticket', () => {
  test('online: the second gate shows ALREADY SCANNED with the first scan\u2019s checkpoint, time and inspector, within a second', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: false });

    // "Within a second" is measured by the benchmarks (server.verdict, pwa.verdict); here,
    // the outcome: an online verdict (not the phone's own) naming the first scan.
    await gateB.wedge(code);
    const v = await gateB.expectVerdict('already_used', { offline: false });
    const first = await gateB.page.getByTestId('first-scan').textContent();
    expect(first).toContain('Main gate');
    expect(first).toContain(login('inspector').name);
    expect(first).toMatch(/\d\d:\d\d:\d\d/);
    expect(v.text).toContain('Scanned before');
    await Promise.all([gateA.dismissVerdict(), gateB.dismissVerdict()]);
  });

  test('offline at both gates: both VALID OFFLINE; back online: one winner, a conflict alert on both, both scans in history', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    const [seenA] = await bothAdmitOffline(gateA, gateB, code);
    expect(seenA.word).toBe('VALID OFFLINE');

    // Exactly one admission stands on the server; the other is a conflict naming both.
    const scans = await eventually(() => serverScans(env.w, t.id), (s) => s.length === 2);
    expect(scans.filter((s) => s.outcome === 'valid' && s.offline)).toHaveLength(2);
    const conflicts = (await env.w.supervisor.request('GET', `/api/events/demo-festival/conflicts`)).json.conflicts as Array<{ ticketId: string; winner: { scanId: string }; loser: { scanId: string } }>;
    const mine = conflicts.filter((c) => c.ticketId === t.id);
    expect(mine).toHaveLength(1);
    const ids = new Set<string>(scans.map((s) => s.id));
    expect(ids.has(mine[0].winner.scanId) && ids.has(mine[0].loser.scanId)).toBe(true);

    for (const gate of [gateA, gateB]) {
      const alert = gate.conflictAlert();
      await alert.waitFor({ timeout: WAIT_MS });
      expect(await alert.getAttribute('data-ticket-id')).toBe(t.id);
      const named = await alert.locator('[data-scan-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-scan-id')));
      expect(new Set(named)).toEqual(ids);
      await alert.getByRole('button', { name: 'Dismiss' }).click();
      // Both scans are in this phone's history: its own, and the other one by gossip.
      await eventually(() => gate.historyScanIds(), (h) => [...ids].every((id) => h.includes(id)));
    }
  });

  test('scans another gate stored while this one was away arrive compressed (protocol 2) and decide its next offline verdict', async () => {
    const tickets = Array.from({ length: 6 }, () => takeTicket(env.w));
    await gateB.setOffline(true);
    await gateB.waitLink('offline');
    // Count the frames of the socket the phone opens when it comes back.
    const frames = { binary: 0, text: 0 };
    gateB.page.on('websocket', (ws) => ws.on('framereceived', (f) => { if (typeof f.payload === 'string') frames.text++; else frames.binary++; }));

    // A third phone (a script here) uploads six offline admissions meanwhile.
    const who = login('inspector');
    const other = await ScannerClient.connect(env.w.server.url, who.username, who.password, DEMO_EVENT, checkpointId('main-gate'));
    const uploaded = tickets.map((t) => other.offlineScan(other.request(t.id, t.id)));
    try {
      const acks = await other.upload(uploaded);
      expect(acks.results.every((r) => r.status === 'accepted')).toBe(true);
    } finally {
      await other.close();
    }

    await gateB.setOffline(false);
    await gateB.waitLink('online');
    await eventually(async () => frames.binary, (n) => n >= 1);
    expect(frames.text).toBeGreaterThan(0); // welcome, and the rest
    // A frame received is not yet a scan stored: the phone inflates and writes it first.
    await eventually(() => gateB.historyScanIds(), (h) => uploaded.every((s) => h.includes(s.id)));

    // Offline again, the phone decides alone, from the scans it inflated.
    await gateB.setOffline(true);
    await gateB.waitLink('offline');
    const { code } = await ticketCode(env.w, tickets[3]!.id);
    await gateB.wedge(code);
    await gateB.expectVerdict('already_used', { offline: true });
    await gateB.dismissVerdict();
    await gateB.setOffline(false);
    await gateB.waitLink('online');
  });
});
