// The console's Settings (issue 10) in Chromium against a real server: a supervisor
// changes the code word (by hand, then drawn from a list) and the scanner's next verdict
// shows the new word; blocks a ticket with a reason, and the scanner, told at once, fetches
// the delta and refuses the ticket even offline, and the ticket's story in History tells the
// change with who made it and why. Staff is an admin's: a supervisor sees no
// entry for it and its address refuses them.
import { beforeAll, describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import { findTicket, openSection, setCodeWordByHand, setCodeWordList, setTicketStatus } from '../support/pages/console-code-word-tickets-staff.ts';
import { WAIT_MS, type ScannerPage } from '../support/pages/scanner-page.ts';
import { DEMO_EVENT, eventually, login, signedInGate, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

let gate: ScannerPage;
let sup: ConsolePage;

beforeAll(async () => {
  gate = await signedInGate(env, 'inspector');
  sup = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), env.w.server.url,
    login('supervisor').username, login('supervisor').password);
});

/** Scan a fresh ticket at the gate and read the code word its verdict shows. */
async function codeWordOnNextVerdict(): Promise<string> {
  const t = takeTicket(env.w);
  await gate.wedge((await ticketCode(env.w, t.id)).code);
  await gate.expectVerdict('valid', { offline: false });
  const word = ((await gate.page.getByTestId('code-word').textContent()) ?? '').trim();
  await gate.dismissVerdict();
  return word;
}

describe('the console\u2019s settings', () => {
  test('a new code word is on the scanner\u2019s next verdict: set by hand, then drawn from a list', async () => {
    expect(await codeWordOnNextVerdict()).toBe('Blue Heron');
    await openSection(sup, 'Code word', 'console-codeword');
    await setCodeWordByHand(sup, 'Silver Eel');
    expect(await codeWordOnNextVerdict()).toBe('Silver Eel');

    const drawn = await setCodeWordList(sup, ['Amber Owl', 'Copper Hare', 'Jade Newt'], '05:30');
    expect(['Amber Owl', 'Copper Hare', 'Jade Newt']).toContain(drawn);
    expect(await codeWordOnNextVerdict()).toBe(drawn);
    // Who changed it, newest first.
    const audit = sup.page.getByTestId('audit-entry');
    expect(await audit.evaluateAll((li) => li.map((x) => x.getAttribute('data-action')))).toEqual(['code_word.rule', 'code_word.set']);
    expect(await audit.first().innerText()).toContain('Sam Supervisor');
    await sup.page.evaluate(() => scrollTo(0, 0));
    await sup.photograph('31-console-codeword');
  });

  test('a ticket blocked with a reason reaches the scanner as a delta, which refuses it offline; its story tells why', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    const status = gate.page.getByTestId('ticket-count-status');
    const before = Number(await status.getAttribute('data-version'));

    await openSection(sup, 'Tickets', 'console-tickets');
    const card = await findTicket(sup, code, t.id);
    expect(await card.getByTestId('ticket-status').innerText()).toBe('paid');
    await setTicketStatus(card, 'blocked', 'Reported stolen at the box office');
    expect(await card.getByTestId('audit-entry').first().innerText()).toContain('Reason: Reported stolen at the box office');
    await sup.page.evaluate(() => scrollTo(0, 0));
    await sup.photograph('33-console-tickets');

    // Told on its socket, the phone fetches the change at once: no reconnect, no waiting for the periodic refresh.
    await gate.page.waitForFunction((v) => Number(document.querySelector('[data-testid=ticket-count-status]')?.getAttribute('data-version')) > v, before, { timeout: WAIT_MS });
    await gate.setOffline(true);
    await gate.waitLink('offline');
    await gate.wedge(code);
    await gate.expectVerdict('blocked', { offline: true });
    await gate.dismissVerdict();
    await gate.setOffline(false);
    await gate.waitOnline();

    // The refused scan, uploaded, is the ticket's row in History; its story tells the status
    // change made above: from what to what, by whom, and the reason given.
    const seen = await eventually(() => env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${t.id}`), (r) => r.json.scans.length === 1);
    await sup.open('History');
    await sup.filter({ code: t.id });
    const story = await sup.openStory(seen.json.scans[0].scan.id);
    const changes = story.getByTestId('story-status-changes').getByTestId('audit-entry');
    expect(await changes.count()).toBe(1);
    expect(await changes.first().getAttribute('data-action')).toBe('ticket.status');
    const text = await changes.first().innerText();
    expect(text).toContain('paid → blocked');
    expect(text).toContain('Sam Supervisor');
    expect(text).toContain('Reason: Reported stolen at the box office');
    await sup.closeStory();
  });

  test('staff: no entry for a supervisor, and its address refuses them; an admin manages everyone', async () => {
    const nav = sup.page.getByRole('navigation', { name: 'Console sections' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Live', 'Conflicts', 'History', 'Device fleet', 'Checkpoints', 'Import', 'Code word', 'Tickets']);
    await sup.page.goto(`${env.w.server.url}/console/staff`);
    await sup.page.getByTestId('staff-refused').waitFor({ timeout: WAIT_MS });

    const admin = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), env.w.server.url,
      login('admin').username, login('admin').password);
    const staff = await openSection(admin, 'Staff', 'console-staff');
    const row = staff.locator('[data-testid=staff-row][data-username=inspector2]');
    await row.getByRole('button').first().click();
    await row.getByLabel('Role').selectOption('supervisor');
    await row.getByRole('button', { name: 'Set role' }).click();
    await staff.locator('[data-testid=staff-row][data-username=inspector2][data-role=supervisor]').waitFor({ timeout: WAIT_MS });
    await admin.page.evaluate(() => scrollTo(0, 0));
    await admin.photograph('32-console-staff');
  });
});
