// The supervisors' console, History (issue 10), against a real server: an inspector scans
// a few codes (one refused, one no ticket at all), a supervisor finds exactly those scans by
// outcome and by holder, opens a ticket's story, and the CSV link downloads exactly the
// rows on screen; an admission undone at the gate is marked so in its story, with the undo
// in line. An inspector gets no way in, and the console's address refuses them.
import type { Ticket } from '@gatekeeper/shared/domain';
import { beforeAll, describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { DEMO_EVENT, eventually, login, plain, signedInGate, takeTicket, ticketCode, worldForFile, type World } from './fixtures.ts';

const env = worldForFile();

let gate: ScannerPage;

beforeAll(async () => {
  gate = await signedInGate(env, 'inspector');
});

/** How the server matches a holder: any case, any accents (docs/api.md). */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const holderOf = (w: World, t: Ticket): string => t.holderName ?? w.orders.find((o) => o.id === t.orderId)?.buyerName ?? '';

/** The rows of a CSV text (RFC 4180 quoting), header first, byte-order mark dropped. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

describe('the console\u2019s History', () => {
  test('by outcome and by holder, exactly the scans made; a ticket\u2019s story; the CSV of exactly the rows shown', async () => {
    const named = takeTicket(env.w, (t) => plain(t) && t.holderName !== null && t.holderName.length >= 5);
    const holder = named.holderName!;
    const other = takeTicket(env.w, (t) => plain(t) && !fold(holderOf(env.w, t)).includes(fold(holder)));
    // At the gate: admitted, then refused as already scanned, another admitted, a code that is no ticket.
    const namedCode = (await ticketCode(env.w, named.id)).code;
    await gate.wedge(namedCode);
    await gate.expectVerdict('valid', { offline: false });
    await gate.dismissVerdict();
    await gate.wedge(namedCode);
    await gate.expectVerdict('already_used', { offline: false });
    await gate.dismissVerdict();
    await gate.wedge((await ticketCode(env.w, other.id)).code);
    await gate.expectVerdict('valid', { offline: false });
    await gate.dismissVerdict();
    await gate.wedge('NOT-A-TICKET-4711');
    await gate.expectVerdict('unknown');
    await gate.dismissVerdict();
    await gate.waitPending(0);
    await eventually(() => env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/history`), (r) => r.json.scans.length === 4);

    // A supervisor on a phone (390 px), from the setup screen's Console button.
    const sup = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), env.w.server.url,
      login('supervisor').username, login('supervisor').password);
    expect(new URL(sup.page.url()).pathname).toBe('/console/history');
    const all = await sup.rows();
    // Newest first, every scan of the event, the refusals too.
    expect(all.map((r) => [r.outcome, r.ticketId])).toEqual([['unknown', ''], ['valid', other.id], ['already_used', named.id], ['valid', named.id]]);
    expect(all.every((r) => r.text.includes('Ingrid Inspector') && r.text.includes('Main gate'))).toBe(true);
    // A code that names no ticket is refused by the phone itself (admitter.ts), so offline.
    expect(all.map((r) => r.offline)).toEqual([true, false, false, false]);
    expect(all[0]!.text).toContain('UNKNOWN CODE');
    expect(all[2]!.holder).toBe(holder);
    expect(all[2]!.text).toContain('ALREADY SCANNED');

    // By outcome: the one refusal.
    await sup.filter({ outcome: 'already_used' });
    const refused = await sup.rows();
    expect(refused.map((r) => r.id)).toEqual([all[2]!.id]);
    expect(new URL(sup.page.url()).searchParams.get('outcome')).toBe('already_used');

    // Decided offline: the phone's own refusal.
    await sup.filter({ outcome: '', link: 'offline' });
    expect((await sup.rows()).map((r) => r.id)).toEqual([all[0]!.id]);

    // By holder, typed in another case: both scans of that ticket, and nobody else's.
    await sup.filter({ link: '', holder: holder.toUpperCase() });
    expect((await sup.rows()).map((r) => r.id)).toEqual([all[2]!.id, all[3]!.id]);
    await sup.photograph('25-console-history');

    // Both: the holder's admission only. This is the view exported.
    await sup.filter({ outcome: 'valid' });
    const shown = await sup.rows();
    expect(shown.map((r) => r.id)).toEqual([all[3]!.id]);

    // The export link carries exactly these filters, and its CSV holds exactly these rows.
    const href = await sup.csvHref();
    expect(new URL(href).pathname).toBe(`/api/events/${DEMO_EVENT}/history.csv`);
    expect(new URL(href).search).toBe(new URL(sup.page.url()).search);
    const res = await sup.page.request.get(href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('attachment');
    const [header, ...lines] = csvRows(await res.text());
    const col = (name: string) => header!.indexOf(name);
    expect(lines.map((l) => l[col('scan')])).toEqual(shown.map((r) => r.id));
    expect(lines.map((l) => [l[col('outcome')], l[col('ticket')], l[col('holder')], l[col('checkpoint_name')]])).toEqual([['valid', named.id, holder, 'Main gate']]);

    // The ticket's story, from its row: both scans, newest first, the ticket as it is now.
    await sup.filter({ outcome: '' });
    const story = await sup.openStory(all[2]!.id);
    expect(await story.getByTestId('story-holder').textContent()).toBe(holder);
    expect(await story.getByTestId('story-status').getAttribute('data-status')).toBe('paid');
    const storyRows = await story.locator('[data-testid=story-scans] tr[data-scan-id]').evaluateAll((trs) => trs.map((r) => [r.getAttribute('data-scan-id'), r.getAttribute('data-outcome')]));
    expect(storyRows).toEqual([[all[2]!.id, 'already_used'], [all[3]!.id, 'valid']]);
    expect(await story.getByTestId('story-no-conflicts').count()).toBe(1);
    // One outline: the sheet's title, then its parts a level below it.
    expect(await story.locator('h1, h2, h3, h4').evaluateAll((hs) => hs.map((h) => `${h.tagName} ${h.textContent?.trim()}`)))
      .toEqual([`H2 Ticket ${all[2]!.ticketId}`, 'H3 Status changes', 'H3 Conflicts', 'H3 Every scan of it (2)']);
    await sup.photograph('26-console-story');
    await sup.closeStory();

    // Back to the scanner's setup (the supervisor has not chosen a checkpoint), and the address with it.
    await sup.page.getByRole('button', { name: 'Back to the scanner' }).click();
    await sup.page.getByRole('button', { name: 'Start scanning' }).waitFor();
    expect(new URL(sup.page.url()).pathname).toBe('/');
    await sup.page.context().close();
  });

  test('a ticket\u2019s story tells an undone admission: the admission marked undone, and the undo in line with who made it', async () => {
    const t = takeTicket(env.w);
    await gate.wedge((await ticketCode(env.w, t.id)).code);
    await gate.expectVerdict('valid', { offline: false });
    await gate.undoVerdict();
    await gate.dismissVerdict();
    await gate.waitPending(0);
    const stored = await eventually(() => env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${t.id}`), (r) => r.json.scans.length === 2);
    const [undo, admission] = (stored.json.scans as Array<{ scan: { id: string; kind?: string } }>).map((r) => r.scan);
    expect(undo!.kind).toBe('annul');

    const sup = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), env.w.server.url,
      login('supervisor').username, login('supervisor').password);
    await sup.filter({ code: t.id });
    const story = await sup.openStory(admission!.id);
    const rows = story.getByTestId('story-scans');
    expect(await rows.locator('tr[data-scan-id]').evaluateAll((trs) => trs.map((r) => [r.getAttribute('data-scan-id'), r.getAttribute('data-kind')])))
      .toEqual([[undo!.id, 'annul'], [admission!.id, 'scan']]);
    expect(await rows.locator(`tr[data-scan-id="${undo!.id}"]`).innerText()).toContain('Undone by Ingrid Inspector');
    await rows.locator(`tr[data-scan-id="${admission!.id}"] [data-undone-by="${undo!.id}"]`).waitFor();
    await sup.closeStory();
    await sup.page.context().close();
  });

  test('roles: an inspector has no console entry, and the console\u2019s address refuses them without asking the server', async () => {
    await gate.page.getByRole('button', { name: 'Menu' }).click();
    const menu = gate.page.getByTestId('settings-panel');
    await menu.getByRole('button', { name: 'Log out' }).waitFor();
    expect(await menu.getByTestId('open-console').count()).toBe(0);
    await menu.getByRole('button', { name: 'Close' }).click();

    const asked: string[] = [];
    const onRequest = (r: { url(): string }) => { if (new URL(r.url()).pathname.startsWith('/api/events/')) asked.push(r.url()); };
    gate.page.on('request', onRequest);
    await gate.page.goto(`${env.w.server.url}/console/history?outcome=valid`);
    const refusal = gate.page.getByTestId('console-refused');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('The console is for supervisors and admins');
    expect(await gate.page.getByTestId('console-history').count()).toBe(0);
    gate.page.off('request', onRequest);
    expect(asked.filter((u) => /\/(history|story)/.test(u))).toEqual([]);
    // The server refuses the route to an inspector in any case.
    expect((await gate.page.request.get(`${env.w.server.url}/api/events/${DEMO_EVENT}/history`)).status()).toBe(403);

    await refusal.getByRole('button', { name: 'Back to the scanner' }).click();
    await gate.page.getByTestId('checkpoint-name').filter({ hasText: 'Main gate' }).waitFor();
    expect(new URL(gate.page.url()).pathname).toBe('/');
  });
});
