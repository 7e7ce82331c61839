// Binding a holder's tickets to the wallet's key (POST /api/wallet/device) and undoing it
// at the box office: what a bind hands out, that a second phone's bind revokes the first's
// certificates (and scanners are told), that nothing is bound before the code window or
// with a token the server does not know, and that an admin's revocation is audited.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zBindDeviceReply, type BindDeviceReply } from '@gatekeeper/shared/api/certificates';
import { zWalletReply } from '@gatekeeper/shared/api/wallet';
import {
  decodeCode, fromBase64Url, generateEventKey, signRotatingCode, stepAt, toBase64Url, toPublicKeyEntry,
} from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import type { OrderId } from '@gatekeeper/shared/ids';
import { nodeEd25519Verifier } from '../../sync-server/src/scans/ed25519-node.ts';
import { hashToken } from '../../sync-server/src/wallet/order-mails.ts';
import { DEMO_EVENT, makeTestApp, type TestApp } from '../support/app.ts';

const HOUR = 3600_000;
let t: TestApp;
const taken = new Set<string>();

// Seeding the demo takes seconds on a loaded machine: more than a hook's default 10 s at a load of 20.
beforeAll(async () => { t = await makeTestApp(); }, 60_000);
afterAll(async () => { await t?.close(); });

/** An order of paid tickets nobody else in this file uses, and a wallet token that opens it. */
async function order(): Promise<{ orderId: OrderId; paid: Ticket[]; token: string }> {
  const { tickets } = await t.storage.changesSince(DEMO_EVENT, 0);
  const orderId = tickets.find((x) => x.orderId && !taken.has(x.orderId) && x.status === 'paid')!.orderId!;
  const items = tickets.filter((x) => x.orderId === orderId);
  taken.add(orderId);
  const token = randomBytes(32).toString('base64url');
  await t.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: DEMO_EVENT, orderId, createdAt: t.clock.now });
  return { orderId, paid: items.filter((x) => x.status === 'paid'), token };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function bind(token: string, phone = generateEventKey()): Promise<{ reply: BindDeviceReply; phone: ReturnType<typeof generateEventKey> }> {
  const r = await t.client().post('/api/wallet/device', { publicKey: toBase64Url(phone.publicKey) }, bearer(token));
  expect(r.status, r.text).toBe(200);
  return { reply: zBindDeviceReply.parse(r.json), phone };
}

/** How a scanner that synced everything judges the phone's code for `ticketId` now. */
async function atTheGate(reply: BindDeviceReply, phone: ReturnType<typeof generateEventKey>, ticketId: string) {
  const cert = reply.certificates.find((c) => c.ticketId === ticketId)!;
  const code = signRotatingCode(fromBase64Url(cert.certificate)!, stepAt(t.clock.now, cert.stepSeconds), phone.privateKey);
  const { revokedCertificates } = await t.storage.changesSince(DEMO_EVENT, 0);
  const publicKeys = (await t.storage.listEventKeys(DEMO_EVENT)).map((k) => toPublicKeyEntry(k.keyId, fromBase64Url(k.publicKey)!, k.revoked));
  return decodeCode(code, { eventId: DEMO_EVENT, publicKeys, now: t.clock.now, verify: nodeEd25519Verifier(), revokedCertificates: new Set(revokedCertificates) });
}

