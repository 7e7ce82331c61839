// Signed codes minted on request, for supervisors to print or show (demo sheets, test
// tickets). Phones never get a ticket's imported barcode, only its hash (manifest).
import { z } from 'zod';

/** A signed ticket or order code and its /v/ link (sync-server/src/issuer.ts mints both). */
export const zSignedCode = z.object({ code: z.string().min(1), link: z.string().min(1) });
export type SignedCode = z.infer<typeof zSignedCode>;

/** GET /api/events/:eventId/orders/:orderId/code. */
export const zOrderCodeReply = zSignedCode;
export type OrderCodeReply = z.infer<typeof zOrderCodeReply>;

/** GET /api/events/:eventId/tickets/:ticketId/code: the code, and the ticket's imported barcode or null. */
export const zTicketCodeReply = zSignedCode.extend({ importedCode: z.string().nullable() });
export type TicketCodeReply = z.infer<typeof zTicketCodeReply>;
