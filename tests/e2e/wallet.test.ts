// The holder's wallet in Chromium (issue 11): the order mail arrives at an SMTP server the
// test runs, its link opens the order in the wallet, which counts down while the event's
// code window is shut and shows its rotating codes once it opens (the wallet binds its own
// key then); then it opens without a network and still makes them.
// Screenshots 40-wallet-* at a phone's 390 px and a laptop's 1280 px.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { decodeCode, shownCodeKey } from '@gatekeeper/shared/codec/index';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import { nodeEd25519Verifier } from '../../sync-server/src/scans/ed25519-node.ts';
import { launchBrowser, scannerContextOptions } from '../support/browser.ts';
import { WalletPage } from '../support/pages/wallet-page.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { startSmtpSink, walletLinkIn, type SmtpSink } from '../support/smtp-sink.ts';
import { until } from '../support/until.ts';

const OUT = join(process.cwd(), 'docs/screenshots');
const HOUR = 3600_000;
const LEAD_MINUTES = 60;

let smtp: SmtpSink;
let server: TestServer;
let browser: Browser;
/** The server's clock runs this far from the machine's: the test moves it across the window. */
let offset = 0;
let link: string;
let orderId: OrderId;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ smtpHost: '127.0.0.1', smtpPort: smtp.port, demoTickets: 30 }, undefined, () => Date.now() + offset);
  // The demo was seeded to start now; from here the server's clock reads two hours earlier.
  offset = -2 * HOUR;
  browser = await launchBrowser();
  const admin = await HttpSession.login(server.url, 'admin', login('admin').password);
  expect((await admin.request('PUT', `/api/events/${DEMO_EVENT}/code-window`, { leadMinutes: LEAD_MINUTES })).json.open).toBe(false);
  expect((await admin.request('POST', `/api/events/${DEMO_EVENT}/order-mails`, {})).json.failed).toEqual([]);
  const { orders, tickets } = await server.storage.changesSince(DEMO_EVENT as EventId, 0);
  // An order of more than one paid ticket, with a holder's name and a seat: the wallet's fullest page.
  const order = orders.find((o) => {
    const paid = tickets.filter((t) => t.orderId === o.id && t.status === 'paid');
    return o.email && paid.length > 1 && paid.some((t) => t.seat) && paid.every((t) => t.importedCode === null);
  }) ?? orders.find((o) => o.email && tickets.some((t) => t.orderId === o.id && t.status === 'paid' && t.importedCode === null))!;
  orderId = order.id;
  await until(() => smtp.mails.some((m) => m.to.includes(order.email!)), 'the order mail at the SMTP server');
  link = walletLinkIn(smtp.mails.find((m) => m.to.includes(order.email!))!.raw)!.url;
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

async function phone(width: number): Promise<BrowserContext> {
  const context = await browser.newContext(scannerContextOptions({ viewport: { width, height: width < 600 ? 844 : 800 } }));
  contexts.push(context);
  return context;
}

