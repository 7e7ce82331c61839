// The server is the only holder of event private keys: it mints ticket and order codes.
// Keys are a list per event ("k1", "k2", ...) so a key can be rotated out while codes
// signed with the older one still verify on scanners.
import { randomBytes } from 'node:crypto';
import type { DeviceCertificateReply, SignedCode } from '@gatekeeper/shared/api/index';
import { fromBase64Url, toBase64Url } from '@gatekeeper/shared/codec/base64url';
import {
  CERTIFICATE_ID_LENGTH, DEFAULT_STEP_SECONDS, certificateIdText, generateEventKey, isStrictPublicKey, signCertificate, signOrderCode,
  signTicketCode, toLink,
} from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import { deriveImportedCodeKey } from '@gatekeeper/shared/imported-code';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { EventKey, Storage } from './storage/types.ts';

export class Issuer {
  constructor(
    private readonly storage: Storage, private readonly linkBase: () => string, private readonly now: () => number = Date.now,
    /** Rotating codes: extra time either side of the accepted steps (GK_ROTATING_LEEWAY_MS); phones get it with the manifest. */
    readonly rotatingLeewayMs = 0,
  ) {}

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

  /**
   * Binds a ticket to the phone holding `devicePublicKey` (raw Ed25519): a certificate the
   * phone puts into every rotating code it shows. The ticket's earlier certificates are
   * revoked with it (a ticket is shown by one phone at a time), and scanners learn that
   * with their next manifest delta. The caller has verified the holder first.
   */
  async deviceCertificate(ticket: Ticket, devicePublicKey: Uint8Array, stepSeconds = DEFAULT_STEP_SECONDS): Promise<DeviceCertificateReply> {
    // A small-order or non-canonical key would let anyone sign "as" the phone.
    if (!isStrictPublicKey(devicePublicKey)) throw new GkError('bad_request', 'not a usable Ed25519 public key');
    const id = new Uint8Array(randomBytes(CERTIFICATE_ID_LENGTH));
    const issuedAt = Math.floor(this.now() / 1000) * 1000;
    const certificate = signCertificate({
      eventId: ticket.eventId, ticketId: ticket.id, certificateId: id, devicePublicKey, stepSeconds, issuedAt,
    }, await this.signer(ticket.eventId));
    const certificateId = certificateIdText(id);
    await this.storage.addDeviceCertificate({
      eventId: ticket.eventId, id: certificateId, ticketId: ticket.id, devicePublicKey: toBase64Url(devicePublicKey), stepSeconds, issuedAt,
    });
    return { certificate: toBase64Url(certificate), certificateId, stepSeconds, issuedAt };
  }

  async orderCode(eventId: EventId, orderId: OrderId): Promise<SignedCode> {
    if ((await this.storage.listOrderTickets(eventId, orderId)).length === 0) throw new GkError('not_found', `no order ${orderId} in event ${eventId}`);
    const code = signOrderCode({ eventId, orderId, issuedAt: this.now() }, await this.signer(eventId));
    return { code, link: toLink(this.linkBase(), code) };
  }
}
