// The measure "verified device only" on the server (issue 11, measure 4): an admin switches it
// on, scanners get it in the manifest and are told at once; the server's own online verdict
// refuses any code that is not a rotating one under a certificate in force, with the reason
// the scanner words; switching a verification step on revokes the certificates made before
// it (no phone bound then has done it), so their codes stop at the gate after the next sync.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zBindDeviceReply, type BindDeviceReply } from '@gatekeeper/shared/api/certificates';
import { fromBase64Url, generateEventKey, signRotatingCode, stepAt, toBase64Url } from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import { inspectorId, type DeviceId, type OrderId } from '@gatekeeper/shared/ids';
import { zManifest } from '@gatekeeper/shared/manifest';
import { hashToken } from '../../sync-server/src/wallet/order-mails.ts';
import { DEMO_EVENT, makeTestApp, scanRequest, type AppClient, type TestApp } from '../support/app.ts';

let t: TestApp;
let inspector: AppClient;
let admin: AppClient;
let phone: DeviceId;
const taken = new Set<string>();
const ev = (path: string) => `/api/events/${DEMO_EVENT}${path}`;

beforeAll(async () => {
  t = await makeTestApp();
  inspector = await t.as('inspector');
  admin = await t.as('admin');
  const r = await inspector.post('/api/devices', { name: 'gate phone' });
  expect(r.status).toBe(201);
  phone = r.json.device.id;
}, 60_000);
afterAll(async () => { await t?.close(); });

/** An order of paid tickets nobody else in this file uses, and a wallet token that opens it. */
async function order(): Promise<{ orderId: OrderId; paid: Ticket[]; token: string }> {
  const { tickets } = await t.storage.changesSince(DEMO_EVENT, 0);
  const orderId = tickets.find((x) => x.orderId && !taken.has(x.orderId) && x.status === 'paid' && !x.idCheck)!.orderId!;
  taken.add(orderId);
  const token = randomBytes(32).toString('base64url');
  await t.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: DEMO_EVENT, orderId, createdAt: t.clock.now });
  return { orderId, paid: tickets.filter((x) => x.orderId === orderId && x.status === 'paid' && !x.idCheck), token };
}

async function bind(token: string): Promise<{ reply: BindDeviceReply; key: ReturnType<typeof generateEventKey> }> {
  const key = generateEventKey();
  const r = await t.client().post('/api/wallet/device', { publicKey: toBase64Url(key.publicKey) }, { authorization: `Bearer ${token}` });
  expect(r.status, r.text).toBe(200);
  return { reply: zBindDeviceReply.parse(r.json), key };
}

/** The bound phone's code for `ticketId`, now. */
function rotating(bound: { reply: BindDeviceReply; key: ReturnType<typeof generateEventKey> }, ticketId: string): string {
  const cert = bound.reply.certificates.find((c) => c.ticketId === ticketId)!;
  return signRotatingCode(fromBase64Url(cert.certificate)!, stepAt(t.clock.now, cert.stepSeconds), bound.key.privateKey);
}

/** The server's online verdict for `code` naming `ticketId` at the main gate. */
async function scan(ticketId: string, code: string) {
  const body = scanRequest({ inspectorId: inspectorId('i-inspector'), deviceId: phone }, ticketId as Ticket['id'], code);
  const r = await inspector.post(ev('/scans'), body, { 'x-device-id': phone });
  expect(r.status, r.text).toBe(200);
  return r.json.verdict as { outcome: string; reason: { kind: string } };
}

async function setMeasures(m: Partial<{ sms: boolean; email: boolean; verifiedDevice: boolean; changeBlock: boolean }>) {
  const before = await t.storage.getMeasures(DEMO_EVENT);
  const r = await admin.put(ev('/measures'), { ...before, ...m });
  expect(r.status, r.text).toBe(200);
}

