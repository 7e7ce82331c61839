// The server is the only holder of event private keys: it mints ticket and order codes.
// Keys are a list per event ("k1", "k2", ...) so a key can be rotated out while codes
// signed with the older one still verify on scanners.
import type { SignedCode } from '@gatekeeper/shared/api/index';
import { fromBase64Url, toBase64Url } from '@gatekeeper/shared/codec/base64url';
import { generateEventKey, signOrderCode, signTicketCode, toLink } from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import { deriveImportedCodeKey } from '@gatekeeper/shared/imported-code';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { EventKey, Storage } from './storage/types.ts';

export class Issuer {
  constructor(private readonly storage: Storage, private readonly linkBase: () => string, private readonly now: () => number = Date.now) {}

  /** Create the event's first key if it has none; returns the key to sign with. */
  async ensureKey(eventId: EventId): Promise<EventKey> {
    const keys = await this.storage.listEventKeys(eventId);
    const active = keys.filter((k) => !k.revoked).at(-1);
    if (active) return active;
    const generated = generateEventKey(`k${keys.length + 1}`);
    const key: EventKey = {
      eventId, keyId: generated.keyId!, publicKey: toBase64Url(generated.publicKey),
      privateKey: toBase64Url(generated.privateKey), revoked: false, createdAt: this.now(),
    };
    await this.storage.addEventKey(key);
    return key;
  }

  /**
   * The key phones hash imported barcodes with (imported-code.ts). Derived from the
   * event's first private key, which is never deleted (a rotation revokes and adds), so
   * it stays the same for the event's life without a table of its own.
   */
  async importedCodeKey(eventId: EventId): Promise<string> {
    await this.ensureKey(eventId);
    const first = (await this.storage.listEventKeys(eventId))[0];
    const secret = first ? fromBase64Url(first.privateKey) : null;
    if (!secret) throw new GkError('internal', `event ${eventId} has no readable key`);
    return deriveImportedCodeKey(secret, eventId);
  }

  private async signer(eventId: EventId) {
    const key = await this.ensureKey(eventId);
    const privateKey = fromBase64Url(key.privateKey);
    if (!privateKey) throw new GkError('internal', `the stored key ${key.keyId} of event ${eventId} is unreadable`);
    return { keyId: key.keyId, privateKey };
  }

  async ticketCode(ticket: Ticket): Promise<SignedCode> {
    const code = signTicketCode({
      eventId: ticket.eventId, ticketId: ticket.id, orderId: ticket.orderId, ticketType: ticket.type,
      validFrom: ticket.validFrom, validUntil: ticket.validUntil, issuedAt: this.now(),
    }, await this.signer(ticket.eventId));
    return { code, link: toLink(this.linkBase(), code) };
  }

  async orderCode(eventId: EventId, orderId: OrderId): Promise<SignedCode> {
    if ((await this.storage.listOrderTickets(eventId, orderId)).length === 0) throw new GkError('not_found', `no order ${orderId} in event ${eventId}`);
    const code = signOrderCode({ eventId, orderId, issuedAt: this.now() }, await this.signer(eventId));
    return { code, link: toLink(this.linkBase(), code) };
  }
}
