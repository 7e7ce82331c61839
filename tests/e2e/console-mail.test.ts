// The console's Mail section in Chromium (issue 11): an admin sets when the event's codes
// may leave the server and sends the order mails; a server without GK_SMTP_HOST keeps them
// in the outbox the section lists, and a link from it opens the order in the wallet. The
// holder measures are switched there too; with SMS verification on, the wallet shows its
// codes only once this phone has entered the code sent to the order's number.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import { openSection } from '../support/pages/console-code-word-tickets-staff.ts';
import { layoutFaults } from '../support/pages/layout-faults.ts';
import { WAIT_MS } from '../support/pages/scanner-page.ts';
import { WalletPage } from '../support/pages/wallet-page.ts';
import { walletLinkIn } from '../support/smtp-sink.ts';
import { until } from '../support/until.ts';
import { login, worldForFile } from './fixtures.ts';

const env = worldForFile({ tickets: 12 });
const OUT = join(process.cwd(), 'docs/screenshots');

describe('the console\u2019s Mail section', () => {
  test('an admin sets the code window and sends the order mails; the outbox holds them, and their links open the wallet', async () => {
    for (const width of [390, 1280]) {
      const admin = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width, height: width < 600 ? 844 : 800 } }), env.w.server.url,
        login('admin').username, login('admin').password);
      const mail = await openSection(admin, 'Mail', 'console-mail');
      if (width === 390) {
        await mail.getByLabel('Minutes before the start').fill('60');
        await mail.getByRole('button', { name: 'Save' }).click();
        // The demo starts now: its window opened an hour ago.
        await mail.getByText('Codes have been leaving the server since').waitFor({ timeout: WAIT_MS });
        await mail.getByTestId('send-order-mails').click();
        await mail.getByTestId('order-mails-sent').waitFor({ timeout: WAIT_MS });
        await mail.getByTestId('mail-outbox').waitFor({ timeout: WAIT_MS });
        for (const key of ['changeBlock', 'verifiedDevice']) {
          await mail.getByTestId(`measure-${key}`).check();
          await until(async () => (await env.w.server.storage.getMeasures(env.w.tickets[0]!.eventId))[key as 'changeBlock'], `the ${key} switch saved`);
        }
      }
      // In English, then in Dutch on the same page; each checked for text that does not fit first.
      for (const lang of ['en', 'nl'] as const) {
        await admin.setLanguage(lang);
        await admin.page.evaluate(() => scrollTo(0, 0));
        await until(() => admin.currentTabInView(), `the Mail tab wholly in view (${lang}, ${width} px)`, WAIT_MS);
        expect(await layoutFaults(admin.page), `mail, ${lang}, ${width} px`).toEqual([]);
        await admin.page.screenshot({ path: join(OUT, `41-console-mail${lang === 'nl' ? '-nl' : ''}${width < 600 ? '' : '-laptop'}.png`) });
      }
      await admin.page.context().close();
    }
    expect(await env.w.server.storage.getCodeLead(env.w.tickets[0]!.eventId)).toBe(60);
    const mails = await env.w.server.storage.listOutboxMail(100);
    const withAddress = env.w.orders.filter((o) => o.email).length;
    expect(mails.length).toBe(withAddress);

    const link = walletLinkIn(mails[0]!.text)!;
    const wallet = await WalletPage.open(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), link.url);
    expect(Object.keys(await wallet.codes()).length).toBeGreaterThan(0);
    await wallet.page.context().close();
  });

  test('with SMS verification on, the wallet asks this phone for the code sent to the order\u2019s number, and then shows the codes', async () => {
    const eventId = env.w.tickets[0]!.eventId;
    const { storage } = env.w.server;
    const order = env.w.orders.find((o) => o.email)!;
    await storage.importTickets(eventId, [{ ...order, mobile: '+31612340000' }], []);
    await storage.setMeasures(eventId, { ...(await storage.getMeasures(eventId)), sms: true });
    const mail = (await storage.listOutboxMail(100)).find((m) => m.to === order.email)!;
    const wallet = await WalletPage.open(await newScanner(env.browser, { viewport: { width: 390, height: 844 } }), walletLinkIn(mail.text)!.url);
    const steps = wallet.page.getByTestId('wallet-verify');
    await steps.getByText('ending …00').waitFor({ timeout: WAIT_MS });
    expect(await wallet.page.getByTestId('wallet-code').count()).toBe(0);
    // The steps panel says what to do; the server's refusal to bind (this phone is not
    // confirmed yet) is no second message beside it.
    await until(async () => (await wallet.page.evaluate(() => document.body.innerText)).includes('Confirm this phone'), 'the steps panel shown');
    expect(await wallet.page.getByTestId('wallet-code-trouble').count()).toBe(0);
    await steps.getByTestId('wallet-sms-send').click();
    await steps.getByLabel('The 6-digit code').waitFor({ timeout: WAIT_MS });
    const [sms] = await storage.listOutboxSms(1);
    expect(sms!.to).toBe('+31612340000');
    const code = /\d{6}/.exec(sms!.body)![0];
    await steps.getByLabel('The 6-digit code').fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await steps.getByRole('button', { name: 'Confirm' }).click();
    await steps.getByText('That is not the code: 4 tries left.').waitFor({ timeout: WAIT_MS });
    await wallet.page.screenshot({ path: join(OUT, '43-wallet-verify-sms.png') });
    await steps.getByLabel('The 6-digit code').fill(code);
    await steps.getByRole('button', { name: 'Confirm' }).click();
    expect(Object.keys(await wallet.codes()).length).toBeGreaterThan(0);
    await wallet.page.context().close();
  });
});