describe('verified device only', () => {
  it('goes to scanners in the manifest, delta or not, and they are told to fetch it at once when it changes', async () => {
    const full = zManifest.parse((await inspector.get(ev('/manifest'))).json);
    expect(full.verifiedDeviceOnly).toBe(false);
    const pushed = t.push.broadcasts.length;
    await setMeasures({ verifiedDevice: true });
    // No change number moves (no ticket changed): told as a rule's change, which a phone fetches whatever its version.
    expect(t.push.broadcasts.slice(pushed).map((b) => b.msg.type)).toEqual(['checkpointsChanged']);
    const delta = zManifest.parse((await inspector.get(ev(`/manifest?since=${full.version}`))).json);
    expect(delta).toMatchObject({ delta: true, verifiedDeviceOnly: true });
    // Saving the same again tells nobody.
    const again = t.push.broadcasts.length;
    await setMeasures({ verifiedDevice: true });
    expect(t.push.broadcasts.length).toBe(again);
  });

  it('refuses a signed static code and a typed ticket id online, and admits the bound phone\u2019s rotating code', async () => {
    await setMeasures({ verifiedDevice: true });
    const { paid, token } = await order();
    const [a, b] = paid;
    const signed = await t.issuer.ticketCode(a!);
    expect(await scan(a!.id, signed.code)).toMatchObject({ outcome: 'expired_code', reason: { kind: 'verified_device' } });
    expect(await scan(a!.id, a!.id)).toMatchObject({ outcome: 'expired_code', reason: { kind: 'verified_device' } });
    const bound = await bind(token);
    expect(await scan(a!.id, rotating(bound, a!.id))).toMatchObject({ outcome: 'valid' });
    if (b) {
      // Off again: a static code admits as before.
      await setMeasures({ verifiedDevice: false });
      expect(await scan(b.id, b.id)).toMatchObject({ outcome: 'valid' });
      await setMeasures({ verifiedDevice: true });
    }
  });

  it('switching a step on revokes the phones bound before it, under one change number scanners fetch at once', async () => {
    await setMeasures({ verifiedDevice: true, sms: false });
    const { paid, token } = await order();
    const bound = await bind(token);
    const before = (await t.storage.changesSince(DEMO_EVENT, 0)).version;
    const pushed = t.push.broadcasts.length;
    await setMeasures({ sms: true });
    expect(t.push.broadcasts.slice(pushed).map((b) => b.msg.type)).toEqual(['ticketsChanged']);
    const delta = await t.storage.changesSince(DEMO_EVENT, before);
    expect(delta.revokedCertificates).toEqual(expect.arrayContaining(bound.reply.certificates.map((c) => c.certificateId)));
    expect(await scan(paid[0]!.id, rotating(bound, paid[0]!.id))).toMatchObject({ outcome: 'invalid_signature', reason: { kind: 'code' } });
    // The audit says what the switch did.
    const audit = await t.storage.listAudit(DEMO_EVENT, { action: 'device_certificates.revoke', limit: 1, withStaff: false });
    expect(audit.entries[0]).toMatchObject({ target: DEMO_EVENT, reason: 'a verification step was switched on' });
    expect(audit.entries[0]!.before).toMatchObject({ certificates: expect.arrayContaining(bound.reply.certificates.map((c) => c.certificateId)) });
    // Switching it off (or another measure) revokes nothing.
    const v = (await t.storage.changesSince(DEMO_EVENT, 0)).version;
    await setMeasures({ sms: false, changeBlock: true });
    expect((await t.storage.changesSince(DEMO_EVENT, 0)).version).toBe(v);
  });

  it('keeps the ID check with a rotating code: a personal ticket from the bound phone is asked for ID, then admitted once checked', async () => {
    await setMeasures({ verifiedDevice: true, sms: false, email: false });
    const { tickets } = await t.storage.changesSince(DEMO_EVENT, 0);
    const personal = tickets.find((x) => x.idCheck && x.status === 'paid' && x.orderId && !taken.has(x.orderId) && x.validFrom === null && x.validUntil === null)!;
    expect(personal, 'the demo event has a paid personal ticket').toBeTruthy();
    taken.add(personal.orderId!);
    const token = randomBytes(32).toString('base64url');
    await t.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: DEMO_EVENT, orderId: personal.orderId!, createdAt: t.clock.now });
    const bound = await bind(token);
    const code = rotating(bound, personal.id);
    expect(await scan(personal.id, code)).toMatchObject({ outcome: 'needs_id_check' });
    const body = scanRequest({ inspectorId: inspectorId('i-inspector'), deviceId: phone }, personal.id, code, { idChecked: true });
    const r = await inspector.post(ev('/scans'), body, { 'x-device-id': phone });
    expect(r.status, r.text).toBe(200);
    expect(r.json.verdict).toMatchObject({ outcome: 'valid' });
  });
});
