// The online verdict has a budget (default 1.5 s): past it the phone decides alone with
// the same scan id, so when the server's late answer and the offline upload both arrive,
// the server holds the scan once.
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage } from '../support/pages/scanner-page.ts';
import { eventually, login, serverScans, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

describe('a slow server', () => {
  test('no answer within the budget: VALID OFFLINE with the same scan id, stored once', async () => {
    const context = await newScanner(env.browser);
    // A congested link: everything the server sends arrives 3 s late (in order).
    let delayMs = 0;
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((msg) => { if (delayMs > 0) setTimeout(() => ws.send(msg), delayMs); else ws.send(msg); });
    });
    const gate = await ScannerPage.open(context, env.w.server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');

    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    delayMs = 3000;
    const started = Date.now();
    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: true, timeout: 5000 });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(2800);
    await gate.dismissVerdict();

    // The late answer and the queued upload meet on the server: one scan, the phone's id.
    delayMs = 0;
    await gate.waitPending(0, 15_000);
    const [local] = await gate.historyScanIds();
    const stored = await eventually(() => serverScans(env.w, t.id), (s) => s.length >= 1);
    await gate.page.waitForTimeout(3500);
    expect(await serverScans(env.w, t.id)).toHaveLength(1);
    expect(stored[0].id).toBe(local);
    await context.close();
  });
});
