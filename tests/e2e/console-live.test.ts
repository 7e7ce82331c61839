// The supervisors' console, Live and Conflicts (issue 10), against a real server and real
// phones: a scan at a gate shows on the supervisor's live view, pushed (the page asks the
// server for nothing meanwhile); two phones that admit one ticket while cut off from the
// server make a conflict that appears in the inbox as they come back, is marked reviewed with
// a note there, and shows reviewed on another supervisor's console at once; an inspector
// gets no live view. Scripted phones (raw sockets speaking the protocol) add the other gates'
// traffic that the screenshots show.
import type { Scan } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import { checkpointId, type CheckpointId } from '@gatekeeper/shared/ids';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ConflictsView, LiveView } from '../support/pages/console-live-page.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import type { ScannerPage } from '../support/pages/scanner-page.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, plain, takeTicket, ticketCode, worldForFile, type World } from './fixtures.ts';
import { bothAdmitOffline, twoGates } from './two-gates.ts';

const env = worldForFile({ tickets: 200 });

let gateA: ScannerPage;
let gateB: ScannerPage;
/** The supervisor's laptop, open on Live from the first test on. */
let desk: ConsolePage;
const scripted: ScannerClient[] = [];

beforeAll(async () => {
  [gateA, gateB] = await twoGates(env);
});

afterAll(async () => {
  await Promise.all(scripted.map((c) => c.close()));
});

/** A phone at another gate, as a script: it uploads what it decided offline. */
async function scriptedGate(w: World, who: string, at: string): Promise<ScannerClient> {
  const l = login(who);
  const c = await ScannerClient.connect(w.server.url, l.username, l.password, DEMO_EVENT, checkpointId(at));
  scripted.push(c);
  return c;
}

const MIN = 60_000;

/**
 * The evening so far at the other gates, decided offline and uploaded now: admissions spread
 * over the last 9 minutes (the server takes stamps up to 10 minutes before a phone's
 * registration), a few codes that are no ticket, and at the VIP lounge (entry and exit)
 * entries and one exit. Returns how many admissions each checkpoint got.
 */
async function eveningAtOtherGates(w: World): Promise<Record<string, number>> {
  const now = Date.now();
  const plan: Array<{ at: CheckpointId; who: string; count: number; vip?: boolean }> = [
    { at: checkpointId('ice-rink'), who: 'inspector', count: 14 },
    { at: checkpointId('bar'), who: 'inspector2', count: 6 },
    { at: checkpointId('vip-lounge'), who: 'inspector2', count: 4, vip: true },
  ];
  const admitted: Record<string, number> = {};
  for (const p of plan) {
    const gate = await scriptedGate(w, p.who, p.at);
    const zone = p.at === 'vip-lounge' ? 'vip' : p.at;
    const mode = p.at === 'vip-lounge' ? 'entry_exit' : p.at === 'bar' ? 'unlimited' : 'once_per_zone';
    const scans: Scan[] = [];
    for (let i = 0; i < p.count; i++) {
      const t = takeTicket(w, (x) => plain(x) && (p.vip ? x.type === 'VIP' : true));
      const at = now - Math.round(((p.count - i) / p.count) * 9 * MIN) + 1000;
      scans.push(gate.offlineScan(gate.request(t.id, (await ticketCode(w, t.id)).code, { at, hlc: stampAt(at, i), zone, mode })));
      if (p.vip && i === 0) {
        const out = now - 60_000;
        scans.push(gate.offlineScan(gate.request(t.id, (await ticketCode(w, t.id)).code, { at: out, hlc: stampAt(out, 99), zone, mode, direction: 'exit' }), 'exit'));
      }
    }
    for (let i = 0; i < 3 && p.at === 'ice-rink'; i++) {
      const at = now - (i + 1) * 2 * MIN;
      scans.push(gate.offlineScan(gate.request(null, `NOT-A-TICKET-${i}`, { at, hlc: stampAt(at, 50 + i), zone, mode }), 'unknown'));
    }
    const ack = await gate.upload(scans);
    expect(ack.results.every((r) => r.status === 'accepted' && !r.quarantine)).toBe(true);
    admitted[p.at] = p.count;
  }
  return admitted;
}

