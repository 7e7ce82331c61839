// The holder's verification steps (issue 11, measures 3, 4 and 6) and what the organiser
// sets around them: the per-performance measures, the box office's change of an order's
// holder, and the development SMS outbox. The wallet routes are public: each passes the
// wallet door (app.ts) and opens its order through it (wallet/verification.ts).
import { Hono } from 'hono';
import {
  WALLET_DEVICE_HEADER, zEmailConfirmBody, zHolderChangeBody, zMeasuresBody, zSmsConfirmBody, zWalletHolderBody,
  type ChallengeSentReply, type ConfirmReply, type HolderChangeReply, type HolderReply, type Measures, type SmsOutboxReply, type WalletStepsReply,
} from '@gatekeeper/shared/api/verification';
import { orderId } from '@gatekeeper/shared/ids';
import { CHECKPOINTS_CHANGED_SINCE, GkError } from '@gatekeeper/shared/protocol/index';
import { requireRole } from '../auth/roles.ts';
import { mobileHint } from '../sms/sms-codes.ts';
import type { HolderChange, OrderLinkRecord } from '../storage/types.ts';
import { deviceHashOf, refusal } from '../wallet/challenges.ts';
import { walletSteps } from '../wallet/may-bind.ts';
import { access, ticketsChanged } from './events.ts';
import { clientAddress, jsonBody, param, staffOf, type Ctx, type Env } from './context.ts';

const OUTBOX_LIMIT = 200;

/** The order and device a wallet request speaks for. */
async function walletOf(c: Ctx): Promise<{ link: OrderLinkRecord; device: string }> {
  const device = deviceHashOf(c.req.header(WALLET_DEVICE_HEADER));
  const link = await c.var.deps.verification.open(c.req.header('authorization'), clientAddress(c));
  return { link, device };
}

async function requireStep(c: Ctx, link: OrderLinkRecord, step: 'sms' | 'email'): Promise<void> {
  if (!(await c.var.deps.storage.getMeasures(link.eventId))[step]) {
    throw refusal('bad_request', 'not_required', `this performance does not ask for ${step === 'sms' ? 'an SMS code' : 'an e-mail confirmation'}`);
  }
}

const hintOfEmail = (email: string): string => email.replace(/^(.).*(@.*)$/, '$1…$2');

/** The change and what follows it: phones learn of the revoked certificates at once, the holder gets a new link. */
async function applyHolderChange(c: Ctx, link: { eventId: OrderLinkRecord['eventId']; orderId: OrderLinkRecord['orderId'] }, change: HolderChange, audit?: Parameters<Ctx['var']['deps']['storage']['changeHolder']>[4]): Promise<HolderChangeReply> {
  const { storage, orderMails, now, log } = c.var.deps;
  const result = await storage.changeHolder(link.eventId, link.orderId, change, now(), audit);
  await ticketsChanged(c, link.eventId);
  // The old link went with the change (it may sit in a mailbox that is no longer the holder's).
  const mailed = await orderMails.sendOrder(link.eventId, link.orderId).catch((e: unknown) => {
    log.warn('could not mail the new wallet link', { event: link.eventId, order: link.orderId, err: String(e) });
    return false;
  });
  log.info('order holder changed', { event: link.eventId, order: link.orderId, revoked: result.revokedCertificates.length, mailed });
  return { ...result, mailed };
}

