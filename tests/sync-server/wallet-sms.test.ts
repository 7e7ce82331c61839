// SMS verification (issue 11, measure 3) through the app's routes, with the development SMS
// outbox: a code reaches the order's number, verifies the device that asked for it (and no
// other), is single use and valid 10 minutes; guessing stops after 5 tries; sends stop at
// the limit per number, per asking address, and at the day's spend cap. The measures are
// an admin's, audited.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_MEASURES, WALLET_DEVICE_HEADER } from '@gatekeeper/shared/api/verification';
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import type { Order } from '@gatekeeper/shared/domain';
import { generateEventKey, toBase64Url } from '@gatekeeper/shared/codec/index';
import { DEMO_EVENT, makeTestApp, type AppClient, type TestApp } from '../support/app.ts';

let t: TestApp;
let admin: AppClient;
let orders: Order[];
/** An order with an address and no mobile number. */
let bare: Order;
/** Wallet tokens by order id, from the order mails in the outbox. */
let tokens: Map<string, string>;

const device = () => randomBytes(32).toString('base64url');

/** A holder's phone: its wallet token, its device secret and its network address. */
function wallet(orderId: string, secret = device(), address = '203.0.113.7') {
  const client = t.client(address);
  const headers = { authorization: `Bearer ${tokens.get(orderId)!}`, [WALLET_DEVICE_HEADER]: secret };
  return {
    secret,
    get: (path: string) => client.request('GET', `/api${path}`, undefined, headers),
    post: (path: string, body: unknown = {}) => client.request('POST', `/api${path}`, body, headers),
    /** Ask for the order's certificates for a fresh key on this device: the status says whether code material came. */
    bind: async () => (await client.request('POST', '/api/wallet/device', { publicKey: toBase64Url(generateEventKey().publicKey) }, headers)).status,
  };
}

