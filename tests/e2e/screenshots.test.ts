// The main screens at 360×740 (a small Android phone), saved under docs/screenshots/ and
// linked from the README. Each shot is also a check that the screen renders.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { beforeAll, describe, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { login, orderCode, plain, takeOrder, takeTicket, ticketCode, worldForFile } from './fixtures.ts';
import { bothAdmitOffline } from './two-gates.ts';

const env = worldForFile({ tickets: 80 });

const OUT = join(process.cwd(), 'docs/screenshots');

async function phone(lang: 'en' | 'nl' = 'en'): Promise<BrowserContext> {
  // Verdicts stay up while they are photographed (the test phone's settings).
  return newScanner(env.browser, { locale: lang === 'nl' ? 'nl-NL' : 'en-GB' });
}

const shot = (gate: ScannerPage, name: string) => gate.page.screenshot({ path: join(OUT, `${name}.png`) });

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
});

describe('screenshots at 360×740', () => {
  test('sign-in, setup, scanning, verdicts, order, search', async () => {
    const gate = await ScannerPage.open(await phone(), env.w.server.url);
    await gate.page.getByLabel('Username').waitFor();
    await shot(gate, '01-sign-in');
    const l = login('inspector');
    await gate.login(l.username, l.password);
    await gate.page.getByRole('button', { name: 'Start scanning' }).waitFor();
    await shot(gate, '02-setup');
    await gate.choose('Main gate');
    await gate.waitOnline();
    await gate.page.locator('[data-testid=camera-status][data-state=running]').waitFor();
    await gate.page.waitForTimeout(500);
    await shot(gate, '03-scanning');

    const seated = takeTicket(env.w, (t) => plain(t) && t.holderName !== null && t.seat !== null);
    const code = (await ticketCode(env.w, seated.id)).code;
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: false });
    await shot(gate, '04-valid');
    await gate.dismissVerdict();
    await gate.wedge(code);
    await gate.expectVerdict('already_used');
    await shot(gate, '05-already-scanned');
    await gate.dismissVerdict();

    const { orderId } = takeOrder(env.w, 3);
    await gate.wedge((await orderCode(env.w, orderId)).code);
    await gate.expectVerdict('order');
    await shot(gate, '06-order');
    await gate.page.getByTestId('admit-all').click();
    await gate.expectVerdict('valid');
    await shot(gate, '07-order-admitted');
    await gate.dismissVerdict();

    const personal = takeTicket(env.w, (t) => t.idCheck && t.status === 'paid');
    await gate.wedge((await ticketCode(env.w, personal.id)).code);
    await gate.expectVerdict('needs_id_check');
    await shot(gate, '08-check-id');
    await gate.page.getByRole('button', { name: 'Refuse' }).click();

    const forgedFrom = (await ticketCode(env.w, takeTicket(env.w).id)).code;
    await gate.wedge(forgedFrom.slice(0, 30) + (forgedFrom[30] === 'A' ? 'B' : 'A') + forgedFrom.slice(31));
    await gate.expectVerdict('invalid_signature');
    await shot(gate, '09-invalid');
    await gate.dismissVerdict();

    const paper = takeTicket(env.w, (t) => !t.eTicket && t.status === 'paid' && !t.idCheck);
    await gate.page.getByRole('button', { name: 'Search' }).click();
    await gate.page.getByTestId('search-panel').getByRole('searchbox').fill(paper.holderName ?? paper.orderId ?? paper.id);
    await gate.page.waitForTimeout(200);
    await shot(gate, '10-search');
    await gate.page.getByTestId('search-panel').locator(`[data-ticket-id="${paper.id}"]`).click();
    await gate.expectVerdict('valid');
    await shot(gate, '11-paper-ticket');
    await gate.dismissVerdict();

    await gate.setOffline(true);
    await gate.waitLink('offline');
    await gate.wedge((await ticketCode(env.w, takeTicket(env.w).id)).code);
    await gate.expectVerdict('valid', { offline: true });
    await shot(gate, '12-valid-offline');
    await gate.dismissVerdict();
    await shot(gate, '13-offline-queue');
    await gate.setOffline(false);
    await gate.waitPending(0);
    await gate.context.close();
  });

  test('undo: the verdict with Undo, the undone verdict, History with an undone entry (phone and laptop)', async () => {
    const gate = await ScannerPage.open(await phone(), env.w.server.url);
    await gate.signInAndChoose(login('inspector').username, login('inspector').password, 'Main gate');
    const seated = takeTicket(env.w, (t) => plain(t) && t.holderName !== null && t.seat !== null);
    const code = (await ticketCode(env.w, seated.id)).code;
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: false });
    await gate.verdict().getByTestId('undo').waitFor();
    await gate.photograph('22-verdict-undo');
    await gate.undoVerdict();
    await gate.photograph('23-undone');
    await gate.dismissVerdict();
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: false });
    await gate.dismissVerdict();
    await gate.page.getByRole('button', { name: 'History' }).click();
    await gate.page.getByTestId('history-panel').locator('[data-undone-by]').waitFor();
    await gate.photograph('24-history-undone');
    await gate.context.close();
  });

  test('conflict alert, Dutch, supervisor demo codes', async () => {
    const a = await ScannerPage.open(await phone(), env.w.server.url);
    const b = await ScannerPage.open(await phone('nl'), env.w.server.url);
    await a.signInAndChoose(login('inspector').username, login('inspector').password, 'Main gate');
    await b.page.getByLabel('Gebruikersnaam').fill(login('inspector2').username);
    await b.page.getByLabel('Wachtwoord').fill(login('inspector2').password);
    await b.page.getByRole('button', { name: 'Inloggen' }).click();
    await b.page.getByRole('radio', { name: 'Main gate' }).check();
    await b.page.getByRole('button', { name: 'Start met scannen' }).click();
    await b.waitOnline();

    const { code } = await ticketCode(env.w, takeTicket(env.w).id);
    await bothAdmitOffline(a, b, code, { whileOffline: () => shot(b, '14-nl-valid-offline') });
    await a.conflictAlert().waitFor({ timeout: WAIT_MS });
    await b.conflictAlert().waitFor({ timeout: WAIT_MS });
    await shot(a, '15-conflict');
    await shot(b, '16-nl-conflict');

    const sup = await ScannerPage.open(await phone(), env.w.server.url);
    await sup.login(login('supervisor').username, login('supervisor').password);
    await sup.page.getByRole('button', { name: 'Demo codes' }).click();
    await sup.page.getByTestId('demo-orders').locator('svg').first().waitFor({ timeout: WAIT_MS });
    await shot(sup, '17-demo-codes');
  });
});