export const verificationRoutes = new Hono<Env>()
  .get('/wallet/steps', async (c) => {
    const { link, device } = await walletOf(c);
    const order = await c.var.deps.storage.getOrder(link.eventId, link.orderId);
    return c.json({
      steps: await walletSteps(c.var.deps.storage, link, device),
      mobileHint: order?.mobile ? mobileHint(order.mobile) : null,
      emailHint: order?.email ? hintOfEmail(order.email) : null,
    } satisfies WalletStepsReply);
  })
  .post('/wallet/sms', async (c) => {
    const { link, device } = await walletOf(c);
    await requireStep(c, link, 'sms');
    return c.json(await c.var.deps.verification.sms.send(link, device, clientAddress(c)) satisfies ChallengeSentReply);
  })
  .post('/wallet/sms/confirm', async (c) => {
    const { link, device } = await walletOf(c);
    const { code } = await jsonBody(c, zSmsConfirmBody);
    await c.var.deps.verification.sms.confirm(link, device, code);
    return c.json({ steps: await walletSteps(c.var.deps.storage, link, device) } satisfies ConfirmReply);
  })
  .post('/wallet/email', async (c) => {
    const { link, device } = await walletOf(c);
    await requireStep(c, link, 'email');
    return c.json(await c.var.deps.verification.email.send(link, device) satisfies ChallengeSentReply);
  })
  .post('/wallet/email/confirm', async (c) => {
    const { link, device } = await walletOf(c);
    const { secret } = await jsonBody(c, zEmailConfirmBody);
    await c.var.deps.verification.email.confirm(link, device, secret);
    return c.json({ steps: await walletSteps(c.var.deps.storage, link, device) } satisfies ConfirmReply);
  })
  // The holder's own change of name, address or number: refused under the change block.
  // Without it the change is the holder's word (no staff to audit it), and re-issues all the same.
  .put('/wallet/holder', async (c) => {
    const { link } = await walletOf(c);
    const body = await jsonBody(c, zWalletHolderBody);
    if ((await c.var.deps.storage.getMeasures(link.eventId)).changeBlock) {
      throw refusal('forbidden', 'change_block', 'name and e-mail of these tickets cannot be changed here: ask the box office');
    }
    return c.json(await applyHolderChange(c, link, body) satisfies HolderChangeReply);
  })
  .get('/events/:eventId/measures', async (c) => {
    const { eventId } = await access(c, 'supervisor');
    return c.json(await c.var.deps.storage.getMeasures(eventId) satisfies Measures);
  })
  .put('/events/:eventId/measures', async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const after = await jsonBody(c, zMeasuresBody);
    const { storage, now, log } = c.var.deps;
    const before = await storage.getMeasures(eventId);
    // A step switched on: no phone bound before it has done it, so their certificates go
    // (their codes stop at the gate; the wallets ask for the step, then bind again). After
    // the measures are stored: from then on may-bind asks for the step, so a certificate
    // made before the revocation is revoked, and one made after it had the step done.
    const stepOn = (after.sms && !before.sms) || (after.email && !before.email);
    await storage.setMeasures(eventId, after, { eventId, actor: staff.id, action: 'measures.set', target: eventId, before, after, reason: null, at: now() });
    const revoked = stepOn ? await storage.revokeDeviceCertificates(eventId, null, now()) : [];
    if (revoked.length) {
      await storage.recordAudit({ eventId, actor: staff.id, action: 'device_certificates.revoke', target: eventId, before: { certificates: revoked }, after: null, reason: 'a verification step was switched on', at: now() });
    }
    log.info('measures set', { event: eventId, by: staff.id, ...after, revokedCertificates: revoked.length });
    // Scanners fetch the manifest at once. Revocations take a change number (ticketsChanged
    // names it); the measure has none, so its change is told as a rule's change
    // (checkpointsChanged: the phone fetches whatever its version), like a checkpoint's.
    if (revoked.length > 0) await ticketsChanged(c, eventId);
    if (after.verifiedDevice !== before.verifiedDevice) c.var.deps.push.broadcast(eventId, { type: 'checkpointsChanged', eventId }, CHECKPOINTS_CHANGED_SINCE);
    return c.json(after satisfies Measures);
  })
  // What the box office's form starts from: admins only (an address and a number).
  .get('/events/:eventId/orders/:orderId/holder', async (c) => {
    const { eventId } = await access(c, 'admin');
    const oid = param(orderId, c.req.param('orderId'), 'order id');
    const o = await c.var.deps.storage.getOrder(eventId, oid);
    if (!o) throw new GkError('not_found', `no order ${oid} in event ${eventId}`);
    return c.json({ buyerName: o.buyerName, email: o.email, mobile: o.mobile ?? null } satisfies HolderReply);
  })
  // The box office's back door to the change block: admins, with a reason, audited.
  .put('/events/:eventId/orders/:orderId/holder', async (c) => {
    const { eventId, staff } = await access(c, 'admin');
    const oid = param(orderId, c.req.param('orderId'), 'order id');
    const { reason, ...change } = await jsonBody(c, zHolderChangeBody);
    const { storage, now } = c.var.deps;
    const before = await storage.getOrder(eventId, oid);
    if (!before) throw new GkError('not_found', `no order ${oid} in event ${eventId}`);
    const tickets = await storage.listOrderTickets(eventId, oid);
    const named = Object.keys(change.holderNames ?? {});
    return c.json(await applyHolderChange(c, { eventId, orderId: oid }, change, {
      eventId, actor: staff.id, action: 'order.holder', target: oid, reason, at: now(),
      before: {
        buyerName: before.buyerName, email: before.email, mobile: before.mobile ?? null,
        ...(named.length ? { holderNames: Object.fromEntries(tickets.filter((t) => named.includes(t.id)).map((t) => [t.id, t.holderName])) } : {}),
      },
      after: { ...change },
    }) satisfies HolderChangeReply);
  })
  // Admins only: the messages hold verification codes.
  .get('/sms/outbox', async (c) => {
    requireRole(await staffOf(c), 'admin');
    return c.json({ messages: await c.var.deps.storage.listOutboxSms(OUTBOX_LIMIT) } satisfies SmsOutboxReply);
  });