const stampAt = (physical: number, counter: number): string => formatHlc({ physical, counter });

describe('the console\u2019s Live section', () => {
  test('a scan at a gate shows on the supervisor\u2019s live view, pushed: the page asks the server nothing meanwhile', async () => {
    desk = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 1280, height: 800 } }), env.w.server.url,
      login('supervisor').username, login('supervisor').password, 'Live');
    expect(new URL(desk.page.url()).pathname).toBe('/console/live');
    const live = new LiveView(desk.page);
    await live.ready();
    const before = await live.admitted();
    const atMain = await live.checkpointAdmitted('main-gate');

    const asked: string[] = [];
    desk.page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) asked.push(r.url()); });
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: false });
    await gateA.dismissVerdict();
    await live.waitFor(`[data-testid=live-checkpoints] [data-checkpoint-id=main-gate][data-admitted="${atMain + 1}"]`);
    expect(await live.admitted()).toBe(before + 1);
    // The same ticket again: refused, and counted in the outcome mix as that.
    await gateB.wedge(code);
    await gateB.expectVerdict('already_used', { offline: false });
    await gateB.dismissVerdict();
    await live.waitFor('[data-testid=live-mix] [data-outcome=already_used][data-count="1"]');
    expect(await live.admitted()).toBe(before + 1);
    expect(asked).toEqual([]);

    // The other gates' evening, for the figures and the chart.
    const more = await eveningAtOtherGates(env.w);
    await live.waitFor(`[data-testid=live-checkpoints] [data-checkpoint-id=ice-rink][data-admitted="${more['ice-rink']}"]`);
    await live.waitFor(`[data-testid=live-checkpoints] [data-checkpoint-id=vip-lounge][data-admitted="${more['vip-lounge']}"]`);
    // Four entered the VIP lounge and one came out again.
    await live.waitFor('[data-testid=live-zones] [data-zone=vip][data-inside="3"]');
    await live.waitFor('[data-testid=live-mix] [data-outcome=unknown][data-count="3"]');
    expect(await live.admitted()).toBe(before + 1 + more['ice-rink']! + more['bar']! + more['vip-lounge']!);
    expect(Number(await desk.page.getByTestId('entries-chart').getAttribute('data-series'))).toBe(4);
    expect(asked).toEqual([]);
    await desk.photograph('27-console-live');
  });
});

