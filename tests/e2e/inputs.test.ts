// Every way a code reaches the verdict screen, and the codes that must be refused:
// keyboard wedge, typed code, search, imported barcode, order code with "admit all
// remaining", an ID check, a forged code, an expired one, and a code inside a link
// (read, never navigated to).
import { beforeAll, describe, expect, test } from 'vitest';
import { HttpSession } from '../support/scanner-client.ts';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { DEMO_EVENT, eventually, login, orderCode, plain, serverScans, takeOrder, takeTicket, ticketCode, signedInGate, worldForFile } from './fixtures.ts';

const env = worldForFile();

let gate: ScannerPage;
let admin: HttpSession;
const EXPIRED = 'X-EXPIRED-1';

beforeAll(async () => {
  // A ticket whose validity ended last year: its genuine code has expired.
  admin = await HttpSession.login(env.w.server.url, login('admin').username, login('admin').password);
  const csv = `ticket_id,order_id,type,holder_name,valid_from,valid_until\n${EXPIRED},OX-1,Adult,Eva Expired,2024-01-01T10:00Z,2024-01-01T23:00Z\n`;
  const r = await admin.request('POST', `/api/events/${DEMO_EVENT}/import`, csv, { 'content-type': 'text/csv' });
  if (r.status !== 200) throw new Error(`import: ${r.status} ${JSON.stringify(r.json)}`);
  gate = await signedInGate(env);
});

