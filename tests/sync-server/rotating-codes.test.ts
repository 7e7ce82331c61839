// The server's half of rotating codes: it binds a ticket to a phone's key (Issuer
// .deviceCertificate), revokes the old binding when the ticket moves, tells phones in the
// manifest's delta, and checks a rotating code's certificate when it resolves a scan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zDeviceCertificateReply } from '@gatekeeper/shared/api/index';
import { fromBase64Url, generateEventKey, isStrictPublicKey, signCertificate, signRotatingCode, stepAt, toBase64Url } from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import { zManifest } from '@gatekeeper/shared/manifest';
import { resolveTicket } from '../../sync-server/src/scans/resolve-ticket.ts';
import { nodeEd25519Verifier } from '../../sync-server/src/scans/ed25519-node.ts';
import { DEMO_EVENT, makeTestApp, type AppClient, type TestApp } from '../support/app.ts';

let t: TestApp;
let inspector: AppClient;
let tickets: Ticket[];
const verify = nodeEd25519Verifier();

beforeAll(async () => {
  t = await makeTestApp({ tickets: 20 });
  tickets = (await t.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((x) => x.status === 'paid');
  inspector = await t.as('inspector');
  expect((await inspector.post('/api/devices', { name: 'gate phone' })).status).toBe(201);
});
afterAll(async () => { await t.close(); });

const phone = () => generateEventKey();
const codeNow = (certificate: string, key: Uint8Array, at = t.clock.now) => signRotatingCode(fromBase64Url(certificate)!, stepAt(at, 20), key);
const resolve = (ticket: Ticket, code: string, now = t.clock.now) =>
  resolveTicket(t.storage, { eventId: DEMO_EVENT, ticketId: ticket.id, code }, now, verify);
const manifest = async (since = 0) => zManifest.parse((await inspector.get(`/api/events/${DEMO_EVENT}/manifest?since=${since}`)).json);

describe('binding a ticket to a phone', () => {
  it('a certificate the server issued resolves to its ticket; a code two steps old is expired_code', async () => {
    const [ticket] = tickets;
    const holder = phone();
    const reply = zDeviceCertificateReply.parse(await t.issuer.deviceCertificate(ticket!, holder.publicKey));
    expect(reply.stepSeconds).toBe(20);
    expect(await resolve(ticket!, codeNow(reply.certificate, holder.privateKey))).toEqual({ ok: true, ticket, fromBoundDevice: true });
    const old = codeNow(reply.certificate, holder.privateKey, t.clock.now - 45_000);
    expect(await resolve(ticket!, old)).toMatchObject({ ok: false, outcome: 'expired_code', reason: { problem: { kind: 'expired_step' } } });
  });

  it('a code naming another ticket than the scan says is not that ticket', async () => {
    const [a, b] = [tickets[1]!, tickets[2]!];
    const holder = phone();
    const reply = await t.issuer.deviceCertificate(a, holder.publicKey);
    expect(await resolve(b, codeNow(reply.certificate, holder.privateKey))).toMatchObject({ ok: false, reason: { kind: 'unresolved', cause: 'other_ticket' } });
  });

  it('moving the ticket to a new phone revokes the old certificate: refused at the server at once, and in the phones\' next delta', async () => {
    const ticket = tickets[3]!;
    const [oldPhone, newPhone] = [phone(), phone()];
    const first = await t.issuer.deviceCertificate(ticket, oldPhone.publicKey);
    const before = await manifest();
    expect(before.revokedCertificates).not.toContain(first.certificateId);

    t.clock.advance(1000);
    const second = await t.issuer.deviceCertificate(ticket, newPhone.publicKey);
    expect(await resolve(ticket, codeNow(first.certificate, oldPhone.privateKey))).toMatchObject({
      ok: false, outcome: 'invalid_signature', reason: { problem: { kind: 'revoked_certificate', certificateId: first.certificateId } },
    });
    expect(await resolve(ticket, codeNow(second.certificate, newPhone.privateKey))).toEqual({ ok: true, ticket, fromBoundDevice: true });

    const delta = await manifest(before.version);
    expect(delta.version).toBeGreaterThan(before.version);
    expect(delta.revokedCertificates).toEqual([first.certificateId]);
    expect((await manifest(delta.version)).revokedCertificates).toEqual([]);
  });

  it('an offline admission made before the revocation still resolves when it is uploaded later', async () => {
    const ticket = tickets[4]!;
    const [oldPhone, newPhone] = [phone(), phone()];
    const first = await t.issuer.deviceCertificate(ticket, oldPhone.publicKey);
    const scannedAt = t.clock.now;
    const code = codeNow(first.certificate, oldPhone.privateKey);
    t.clock.advance(5000);
    await t.issuer.deviceCertificate(ticket, newPhone.publicKey);
    expect(await resolve(ticket, code, scannedAt)).toEqual({ ok: true, ticket, fromBoundDevice: true });
    expect(await resolve(ticket, code, t.clock.now)).toMatchObject({ ok: false, reason: { problem: { kind: 'revoked_certificate' } } });
  });

  it('a certificate the event key signed but the server has no record of is refused', async () => {
    const ticket = tickets[5]!;
    const holder = phone();
    const key = (await t.storage.listEventKeys(DEMO_EVENT)).at(-1)!;
    const unrecorded = signCertificate({
      eventId: DEMO_EVENT, ticketId: ticket.id, certificateId: new Uint8Array(8).fill(42), devicePublicKey: holder.publicKey,
      stepSeconds: 20, issuedAt: t.clock.now,
    }, { keyId: key.keyId, privateKey: fromBase64Url(key.privateKey)! });
    expect(await resolve(ticket, codeNow(toBase64Url(unrecorded), holder.privateKey))).toMatchObject({ ok: false, reason: { problem: { kind: 'revoked_certificate' } } });
  });

  it('the console finds the ticket of a holder\'s live code scanned at the desk', async () => {
    const ticket = tickets[7]!;
    const holder = phone();
    const reply = await t.issuer.deviceCertificate(ticket, holder.publicKey);
    const supervisor = await t.as('supervisor');
    const r = await supervisor.get(`/api/events/${DEMO_EVENT}/tickets?q=${encodeURIComponent(codeNow(reply.certificate, holder.privateKey))}`);
    expect(r.status).toBe(200);
    expect(r.json.tickets.map((x: { id: string }) => x.id)).toEqual([ticket.id]);
  });

  it('refuses to bind a key no one could sign with safely (small order), and a ticket that does not exist', async () => {
    await expect(t.issuer.deviceCertificate(tickets[6]!, new Uint8Array(32))).rejects.toMatchObject({ code: 'bad_request' });
    // Scanners take a certificate's device key unchecked (its event signature vouches for
    // it), so the server must refuse a second spelling of a good point, y = 3 written as p + 3.
    const p = (1n << 255n) - 19n;
    const littleEndian = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    expect(isStrictPublicKey(littleEndian(3n))).toBe(true);
    await expect(t.issuer.deviceCertificate(tickets[6]!, littleEndian(p + 3n))).rejects.toMatchObject({ code: 'bad_request' });
    await expect(t.issuer.deviceCertificate({ ...tickets[6]!, id: 'T-none' as never }, phone().publicKey)).rejects.toMatchObject({ code: 'not_found' });
  });
});