describe('the console\u2019s conflict inbox', () => {
  test('two phones admit one ticket offline; back online, the conflict appears with both scans, is marked reviewed with a note, and shows reviewed on another console', async () => {
    // A supervisor on a phone, on Conflicts before anything happens: what follows is pushed.
    const sup = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), env.w.server.url,
      login('supervisor').username, login('supervisor').password, 'Conflicts');
    const inbox = new ConflictsView(sup.page);
    await inbox.ready();
    // The desk looks at the inbox too (another socket of the same supervisor).
    await desk.open('Conflicts');
    const deskInbox = new ConflictsView(desk.page);
    await deskInbox.ready();

    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await bothAdmitOffline(gateA, gateB, code);

    const card = await inbox.waitConflict(t.id);
    const scans = await card.locator('[data-scan-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-scan-id')));
    const stored = (await env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`)).json.conflicts as Array<{ ticketId: string; holder: string | null; winner: { scanId: string; deviceId: string }; loser: { scanId: string; deviceId: string } }>;
    const mine = stored.find((c) => c.ticketId === t.id)!;
    expect(scans).toEqual([mine.winner.scanId, mine.loser.scanId]);
    const text = (await card.innerText()).replace(/\s+/g, ' ');
    for (const said of ['Ingrid Inspector', 'Ivo Inspector', 'Main gate', 'offline', 'First (stands)', 'Second']) expect(text).toContain(said);
    // The holder, and each scan's phone by its name.
    const devices = (await env.w.supervisor.request('GET', '/api/devices')).json.devices as Array<{ id: string; name: string }>;
    const phoneName = (id: string) => devices.find((d) => d.id === id)!.name;
    expect(mine.holder).toBeTruthy();
    expect(await card.getByTestId('conflict-holder').innerText()).toBe(mine.holder);
    expect(mine.winner.deviceId).not.toBe(mine.loser.deviceId);
    for (const id of [mine.winner.deviceId, mine.loser.deviceId]) expect(text).toContain(phoneName(id));
    expect(await card.getAttribute('data-reviewed')).toBe('false');

    // A scan quarantined at upload (a gate that is not this event's) is listed with its reason, live.
    const stray = await scriptedGate(env.w, 'inspector', 'main-gate');
    const q = takeTicket(env.w);
    const odd = stray.offlineScan(stray.request(q.id, (await ticketCode(env.w, q.id)).code, { checkpointId: checkpointId('gate-from-last-year') }));
    await stray.upload([odd]);
    const row = await inbox.waitQuarantined(odd.id);
    expect(await row.getAttribute('data-reason')).toBe('unknown_checkpoint');
    expect(await row.innerText()).toContain('unknown checkpoint');

    // A conflict made by two scripted phones, left unreviewed for the screenshot.
    const other = takeTicket(env.w);
    const otherCode = (await ticketCode(env.w, other.id)).code;
    const [c1, c2] = [await scriptedGate(env.w, 'inspector', 'main-gate'), await scriptedGate(env.w, 'inspector2', 'main-gate')];
    await c1.upload([c1.offlineScan(c1.request(other.id, otherCode))]);
    await c2.upload([c2.offlineScan(c2.request(other.id, otherCode))]);
    await inbox.waitConflict(other.id);

    const note = 'Both holders were let in: one copy was a screenshot. Holder seen at the Main gate, left alone.';
    await inbox.review(t.id, note);
    const reviewed = await inbox.waitReviewed(t.id);
    expect(await reviewed.getByTestId('review-note').innerText()).toBe(note);
    expect(await reviewed.getByTestId('conflict-review').innerText()).toContain('Reviewed by Sam Supervisor');
    // Recorded by the server (audited there), and pushed to the desk's console without a reload.
    const after = (await env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`)).json.conflicts as Array<{ ticketId: string; review: { note: string; byName: string } | null }>;
    expect(after.find((c) => c.ticketId === t.id)!.review).toMatchObject({ note, byName: 'Sam Supervisor' });
    const onDesk = await deskInbox.waitReviewed(t.id);
    expect(await onDesk.getByTestId('review-note').innerText()).toBe(note);
    expect(await inbox.conflict(other.id).getAttribute('data-reviewed')).toBe('false');
    // Newest first.
    const order = await inbox.root().locator('[data-testid=conflict]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ticket-id')));
    expect(order.indexOf(other.id)).toBeLessThan(order.indexOf(t.id));
    await sup.photograph('28-console-conflicts');
    await sup.page.context().close();
  });
});

describe('roles', () => {
  test('an inspector gets no live view: the console refuses them and never asks the server for it', async () => {
    const subscribed: string[] = [];
    gateA.page.on('websocket', (ws) => ws.on('framesent', (f) => { if (typeof f.payload === 'string' && f.payload.includes('liveSubscribe')) subscribed.push(f.payload); }));
    await gateA.page.goto(`${env.w.server.url}/console/live`);
    const refusal = gateA.page.getByTestId('console-refused');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('The console is for supervisors and admins');
    expect(await gateA.page.getByTestId('console-live').count()).toBe(0);
    await gateA.page.goto(`${env.w.server.url}/console/conflicts`);
    await refusal.waitFor();
    expect(await gateA.page.getByTestId('console-conflicts').count()).toBe(0);
    expect(subscribed).toEqual([]);
    // The server refuses the inspector the same view over HTTP.
    expect((await gateA.page.request.get(`${env.w.server.url}/api/events/${DEMO_EVENT}/live`)).status()).toBe(403);
  });
});
