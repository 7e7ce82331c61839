// E-mail verification bound to the device, and the change block, on a real server with a
// real SMTP server on loopback (issue 11, measures 4 and 6). A mailed link verifies the
// device that asked for it and not another that holds the same wallet link. Under the
// change block the holder cannot change name or address; an admin can, with a reason that
// supervisors read in the audit; the change re-issues the code material, and a scanner
// running the app's own sync code refuses the old rotating code after its next sync.
import 'fake-indexeddb/auto';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_MEASURES, WALLET_DEVICE_HEADER } from '@gatekeeper/shared/api/verification';
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import { decodeCode, fromBase64Url, generateEventKey, signRotatingCode, stepAt, toBase64Url } from '@gatekeeper/shared/codec/index';
import type { Order, Ticket } from '@gatekeeper/shared/domain';
import { Issuer } from '../../sync-server/src/issuer.ts';
import { nodeEd25519Verifier } from '../../sync-server/src/scans/ed25519-node.ts';
import { appPhone } from '../support/app-phone.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { mailText, startSmtpSink, walletLinkIn, type SmtpSink } from '../support/smtp-sink.ts';
import { until } from '../support/until.ts';

let smtp: SmtpSink;
let server: TestServer;
let admin: HttpSession;
let orders: Order[];

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ smtpHost: '127.0.0.1', smtpPort: smtp.port, demoTickets: 12 });
  admin = await HttpSession.login(server.url, 'admin', login('admin').password);
  const { orders: all, tickets } = await server.storage.changesSince(DEMO_EVENT, 0);
  const paid = new Set(tickets.filter((t) => t.status === 'paid').map((t) => t.orderId));
  orders = all.filter((o) => o.email && paid.has(o.id)).slice(0, 2);
  expect(orders).toHaveLength(2);
  expect((await admin.request('PUT', `/api/events/${DEMO_EVENT}/measures`, { ...NO_MEASURES, email: true, changeBlock: true })).status).toBe(200);
  expect((await admin.request('POST', `/api/events/${DEMO_EVENT}/order-mails`, {})).json.failed).toEqual([]);
  await until(() => orders.every((o) => smtp.mails.some((m) => m.to[0] === o.email)), 'the order mails');
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const tokenFor = (email: string) => walletLinkIn(smtp.mails.filter((m) => m.to[0] === email).at(-1)!.raw)!.token;
const verifySecretIn = (raw: string) => /\/wallet#verify=([A-Za-z0-9_-]{43})/.exec(mailText(raw))?.[1] ?? null;