describe('inputs', () => {
  test('keyboard wedge: characters then Enter, typed fast anywhere on the scan screen', async () => {
    const t = takeTicket(env.w);
    await gate.wedge((await ticketCode(env.w, t.id)).code);
    await gate.expectVerdict('valid', { offline: false });
    await gate.dismissVerdict();
  });

  test('slow typing on the scan screen is not a scan', async () => {
    const t = takeTicket(env.w);
    await gate.page.keyboard.type((await ticketCode(env.w, t.id)).code.slice(0, 12), { delay: 150 });
    await gate.page.keyboard.press('Enter');
    await gate.page.waitForTimeout(300);
    expect(await gate.verdict().count()).toBe(0);
  });

  test('manual entry of a code, and of a paper ticket\u2019s number (highlighted as not an e-ticket)', async () => {
    const t = takeTicket(env.w);
    await gate.typeCode((await ticketCode(env.w, t.id)).code);
    await gate.expectVerdict('valid');
    await gate.dismissVerdict();

    const paper = takeTicket(env.w, (x) => !x.eTicket && x.status === 'paid' && !x.idCheck);
    await gate.typeCode(paper.id);
    await gate.expectVerdict('valid');
    expect(await gate.page.getByTestId('not-eticket').textContent()).toBe('NOT AN E-TICKET');
    await gate.dismissVerdict();
  });

  test('name search (three characters at least) feeds the same path', async () => {
    const t = takeTicket(env.w, (x) => plain(x) && x.holderName !== null);
    await gate.page.getByRole('button', { name: 'Search' }).click();
    const sheet = gate.page.getByTestId('search-panel');
    await sheet.getByRole('searchbox').fill(t.holderName!.slice(0, 2));
    await sheet.getByText('Type at least 3 characters.').waitFor();
    await sheet.getByRole('button', { name: 'Close' }).click();
    await gate.search(t.holderName!, t.id);
    await gate.expectVerdict('valid');
    expect(await gate.page.getByTestId('holder-name').textContent()).toBe(t.holderName);
    await gate.dismissVerdict();
  });

  test('an imported barcode from another system is validated by lookup', async () => {
    const t = takeTicket(env.w, (x) => x.importedCode !== null && x.status === 'paid' && !x.idCheck);
    await gate.wedge(t.importedCode!);
    await gate.expectVerdict('valid');
    await gate.dismissVerdict();
  });

  test('a personalised ticket stays on CHECK ID until the inspector confirms', async () => {
    // Auto-return after 1 s: a plain verdict goes back to the camera by itself...
    await gate.setAutoReturn(1);
    try {
      await gate.wedge((await ticketCode(env.w, takeTicket(env.w).id)).code);
      await gate.expectVerdict('valid');
      await gate.verdict().waitFor({ state: 'detached' });
      // ...CHECK ID does not: it waits for the inspector.
      const t = takeTicket(env.w, (x) => x.idCheck && x.status === 'paid');
      await gate.wedge((await ticketCode(env.w, t.id)).code);
      await gate.expectVerdict('needs_id_check');
      await gate.page.waitForTimeout(3000);
      expect(await gate.verdict().getAttribute('data-outcome')).toBe('needs_id_check');
      await gate.page.getByTestId('confirm-id').click();
      await gate.expectVerdict('valid');
      // Confirmed, it is a plain verdict again, and returns to the camera by itself.
      await gate.verdict().waitFor({ state: 'detached' });
    } finally {
      await gate.setAutoReturn(30);
    }
  });

  test('order code: items with their own state, "admit all remaining" in one tap, each first-scan-wins', async () => {
    const { orderId, tickets } = takeOrder(env.w, 3);
    // One item went in on its own first.
    await gate.wedge((await ticketCode(env.w, tickets[0].id)).code);
    await gate.expectVerdict('valid');
    await gate.dismissVerdict();

    await gate.wedge((await orderCode(env.w, orderId)).code);
    await gate.expectVerdict('order');
    const items = gate.page.getByTestId('order-items');
    expect(await items.locator(`[data-ticket-id="${tickets[0].id}"]`).getAttribute('data-outcome')).toBe('valid');
    expect(await gate.page.getByTestId('earlier-scans').isVisible()).toBe(true);
    const admitAll = gate.page.getByTestId('admit-all');
    expect(await admitAll.textContent()).toContain(`(${tickets.length - 1})`);
    await admitAll.click();
    await gate.expectVerdict('valid');
    for (const t of tickets) expect(await items.locator(`[data-ticket-id="${t.id}"]`).getAttribute('data-outcome')).toBe('valid');
    await gate.dismissVerdict();

    for (const t of tickets) {
      const scans = await serverScans(env.w, t.id);
      expect(scans.filter((s) => s.outcome === 'valid')).toHaveLength(1);
    }
    // The same order again: nothing left to admit, and every earlier scan listed.
    await gate.typeCode((await orderCode(env.w, orderId)).code);
    await gate.expectVerdict('order');
    expect(await gate.page.getByTestId('admit-all').count()).toBe(0);
    // An item scanned again: its refusal is an earlier scan of the order too.
    await gate.dismissVerdict();
    await gate.typeCode((await ticketCode(env.w, tickets[1].id)).code);
    await gate.expectVerdict('already_used');
    await gate.dismissVerdict();
    await gate.typeCode((await orderCode(env.w, orderId)).code);
    await gate.expectVerdict('order');
    const earlier = gate.page.getByTestId('earlier-scans');
    expect(await earlier.locator('tr[data-scan-id]').count()).toBe(tickets.length + 1);
    // Every row and column on a small phone: the card clips what sticks out, so a table
    // squeezed by the screen above it lost its last rows without a scroll bar to say so.
    const clipped = () => earlier.evaluate((el) => ({ x: el.scrollWidth - el.clientWidth, y: el.scrollHeight - el.clientHeight }));
    for (const width of [360, 390]) {
      await gate.page.setViewportSize({ width, height: 740 });
      expect(await clipped(), `the earlier scans at ${width} px`).toEqual({ x: 0, y: 0 });
    }
    await gate.page.setViewportSize({ width: 360, height: 740 });
    await gate.dismissVerdict();
  });

  test('a forged code is INVALID', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    const i = 30;
    const forged = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
    await gate.wedge(forged);
    const v = await gate.expectVerdict('invalid_signature');
    expect(v.word).toBe('INVALID');
    await gate.dismissVerdict();
    expect(await serverScans(env.w, t.id)).toHaveLength(0);
  });

  test('an expired code: the ticket\u2019s validity has ended', async () => {
    const { code } = await ticketCode(env.w, EXPIRED);
    await gate.wedge(code);
    const v = await gate.expectVerdict('no_longer_valid');
    expect(v.word).toBe('NO LONGER VALID');
    await gate.dismissVerdict();
  });

  test('a code inside a link is read, never navigated to', async () => {
    const t = takeTicket(env.w);
    const { link } = await ticketCode(env.w, t.id);
    const before = gate.page.url();
    await gate.wedge(link);
    await gate.expectVerdict('valid');
    expect(gate.page.url()).toBe(before);
    await gate.dismissVerdict();

    // The link opened on the phone itself (its camera app): the app starts and checks it
    // once the inspector taps to say so.
    const t2 = takeTicket(env.w);
    await gate.page.goto((await ticketCode(env.w, t2.id)).link);
    await gate.page.getByTestId('link-confirm').getByRole('button', { name: 'Check ticket' }).click();
    await gate.expectVerdict('valid');
    expect(new URL(gate.page.url()).pathname).toBe('/');
    await gate.dismissVerdict();
    await eventually(() => serverScans(env.w, t2.id), (s) => s.length === 1);
  });

  test('tickets sold after the download arrive as a delta (?since=version) and scan', async () => {
    const before = Number((await gate.page.getByTestId('ticket-count-status').getAttribute('data-count')) ?? 0);
    const csv = 'ticket_id,type,imported_code\nX-DOOR-1,Adult,DOOR-0001234\n';
    const r = await admin.request('POST', `/api/events/${DEMO_EVENT}/import`, csv, { 'content-type': 'text/csv' });
    expect(r.status).toBe(200);
    // A reconnect fetches what changed.
    await gate.setOffline(true);
    await gate.waitLink('offline');
    await gate.setOffline(false);
    await gate.waitOnline();
    await gate.page.locator(`[data-testid=ticket-count-status][data-count="${before + 1}"]`).waitFor();
    await gate.wedge('DOOR-0001234');
    await gate.expectVerdict('valid', { offline: false });
    await gate.dismissVerdict();
  });

  test('Dutch, switchable: the verdict in Dutch', async () => {
    await gate.page.getByRole('button', { name: 'Menu' }).click();
    await gate.page.getByTestId('settings-panel').getByRole('button', { name: 'NL', exact: true }).click();
    await gate.page.getByTestId('settings-panel').getByRole('button', { name: 'Sluiten' }).click();
    const t = takeTicket(env.w);
    await gate.wedge((await ticketCode(env.w, t.id)).code);
    const v = await gate.expectVerdict('valid');
    expect(v.word).toBe('GELDIG');
    expect(v.text.toLowerCase()).toContain('controleur');
    await gate.dismissVerdict();
    await gate.page.getByRole('button', { name: 'Menu' }).click();
    await gate.page.getByTestId('settings-panel').getByRole('button', { name: 'EN', exact: true }).click();
  });
});