const lastSms = async () => (await admin.get('/api/sms/outbox')).json.messages[0] as { to: string; body: string };
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)![1]!;
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function setUp(smsLimits = {}) {
  t = await makeTestApp({ tickets: 30, smsLimits });
  admin = await t.as('admin');
  const all = (await t.storage.changesSince(DEMO_EVENT, 0)).orders.filter((o) => o.email);
  orders = all.slice(0, 6).map((o, i) => ({ ...o, mobile: `+3161234560${i}` }));
  bare = all[6]!;
  await t.storage.importTickets(DEMO_EVENT, orders, []);
  expect((await admin.post(`/api/events/${DEMO_EVENT}/order-mails`, {})).status).toBe(200);
  const mails = (await admin.get('/api/mail/outbox')).json.mails as Array<{ to: string; text: string }>;
  tokens = new Map([...orders, bare].map((o) => [o.id, /\/wallet#([A-Za-z0-9_-]{43})/.exec(mails.find((m) => m.to === o.email)!.text)![1]!]));
  expect((await admin.put(`/api/events/${DEMO_EVENT}/measures`, { ...NO_MEASURES, sms: true })).status).toBe(200);
}

// One app for the cases below, each with orders and addresses of its own.
describe('SMS verification', () => {
  beforeAll(async () => { await setUp(); });
  afterAll(async () => { await t.close(); });

  it('the measure is an admin\'s, audited with before and after; supervisors read it', async () => {
    const supervisor = await t.as('supervisor');
    expect((await supervisor.put(`/api/events/${DEMO_EVENT}/measures`, NO_MEASURES)).status).toBe(403);
    expect((await supervisor.get(`/api/events/${DEMO_EVENT}/measures`)).json).toEqual({ ...NO_MEASURES, sms: true });
    const [row] = (await supervisor.get(`/api/events/${DEMO_EVENT}/audit?action=measures.set`)).json.entries;
    expect(row).toMatchObject({ actorName: expect.any(String), before: NO_MEASURES, after: { ...NO_MEASURES, sms: true } });
  });

  it('no code material until this device enters the code sent to the order\'s number; another device still gets none', async () => {
    const [order] = orders;
    const phone = wallet(order!.id);
    expect(zWalletReply.parse((await phone.get('/wallet')).json).tickets.length).toBeGreaterThan(0);
    expect(await phone.bind()).toBe(403);
    expect((await phone.get('/wallet/steps')).json).toEqual({ steps: { sms: 'needed', email: 'off' }, mobileHint: '…00', emailHint: expect.any(String) });

    const sent = await phone.post('/wallet/sms');
    expect(sent.json).toEqual({ expiresAt: t.clock.now + 600_000 });
    const sms = await lastSms();
    expect(sms.to).toBe(order!.mobile);
    expect((await phone.post('/wallet/sms/confirm', { code: codeIn(sms.body) })).json).toEqual({ steps: { sms: 'done', email: 'off' } });
    expect(await phone.bind()).toBe(200);

    const other = wallet(order!.id);
    expect(await other.bind()).toBe(403);
    // The code verified one device once: on another it is no code at all.
    expect((await other.post('/wallet/sms/confirm', { code: codeIn(sms.body) })).json.error.details).toEqual({ reason: 'no_challenge' });
  });

  it('a code is single use, and dead after 10 minutes', async () => {
    const phone = wallet(orders[0]!.id);
    await phone.post('/wallet/sms');
    const code = codeIn((await lastSms()).body);
    expect((await phone.post('/wallet/sms/confirm', { code })).status).toBe(200);
    expect((await phone.post('/wallet/sms/confirm', { code })).json.error.details).toEqual({ reason: 'no_challenge' });

    const late = wallet(orders[1]!.id, device(), '203.0.113.8');
    await late.post('/wallet/sms');
    t.clock.advance(600_001);
    expect((await late.post('/wallet/sms/confirm', { code: codeIn((await lastSms()).body) })).json.error.details).toEqual({ reason: 'expired' });
  });

  it('guessing is stopped after 5 tries: the right code is refused after five wrong ones', async () => {
    const phone = wallet(orders[2]!.id, device(), '203.0.113.9');
    await phone.post('/wallet/sms');
    const code = codeIn((await lastSms()).body);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await phone.post('/wallet/sms/confirm', { code: wrong(code) })).json.error.details);
    expect(answers).toEqual([
      { reason: 'wrong_code', triesLeft: 4 }, { reason: 'wrong_code', triesLeft: 3 }, { reason: 'wrong_code', triesLeft: 2 },
      { reason: 'wrong_code', triesLeft: 1 }, { reason: 'too_many_tries' },
    ]);
    const right = await phone.post('/wallet/sms/confirm', { code });
    expect([right.status, right.json.error.details]).toEqual([403, { reason: 'too_many_tries' }]);
    expect((await phone.get('/wallet/steps')).json.steps.sms).toBe('needed');
  });

  it('parallel guesses are each counted: at most 5 of 40 are judged', async () => {
    const phone = wallet(orders[3]!.id, device(), '203.0.113.10');
    await phone.post('/wallet/sms');
    const code = codeIn((await lastSms()).body);
    const guesses = Array.from({ length: 40 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const replies = await Promise.all(guesses.map((g) => phone.post('/wallet/sms/confirm', { code: g })));
    expect(replies.filter((r) => r.json.error.details.reason === 'wrong_code')).toHaveLength(4);
    expect((await phone.post('/wallet/sms/confirm', { code })).json.error.details).toEqual({ reason: 'too_many_tries' });
  });

  it('a step the performance does not ask for is refused, and an order without a number gets no code', async () => {
    expect((await wallet(orders[4]!.id).post('/wallet/email')).json.error).toMatchObject({ code: 'bad_request', details: { reason: 'not_required' } });
    expect((await wallet(bare.id).post('/wallet/sms')).json.error).toMatchObject({ code: 'forbidden', details: { reason: 'no_mobile' } });
  });

  it('a number kept without its country code (from before numbers were checked) gets no code and costs no send: the box office fixes it', async () => {
    await t.storage.importTickets(DEMO_EVENT, [{ ...bare, mobile: '0612345678' }], []);
    const before = (await admin.get('/api/sms/outbox')).json.messages.length;
    const r = await wallet(bare.id).post('/wallet/sms');
    expect(r.json.error).toMatchObject({ code: 'forbidden', details: { reason: 'no_mobile' }, message: expect.stringMatching(/country code/) });
    expect((await admin.get('/api/sms/outbox')).json.messages.length).toBe(before);
  });
});

describe('SMS sends are limited', () => {
  afterAll(async () => { await t.close(); });
  it('per number, per asking address, and by the day\'s spend cap; a refused send sends nothing', async () => {
    // 2 per number, 4 per address an hour; 6 sends a day (48 cents at 8 each).
    await setUp({ perNumberPerHour: 2, perAddressPerHour: 4, priceCents: 8, dailySpendCents: 48 });
    const send = async (order: number, address: string) => {
      const r = await wallet(orders[order]!.id, device(), address).post('/wallet/sms');
      return r.status === 200 ? 'sent' : `${r.status} ${r.json.error.code} ${r.json.error.details.reason}`;
    };
    const outcomes = [
      await send(0, 'x'), await send(0, 'x'), await send(0, 'y'),
      await send(1, 'x'), await send(1, 'x'), await send(2, 'x'),
      await send(2, 'y'), await send(3, 'y'), await send(4, 'z'),
    ];
    expect(outcomes).toEqual([
      'sent', 'sent', '429 rate_limited number',
      'sent', 'sent', '429 rate_limited address',
      'sent', 'sent', '429 rate_limited cap',
    ]);
    expect((await admin.get('/api/sms/outbox')).json.messages).toHaveLength(6);
  });
});