describe('the holder\u2019s wallet', () => {
  test('the mail\u2019s link opens the order; a countdown before the window, the codes after, and offline after that', async () => {
    const paid = (await server.storage.listOrderTickets(DEMO_EVENT as EventId, orderId)).filter((t) => t.status === 'paid');
    const mobile = await WalletPage.open(await phone(390), link);
    const laptop = await WalletPage.open(await phone(1280), link);
    for (const wallet of [mobile, laptop]) {
      // The token leaves the address bar at once.
      expect(new URL(wallet.page.url()).hash).toBe('');
      expect((await wallet.ticketIds()).sort()).toEqual(paid.map((t) => t.id).sort());
      expect(await wallet.countdownLeft()).toMatch(/^(59:\d\d|1 h 00 min)$/);
      expect(await wallet.page.getByTestId('wallet-code').count()).toBe(0);
    }
    await mobile.page.screenshot({ path: join(OUT, '40-wallet-countdown.png'), fullPage: true });
    await laptop.page.screenshot({ path: join(OUT, '40-wallet-countdown-laptop.png') });

    // The server's clock reaches the window: opened again, the wallet binds its key and shows each ticket's rotating code.
    // The phone binds last, so it holds the tickets when it opens again below (a bind moves them).
    offset = 0;
    const keys = (await server.storage.listEventKeys(DEMO_EVENT as EventId)).map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, revoked: k.revoked }));
    for (const wallet of [laptop, mobile]) {
      await wallet.reload();
      const codes = await wallet.codes();
      for (const ticket of paid) {
        const decoded = decodeCode(codes[ticket.id]!, { eventId: DEMO_EVENT as EventId, publicKeys: keys, now: Date.now(), verify: nodeEd25519Verifier() });
        expect(decoded).toMatchObject({ ok: true, kind: 'rotating', ticketId: ticket.id });
      }
      expect(await wallet.page.getByTestId('wallet-countdown').count()).toBe(0);
    }
    await mobile.page.screenshot({ path: join(OUT, '40-wallet-code.png') });
    await laptop.page.screenshot({ path: join(OUT, '40-wallet-code-laptop.png') });

    // No network: the installed wallet opens from the service worker with the kept copy.
    await mobile.waitForServiceWorker();
    const codesOnline = await mobile.codes();
    await mobile.page.context().setOffline(true);
    const opened = await mobile.reload();
    expect(opened.fromServiceWorker).toBe(true);
    // Made on the phone offline, under the same certificates (the step may have moved on).
    const codesOffline = await mobile.codes();
    for (const [id, code] of Object.entries(codesOnline)) expect(shownCodeKey(codesOffline[id]!)).toBe(shownCodeKey(code));
    await mobile.page.getByTestId('wallet-offline').waitFor();
    await mobile.page.context().setOffline(false);
  });

  test('the wallet is installable: its own manifest, scoped to /wallet', async () => {
    const res = await fetch(`${server.url}/wallet.webmanifest`);
    expect(await res.json()).toMatchObject({ start_url: '/wallet', scope: '/wallet', display: 'standalone' });
    const context = await phone(390);
    const page = await context.newPage();
    await page.goto(`${server.url}/wallet`);
    expect(await page.locator('link[rel=manifest]').getAttribute('href')).toBe('/wallet.webmanifest');
    await page.getByTestId('wallet-no-link').waitFor();
  });

  test('in Dutch, by the holder\u2019s choice', async () => {
    const context = await phone(390);
    const wallet = await WalletPage.open(context, link);
    await wallet.page.getByRole('button', { name: 'NL' }).click();
    await wallet.page.getByText('Laat deze code zien bij de ingang.').first().waitFor();
  });

  test('opened on phone B, the ticket has moved: phone A says so instead of a code, and takes it back when asked', async () => {
    const a = await WalletPage.open(await phone(390), link);
    expect(Object.keys(await a.codes()).length).toBeGreaterThan(0);
    const b = await WalletPage.open(await phone(1280), link);
    expect(Object.keys(await b.codes()).length).toBeGreaterThan(0);
    // A opens again (as it does when the holder comes back to it): the server says another phone holds the tickets.
    await a.reload();
    const notice = a.page.getByTestId('wallet-moved');
    await notice.waitFor();
    expect(await notice.getAttribute('data-kind')).toBe('moved');
    await notice.getByText('Your tickets have moved to another phone').waitFor();
    expect(await a.page.getByTestId('wallet-not-here').count()).toBe((await a.ticketIds()).length);
    expect(await a.page.getByTestId('wallet-code').count()).toBe(0);
    await a.page.screenshot({ path: join(OUT, '44-wallet-moved.png'), fullPage: true });
    // Taken back to A: A shows codes, and now B is the phone that says so.
    await notice.getByTestId('wallet-move-here').click();
    expect(Object.keys(await a.codes()).length).toBeGreaterThan(0);
    expect(await a.page.getByTestId('wallet-moved').count()).toBe(0);
    await b.reload();
    await b.page.getByTestId('wallet-moved').first().waitFor();
    expect(await b.page.getByTestId('wallet-code').count()).toBe(0);
    await b.page.screenshot({ path: join(OUT, '44-wallet-moved-laptop.png') });
  });
});
