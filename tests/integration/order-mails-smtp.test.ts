// Order mails through real SMTP (issue 11): a server with GK_SMTP_HOST sends each order its
// holder's link to an SMTP server the test runs on loopback, and the link from the received
// mail opens that order's tickets in the wallet's API. The CLI sends through the same path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import type { OrderId } from '@gatekeeper/shared/ids';
import { runCli } from '../../sync-server/src/cli.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { mailText, startSmtpSink, walletLinkIn, type SmtpSink } from '../support/smtp-sink.ts';
import { until } from '../support/until.ts';

let smtp: SmtpSink;
let server: TestServer;
let admin: HttpSession;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpFrom: 'Demo Festival <tickets@festival.test>', demoTickets: 12 });
  admin = await HttpSession.login(server.url, 'admin', login('admin').password);
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function ordersWithAddress(): Promise<Map<string, OrderId>> {
  const { orders } = await server.storage.changesSince(DEMO_EVENT, 0);
  return new Map(orders.filter((o) => o.email).map((o) => [o.email!, o.id]));
}

describe('order mails over SMTP', () => {
  it('every order with an address gets one mail, in English and Dutch, with a link that opens its own order', async () => {
    const byAddress = await ordersWithAddress();
    const r = await admin.request('POST', `/api/events/${DEMO_EVENT}/order-mails`, {});
    expect(r.json).toEqual({ sent: byAddress.size, alreadySent: 0, noAddress: expect.any(Number), failed: [] });
    await until(() => smtp.mails.length === byAddress.size, 'the SMTP server to receive every order mail');
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual([...byAddress.keys()].sort());
    for (const mail of smtp.mails) {
      expect(mail.from).toBe('tickets@festival.test');
      const text = mailText(mail.raw);
      expect(text).toContain('Open the link on the phone you will bring');
      expect(text).toContain('Open de link op de telefoon die je meeneemt');
      const link = walletLinkIn(mail.raw)!;
      expect(link.url.startsWith(`${server.url}/wallet#`)).toBe(true);
      const wallet = await fetch(`${server.url}/api/wallet`, { headers: { authorization: `Bearer ${link.token}` } });
      const reply = zWalletReply.parse(await wallet.json());
      expect(reply.order.id).toBe(byAddress.get(mail.to[0]!));
      const paid = (await server.storage.listOrderTickets(DEMO_EVENT, reply.order.id)).filter((t) => t.status === 'paid');
      expect(reply.tickets.map((t) => t.id).sort()).toEqual(paid.map((t) => t.id).sort());
    }
  });

  it('mailing again skips mailed orders; with `again` a new link replaces the old one', async () => {
    const before = smtp.mails.length;
    expect((await admin.request('POST', `/api/events/${DEMO_EVENT}/order-mails`, {})).json).toMatchObject({ sent: 0, alreadySent: before });
    const old = walletLinkIn(smtp.mails[0]!.raw)!;
    expect((await admin.request('POST', `/api/events/${DEMO_EVENT}/order-mails`, { again: true })).json).toMatchObject({ sent: before });
    await until(() => smtp.mails.length === 2 * before, 'the second round of mails');
    const fresh = walletLinkIn(smtp.mails.filter((m) => m.to[0] === smtp.mails[0]!.to[0]).at(-1)!.raw)!;
    expect(fresh.token).not.toBe(old.token);
    expect((await fetch(`${server.url}/api/wallet`, { headers: { authorization: `Bearer ${old.token}` } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/wallet`, { headers: { authorization: `Bearer ${fresh.token}` } })).status).toBe(200);
  });

  it('the CLI sends them through the same SMTP server, with links to GK_PUBLIC_URL', async () => {
    const before = smtp.mails.length;
    const out: string[] = [];
    const err: string[] = [];
    const env = { GK_SMTP_HOST: '127.0.0.1', GK_SMTP_PORT: String(smtp.port), GK_PUBLIC_URL: 'https://tickets.festival.test' };
    const code = await runCli(['send-order-mails', '--event', DEMO_EVENT, '--again', '--db', server.config.dbFile], { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
    expect([code, err]).toEqual([0, []]);
    const sent = smtp.mails.length - before;
    expect(sent).toBe((await ordersWithAddress()).size);
    expect(out.join('\n')).toContain(`sent ${sent} order mails through 127.0.0.1`);
    expect(walletLinkIn(smtp.mails.at(-1)!.raw)!.url.startsWith('https://tickets.festival.test/wallet#')).toBe(true);
  });

  it('the CLI without GK_PUBLIC_URL says what to set and sends nothing', async () => {
    const before = smtp.mails.length;
    const err: string[] = [];
    const code = await runCli(['send-order-mails', '--event', DEMO_EVENT, '--db', server.config.dbFile], { out: () => {}, err: (s) => err.push(s) }, { GK_SMTP_HOST: '127.0.0.1', GK_SMTP_PORT: String(smtp.port) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('set GK_PUBLIC_URL');
    expect(smtp.mails.length).toBe(before);
  });
});
