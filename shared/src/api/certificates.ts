// Device certificates for rotating codes (shared/src/codec/certificate.ts): what the
// holder's wallet gets when the server binds its tickets to the wallet's key
// (POST /api/wallet/device), and the box office's revocation of a ticket's certificates.
// sync-server/src/issuer.ts makes them; sync-server/src/routes/device-certificates.ts serves them.
import { z } from 'zod';
import { zId, type TicketId } from '../ids.ts';

export const zDeviceCertificateReply = z.object({
  /** base64url of the certificate's bytes (payload and the event key's signature): the wallet copies it into every code. */
  certificate: z.string().min(1).max(400),
  /** base64url, as revocation lists name it. */
  certificateId: z.string().min(1).max(16),
  /** The code changes every this many seconds. */
  stepSeconds: z.number().int().min(1).max(255),
  /** Server time when it was made (epoch ms): the wallet's first estimate of the server's clock. */
  issuedAt: z.number().int().nonnegative(),
});
export type DeviceCertificateReply = z.infer<typeof zDeviceCertificateReply>;

/** POST /api/wallet/device (the order's token as Bearer): the wallet's Ed25519 public key, raw, base64url (43 characters). */
export const zBindDeviceBody = z.object({ publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a raw Ed25519 public key in base64url') });
export type BindDeviceBody = z.infer<typeof zBindDeviceBody>;

/** One certificate per paid ticket of the order; each bind revokes the tickets' earlier certificates. */
export const zBindDeviceReply = z.object({
  certificates: z.array(zDeviceCertificateReply.extend({ ticketId: zId<TicketId>() })),
  /** The server's clock when it answered: the wallet's steps follow it, not the phone's clock. */
  serverTime: z.number().int(),
});
export type BindDeviceReply = z.infer<typeof zBindDeviceReply>;

/** POST /api/events/:eventId/tickets/:ticketId/device-certificates/revoke (admins, audited). */
export const zRevokeCertificatesBody = z.object({ reason: z.string().trim().min(1).max(500) });
export type RevokeCertificatesBody = z.infer<typeof zRevokeCertificatesBody>;
/** The certificate ids revoked now (none: the ticket was bound to no phone). */
export const zRevokeCertificatesReply = z.object({ revoked: z.array(z.string()) });
export type RevokeCertificatesReply = z.infer<typeof zRevokeCertificatesReply>;
