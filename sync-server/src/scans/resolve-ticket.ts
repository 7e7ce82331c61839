// Which ticket a scanned code names, decided on the server from the code itself: a scanner
// may say which ticket it thinks it scanned, but the signature is checked here again.
import { decodeCode, type SignatureVerifier } from '@gatekeeper/shared/codec/index';
import type { Scan, Ticket } from '@gatekeeper/shared/domain';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import { codeReason, type Reason, type UnresolvedCause } from '@gatekeeper/shared/reasons';
import type { EventKey, Storage } from '../storage/types.ts';

export type Resolution =
  /** fromBoundDevice: a rotating code under a certificate in force (admission.ts). */
  | { ok: true; ticket: Ticket; fromBoundDevice: boolean }
  | { ok: false; outcome: Outcome; reason: Reason };

const unresolved = (cause: UnresolvedCause): Resolution => ({ ok: false, outcome: 'unknown', reason: { kind: 'unresolved', cause } });

/**
 * A scan names its ticket in `ticketId` and carries the scanned text in `code`. Signed codes
 * (static or rotating) must verify and name that ticket (or its order), a rotating code's
 * certificate must be in force; plain codes must be the ticket's imported
 * barcode; manual entry (code = the ticket id, typed or picked by search) is taken as is.
 */
export async function resolveTicket(
  storage: Storage, req: Pick<Scan, 'eventId' | 'ticketId' | 'code'>, now: number, verify: SignatureVerifier,
  /** What the caller has read already, once for a whole batch: the event's keys, and the tickets the scans name. */
  preloaded?: { keys: readonly EventKey[]; tickets: ReadonlyMap<string, Ticket> },
  /** Rotating codes: extra time either side of the accepted steps (GK_ROTATING_LEEWAY_MS). */
  rotatingLeewayMs = 0,
): Promise<Resolution> {
  const keys = preloaded?.keys ?? await storage.listEventKeys(req.eventId);
  const decoded = decodeCode(req.code, {
    eventId: req.eventId,
    publicKeys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, revoked: k.revoked })),
    now,
    verify,
    rotatingLeewayMs,
  });
  if (!decoded.ok) return { ok: false, outcome: decoded.outcome, reason: codeReason(decoded.problem) };
  if (decoded.kind === 'rotating') {
    // Revocation is the server's own record, read for the one certificate the code names
    // (a phone checks the list its manifest brought). A certificate the server never
    // issued yet the event key signed cannot be: refuse it as revoked rather than trust it.
    // Revoked as of `now`: an offline scan uploaded later is judged at its own time.
    const cert = await storage.getDeviceCertificate(req.eventId, decoded.certificateId);
    if (!cert || (cert.revokedAt !== null && cert.revokedAt <= now) || cert.ticketId !== decoded.ticketId) {
      return { ok: false, outcome: 'invalid_signature', reason: codeReason({ kind: 'revoked_certificate', certificateId: decoded.certificateId }) };
    }
  }
  const ticket = !req.ticketId ? null : preloaded ? (preloaded.tickets.get(req.ticketId) ?? null) : await storage.getTicket(req.eventId, req.ticketId);
  if (decoded.kind === 'imported') {
    if (ticket && (decoded.code === ticket.id || decoded.code === ticket.importedCode)) return { ok: true, ticket, fromBoundDevice: false };
    const byCode = await storage.findTicketByImportedCode(req.eventId, decoded.code);
    if (byCode && (!req.ticketId || byCode.id === req.ticketId)) return { ok: true, ticket: byCode, fromBoundDevice: false };
    return unresolved('no_such_code');
  }
  if (!ticket) {
    if (decoded.kind === 'ticket' || decoded.kind === 'rotating') {
      const named = await storage.getTicket(req.eventId, decoded.ticketId);
      if (named) return { ok: true, ticket: named, fromBoundDevice: decoded.kind === 'rotating' };
    }
    return unresolved('no_such_ticket');
  }
  if ((decoded.kind === 'ticket' || decoded.kind === 'rotating') && decoded.ticketId !== ticket.id) {
    return unresolved('other_ticket');
  }
  if (decoded.kind === 'order' && decoded.orderId !== ticket.orderId) {
    return unresolved('not_in_order');
  }
  return { ok: true, ticket, fromBoundDevice: decoded.kind === 'rotating' };
}