/** A phone's wallet: the token from the order mail and a device secret of its own. */
function device(token: string) {
  const secret = randomBytes(32).toString('base64url');
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api${path}`, {
      method, headers: { authorization: `Bearer ${token}`, [WALLET_DEVICE_HEADER]: secret, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json() };
  };
  return {
    call,
    /** Whether this device gets code material: the order's certificates for a fresh key. */
    binds: async () => (await call('POST', '/wallet/device', { publicKey: toBase64Url(generateEventKey().publicKey) })).status === 200,
    askMail: async () => {
      const before = smtp.mails.length;
      expect((await call('POST', '/wallet/email')).status).toBe(200);
      await until(() => smtp.mails.length > before, 'the verification mail');
      return smtp.mails.at(-1)!;
    },
  };
}

describe('e-mail verification bound to the device', () => {
  it('the mailed link verifies the device that asked for it (A) and not another holding the same wallet link (B)', async () => {
    const order = orders[0]!;
    const token = tokenFor(order.email!);
    const [a, b] = [device(token), device(token)];
    expect(await a.binds()).toBe(false);

    const mail = await a.askMail();
    expect(mail.to).toEqual([order.email]);
    expect(mailText(mail.raw)).toContain('The link works on that phone only');
    const secret = verifySecretIn(mail.raw)!;
    // The link carries no wallet token: forwarded, it opens nothing.
    expect(mailText(mail.raw)).not.toContain(token);

    expect(await b.call('POST', '/wallet/email/confirm', { secret })).toMatchObject({ status: 403, json: { error: { details: { reason: 'other_device' } } } });
    expect(await a.call('POST', '/wallet/email/confirm', { secret })).toEqual({ status: 200, json: { steps: { sms: 'off', email: 'done' } } });
    expect(await a.binds()).toBe(true);
    expect(await b.binds()).toBe(false);
    expect((await b.call('GET', '/wallet/steps')).json.steps.email).toBe('needed');

    // B asks for its own mail; the holder opening it on A verifies nothing.
    const forB = verifySecretIn((await b.askMail()).raw)!;
    expect((await a.call('POST', '/wallet/email/confirm', { secret: forB })).json.error.details).toEqual({ reason: 'other_device' });
    expect((await a.call('POST', '/wallet/email/confirm', { secret })).json.error.details).toEqual({ reason: 'no_challenge' });
  });
});

describe('the change block', () => {
  it('refused for the holder; an admin changes with a reason, audited; the code material is re-issued and a scanner refuses the old code after its sync', async () => {
    const order = orders[1]!;
    const token = tokenFor(order.email!);
    const holderPhone = device(token);
    expect(await holderPhone.call('PUT', '/wallet/holder', { buyerName: 'Someone Else', email: 'else@example.org', mobile: null }))
      .toMatchObject({ status: 403, json: { error: { code: 'forbidden', details: { reason: 'change_block' } } } });

    // The holder's phone holds a certificate for the order's first ticket, and shows codes signed by its key.
    const ticket = (await server.storage.listOrderTickets(DEMO_EVENT, order.id)).find((t: Ticket) => t.status === 'paid')!;
    const key = generateEventKey();
    const cert = await new Issuer(server.storage, () => server.url).deviceCertificate(ticket, key.publicKey);
    const oldCode = () => signRotatingCode(fromBase64Url(cert.certificate)!, stepAt(Date.now(), cert.stepSeconds), key.privateKey);

    const gate = await appPhone(server.url, 'inspector');
    try {
      await gate.event.open(DEMO_EVENT);
      gate.start();
      const decide = () => {
        const header = gate.event.header!;
        return decodeCode(oldCode(), {
          eventId: DEMO_EVENT, publicKeys: header.publicKeys, now: Date.now(), verify: nodeEd25519Verifier(),
          revokedCertificates: new Set(header.revokedCertificates ?? []), rotatingLeewayMs: header.rotatingLeewayMs ?? 0,
        });
      };
      expect(decide()).toMatchObject({ ok: true, kind: 'rotating', ticketId: ticket.id });

      const path = `/api/events/${DEMO_EVENT}/orders/${order.id}/holder`;
      const change = { buyerName: 'Piet Bakker', email: 'piet@example.org', mobile: '+31611112222' };
      expect((await admin.request('PUT', path, change)).status).toBe(400);
      const supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
      expect((await supervisor.request('PUT', path, { ...change, reason: 'x' })).status).toBe(403);
      const reply = await admin.request('PUT', path, { ...change, reason: 'bought at the box office for a colleague' });
      expect(reply.json).toEqual({ revokedCertificates: [cert.certificateId], tickets: expect.arrayContaining([ticket.id]), mailed: true });

      const [row] = (await supervisor.request('GET', `/api/events/${DEMO_EVENT}/audit?action=order.holder&target=${order.id}`)).json.entries;
      expect(row).toMatchObject({
        actorName: expect.any(String), reason: 'bought at the box office for a colleague',
        before: { buyerName: order.buyerName, email: order.email, mobile: null }, after: change,
      });

      // The old link opens nothing; the new one went to the new address, and its devices verify afresh.
      expect((await holderPhone.call('GET', '/wallet')).status).toBe(401);
      await until(() => smtp.mails.some((m) => m.to[0] === 'piet@example.org'), 'the new link at the new address');
      const fresh = device(tokenFor('piet@example.org'));
      expect((await fresh.call('GET', '/wallet')).json.order.buyerName).toBe('Piet Bakker');
      expect((await fresh.call('GET', '/wallet/steps')).json.steps.email).toBe('needed');

      // The gate phone is told at once (ticketsChanged) and fetches the delta: the old code is refused.
      await until(() => (gate.event.header?.revokedCertificates ?? []).includes(cert.certificateId), 'the revocation at the gate phone');
      expect(decide()).toMatchObject({ ok: false, outcome: 'invalid_signature', problem: { kind: 'revoked_certificate', certificateId: cert.certificateId } });
    } finally {
      await gate.close();
    }
  });
});
