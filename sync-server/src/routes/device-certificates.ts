// Binding tickets to the holder's phone (rotating codes, issue 11) and undoing it. The
// wallet sends its public key once it may bind (wallet/may-bind.ts decides); each bind
// revokes the tickets' earlier certificates, so a ticket moved to a new phone no longer
// opens the gate from the old one. Scanners learn revocations with the manifest's delta,
// fetched at once on `ticketsChanged`.
import { Hono } from 'hono';
import {
  zBindDeviceBody, zRevokeCertificatesBody, type BindDeviceReply, type RevokeCertificatesReply,
} from '@gatekeeper/shared/api/certificates';
import { fromBase64Url } from '@gatekeeper/shared/codec/index';
import { ticketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { mayBind } from '../wallet/may-bind.ts';
import { jsonBody, param, type Env } from './context.ts';
import { access, ticketsChanged } from './events.ts';
import { holderDevice, holderLink } from './holder-link.ts';

export const deviceCertificateRoutes = new Hono<Env>()
  .post('/wallet/device', async (c) => {
    const link = await holderLink(c);
    const { publicKey } = await jsonBody(c, zBindDeviceBody);
    const { storage, issuer, now, log } = c.var.deps;
    const decision = await mayBind({ storage, eventId: link.eventId, orderId: link.orderId, deviceHash: holderDevice(c), now: now() });
    if (!decision.ok) throw new GkError('forbidden', decision.why);
    const key = fromBase64Url(publicKey);
    if (!key) throw new GkError('bad_request', 'publicKey: not base64url');
    const tickets = (await storage.listOrderTickets(link.eventId, link.orderId)).filter((t) => t.status === 'paid');
    // One after the other: each is its own transaction that revokes the ticket's earlier certificates.
    const certificates = [];
    for (const t of tickets) certificates.push({ ticketId: t.id, ...await issuer.deviceCertificate(t, key) });
    log.info('wallet bound', { event: link.eventId, order: link.orderId, tickets: tickets.length });
    if (tickets.length > 0) await ticketsChanged(c, link.eventId);
    return c.json({ certificates, serverTime: now() } satisfies BindDeviceReply);
  })
  .post('/events/:eventId/tickets/:ticketId/device-certificates/revoke', async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const tid = param(ticketId, c.req.param('ticketId'), 'ticket id');
    const { reason } = await jsonBody(c, zRevokeCertificatesBody);
    const { storage, now, log } = c.var.deps;
    if (!await storage.getTicket(eventId, tid)) throw new GkError('not_found', `no ticket ${tid}`);
    const revoked = await storage.revokeDeviceCertificates(eventId, tid, now());
    await storage.recordAudit({ eventId, actor: staff.id, action: 'device_certificates.revoke', target: tid, before: { certificates: revoked }, after: null, reason, at: now() });
    log.info('device certificates revoked', { event: eventId, ticket: tid, by: staff.id, revoked: revoked.length });
    if (revoked.length > 0) await ticketsChanged(c, eventId);
    return c.json({ revoked } satisfies RevokeCertificatesReply);
  });