describe('binding a wallet to its phone', () => {
  it('certifies the phone\u2019s key for each paid ticket of the order; its codes verify at the gate', async () => {
    const { paid, token } = await order();
    const { reply, phone } = await bind(token);
    expect(reply.certificates.map((c) => c.ticketId).sort()).toEqual(paid.map((x) => x.id).sort());
    expect(reply.serverTime).toBe(t.clock.now);
    for (const x of paid) expect(await atTheGate(reply, phone, x.id)).toMatchObject({ ok: true, kind: 'rotating', ticketId: x.id });
  });

  it('a second phone\u2019s bind revokes the first\u2019s certificates, and phones are told to fetch the change', async () => {
    const { paid, token } = await order();
    const first = await bind(token);
    const pushed = t.push.broadcasts.length;
    const second = await bind(token);
    const ticket = paid[0]!.id;
    expect(await atTheGate(first.reply, first.phone, ticket)).toMatchObject({ ok: false, problem: { kind: 'revoked_certificate' } });
    expect(await atTheGate(second.reply, second.phone, ticket)).toMatchObject({ ok: true, ticketId: ticket });
    const { revokedCertificates } = await t.storage.changesSince(DEMO_EVENT, 0);
    expect(revokedCertificates).toEqual(expect.arrayContaining(first.reply.certificates.map((c) => c.certificateId)));
    expect(t.push.broadcasts.slice(pushed).map((b) => b.msg.type)).toEqual(['ticketsChanged']);
  });

  it('GET /api/wallet says which certificate is in force for each ticket, so an old phone knows its ticket moved', async () => {
    const { paid, token } = await order();
    const wallet = async () => zWalletReply.parse((await t.client().get('/api/wallet', bearer(token))).json);
    expect((await wallet()).tickets.map((x) => x.certificateId)).toEqual(paid.map(() => null));
    const first = await bind(token);
    const idOf = (reply: BindDeviceReply, ticketId: string) => reply.certificates.find((c) => c.ticketId === ticketId)!.certificateId;
    expect(Object.fromEntries((await wallet()).tickets.map((x) => [x.id, x.certificateId])))
      .toEqual(Object.fromEntries(paid.map((x) => [x.id, idOf(first.reply, x.id)])));
    const second = await bind(token);
    expect(Object.fromEntries((await wallet()).tickets.map((x) => [x.id, x.certificateId])))
      .toEqual(Object.fromEntries(paid.map((x) => [x.id, idOf(second.reply, x.id)])));
    // Withdrawn (as the box office's route does; its audit is tested below): no phone holds it.
    await t.storage.revokeDeviceCertificates(DEMO_EVENT, paid[0]!.id, t.clock.now);
    expect((await wallet()).tickets.find((x) => x.id === paid[0]!.id)!.certificateId).toBeNull();
  });

  it('is refused before the code window opens, and binds nothing', async () => {
    const { paid, token } = await order();
    const admin = await t.as('admin');
    const startsAt = (await t.storage.getEvent(DEMO_EVENT))!.startsAt!;
    const now = t.clock.now;
    try {
      t.clock.now = startsAt - 3 * HOUR;
      expect((await admin.put(`/api/events/${DEMO_EVENT}/code-window`, { leadMinutes: 60 })).json.open).toBe(false);
      const before = await t.storage.changesSince(DEMO_EVENT, 0);
      const r = await t.client().post('/api/wallet/device', { publicKey: toBase64Url(generateEventKey().publicKey) }, bearer(token));
      expect([r.status, r.json.error.code]).toEqual([403, 'forbidden']);
      expect(r.json.error.message).toMatch(/come out at/);
      expect((await t.storage.changesSince(DEMO_EVENT, 0)).version).toBe(before.version);
      expect(paid.length).toBeGreaterThan(0);
    } finally {
      t.clock.now = now;
      await admin.put(`/api/events/${DEMO_EVENT}/code-window`, { leadMinutes: null });
    }
  });

  it('is refused with a token the server does not know, or a key that is not a usable Ed25519 key', async () => {
    const phone = toBase64Url(generateEventKey().publicKey);
    const wrong = await t.client().post('/api/wallet/device', { publicKey: phone }, bearer(randomBytes(32).toString('base64url')));
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'unauthenticated']);
    const none = await t.client().post('/api/wallet/device', { publicKey: phone });
    expect(none.status).toBe(401);
    const { token } = await order();
    // The all-zero point has small order: anyone could "sign" as it.
    const weak = await t.client().post('/api/wallet/device', { publicKey: toBase64Url(new Uint8Array(32)) }, bearer(token));
    expect([weak.status, weak.json.error.code]).toEqual([400, 'bad_request']);
  });
});

describe('the box office revokes a ticket\u2019s certificates', () => {
  it('an admin, with a reason: audited, scanners told, the phone\u2019s codes refused', async () => {
    const { paid, token } = await order();
    const { reply, phone } = await bind(token);
    const ticket = paid[0]!.id;
    const admin = await t.as('admin');
    const pushed = t.push.broadcasts.length;
    const r = await admin.post(`/api/events/${DEMO_EVENT}/tickets/${ticket}/device-certificates/revoke`, { reason: 'phone stolen, told at the box office' });
    expect(r.status, r.text).toBe(200);
    const id = reply.certificates.find((c) => c.ticketId === ticket)!.certificateId;
    expect(r.json).toEqual({ revoked: [id] });
    expect(await atTheGate(reply, phone, ticket)).toMatchObject({ ok: false, problem: { kind: 'revoked_certificate', certificateId: id } });
    expect(t.push.broadcasts.slice(pushed).map((b) => b.msg.type)).toEqual(['ticketsChanged']);
    const audit = await t.storage.listAudit(DEMO_EVENT, { action: 'device_certificates.revoke', limit: 10, withStaff: false });
    expect(audit.entries.map((e) => [e.actor, e.target, e.before, e.after, e.reason])).toEqual([
      ['i-admin', ticket, { certificates: [id] }, null, 'phone stolen, told at the box office'],
    ]);
    // Again: nothing left to revoke, nobody told.
    const again = await admin.post(`/api/events/${DEMO_EVENT}/tickets/${ticket}/device-certificates/revoke`, { reason: 'twice' });
    expect(again.json).toEqual({ revoked: [] });
    expect(t.push.broadcasts.slice(pushed)).toHaveLength(1);
  });

  it('needs a reason and a ticket of the event', async () => {
    const admin = await t.as('admin');
    expect((await admin.post(`/api/events/${DEMO_EVENT}/tickets/T00001/device-certificates/revoke`, { reason: ' ' })).status).toBe(400);
    expect((await admin.post(`/api/events/${DEMO_EVENT}/tickets/NO-SUCH/device-certificates/revoke`, { reason: 'lost' })).status).toBe(404);
  });
});
