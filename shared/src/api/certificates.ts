// Device certificates for rotating codes (shared/src/codec/certificate.ts): what the
// holder's phone gets when the server binds a ticket to its key. The wallet's route that
// answers with it comes with the wallet (issue 11); sync-server/src/issuer.ts makes it.
import { z } from 'zod';

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
