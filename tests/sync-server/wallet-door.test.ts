// The public wallet routes are bounded per address before any handler runs (wallet/
// wallet-door.ts): guessing wallet tokens is stopped after a few links that open nothing,
// without even a database lookup per further guess, and a flood of requests gets 429 with
// Retry-After. A holder at another address is not affected.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WALLET_DEVICE_HEADER } from '@gatekeeper/shared/api/verification';
import { DEMO_EVENT, makeTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let token: string;
const guess = () => randomBytes(32).toString('base64url');
const open = (address: string, bearer: string, path = '/api/wallet') =>
  t.client(address).request('GET', path, undefined, { authorization: `Bearer ${bearer}`, [WALLET_DEVICE_HEADER]: guess() });

beforeAll(async () => {
  t = await makeTestApp({ tickets: 10, walletDoor: { burst: 12, perMinute: 6, badLinks: { free: 5, delayMs: 60_000, maxDelayMs: 600_000, forgetAfterMs: 3600_000 } } });
  const admin = await t.as('admin');
  await admin.post(`/api/events/${DEMO_EVENT}/order-mails`, {});
  const mails = (await admin.get('/api/mail/outbox')).json.mails as Array<{ text: string }>;
  token = /\/wallet#([A-Za-z0-9_-]{43})/.exec(mails[0]!.text)![1]!;
});
afterAll(async () => { await t.close(); });

describe('the wallet door', () => {
  it('stops token guessing after 5 links that open nothing, before looking the sixth up; other addresses still open', async () => {
    const lookups = vi.spyOn(t.storage, 'findOrderLink');
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await open('198.51.100.1', guess())).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(lookups).toHaveBeenCalledTimes(5);
    const sixth = await open('198.51.100.1', guess());
    expect([sixth.status, sixth.json.error.code, sixth.headers.get('retry-after')]).toEqual([429, 'rate_limited', '60']);
    // The verification routes open their order through the same door.
    expect((await open('198.51.100.1', token, '/api/wallet/steps')).status).toBe(429);
    expect(lookups).toHaveBeenCalledTimes(5);
    expect((await open('198.51.100.2', token)).status).toBe(200);
    lookups.mockRestore();
  });

  it('a valid link gives its try back: a holder opening the wallet again and again is never slowed by it', async () => {
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await open('198.51.100.3', token)).status);
    expect(statuses).toEqual(Array(10).fill(200));
  });

  it('a flood from one address gets 429 with Retry-After once its burst is spent, and goes on at the steady rate', async () => {
    const statuses = [];
    for (let i = 0; i < 14; i++) statuses.push((await open('198.51.100.4', token)).status);
    expect(statuses).toEqual([...Array(12).fill(200), 429, 429]);
    const refused = await open('198.51.100.4', token);
    expect(refused.json.error).toMatchObject({ code: 'rate_limited', details: { retryAfterMs: expect.any(Number) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    t.clock.advance(10_000);
    expect((await open('198.51.100.4', token)).status).toBe(200);
    expect((await open('198.51.100.4', token)).status).toBe(429);
  });

  it('a clock stepped back costs an address nothing (the bucket once went negative, and every request got 429)', async () => {
    expect((await open('198.51.100.5', token)).status).toBe(200);
    t.clock.advance(-3 * 3600_000);
    try {
      expect((await open('198.51.100.5', token)).status).toBe(200);
    } finally {
      t.clock.advance(3 * 3600_000);
    }
  });
});
