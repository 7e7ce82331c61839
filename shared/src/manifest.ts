// What a scanner downloads to decide alone: the event, its checkpoints, tickets, orders,
// public keys and revocations. Tickets travel as rows of a fixed column list: 100,000
// tickets as objects repeat every key 100,000 times.
//
// What a phone does not need stays on the server: buyers' e-mail addresses are not sent,
// and imported barcodes go as keyed hashes (imported-code.ts) under the event's
// `importedCodeKey`. On a phone, a Ticket's `importedCode` is that hash.
import { z } from 'zod';
import { zCheckpoint, zOrder, zTicket, type Ticket } from './domain.ts';
import { zId, type DeviceId, type EventId, type InspectorId, type TicketId } from './ids.ts';

export const zEvent = z.object({
  id: zId<EventId>(),
  name: z.string().min(1).max(120),
  venue: z.string().max(120).nullable(),
  startsAt: z.number().int().nullable(),
  endsAt: z.number().int().nullable(),
  timeZone: z.string().max(64),
});
export type GkEvent = z.infer<typeof zEvent>;

export const TICKET_COLUMNS = [
  'id', 'orderId', 'type', 'holderName', 'seat', 'kind', 'eTicket', 'status', 'validFrom', 'validUntil', 'idCheck', 'importedCodeHash',
] as const;

/** An order as phones get it: no e-mail address (the app never shows one). */
export const zManifestOrder = zOrder.omit({ email: true });
export type ManifestOrder = z.infer<typeof zManifestOrder>;
export const toManifestOrder = ({ id, eventId, buyerName }: ManifestOrder): ManifestOrder => ({ id, eventId, buyerName });
type TicketRow = [string, string | null, string, string | null, string | null, 'event' | 'travel', boolean, Ticket['status'], number | null, number | null, boolean, string | null];

export const zPublicKey = z.object({ keyId: z.string().min(1).max(16), publicKey: z.string(), revoked: z.boolean() });
export type PublicKeyEntry = z.infer<typeof zPublicKey>;

export const zManifest = z.object({
  event: zEvent,
  /** Change counter: pass it back as `since` to get only what changed after. */
  version: z.number().int().nonnegative(),
  /** true: a delta after `since`; tickets and orders listed replace the phone's copies. */
  delta: z.boolean(),
  checkpoints: z.array(zCheckpoint),
  publicKeys: z.array(zPublicKey),
  staff: z.array(z.object({ id: zId<InspectorId>(), name: z.string() })),
  /** The phones of the event's staff, so history and conflicts can name a device. */
  devices: z.array(z.object({ id: zId<DeviceId>(), name: z.string() })),
  codeWord: z.string().nullable(),
  /** Key (base64url) of the imported-code hashes in the `importedCodeHash` column. */
  importedCodeKey: z.string().min(22).max(64),
  orders: z.array(zManifestOrder),
  columns: z.array(z.string()),
  tickets: z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  /** Ticket ids revoked (a revocation list the scanner keeps even before a full reload). */
  revoked: z.array(zId<TicketId>()),
  /**
   * Rotating codes: ids of device certificates revoked (after `since` in a delta; the phone
   * keeps the union, as with `revoked`). Absent (none) from servers before rotating codes.
   */
  revokedCertificates: z.array(z.string().max(16)).optional(),
  /** Rotating codes: extra time either side of the accepted steps (the server's GK_ROTATING_LEEWAY_MS). */
  rotatingLeewayMs: z.number().int().nonnegative().optional(),
  /**
   * The measure "verified device only" (issue 11): only a rotating code under a certificate
   * in force admits (admission.ts `verifiedDeviceOnly`). In every manifest, delta or not, as
   * it is now. Absent (off) from servers before protocol 15.
   */
  verifiedDeviceOnly: z.boolean().optional(),
});
export type Manifest = z.infer<typeof zManifest>;

/** A ticket as a manifest row; `hashCode` turns its imported barcode into the hash sent. */
export function ticketToRow(t: Ticket, hashCode: (code: string) => string): TicketRow {
  return [t.id, t.orderId, t.type, t.holderName, t.seat, t.kind, t.eTicket, t.status, t.validFrom, t.validUntil, t.idCheck, t.importedCode === null ? null : hashCode(t.importedCode)];
}

/** Rebuild a ticket from a manifest row (`importedCode`: the hash); the column list is checked once per manifest. */
export function rowToTicket(eventId: EventId, row: readonly unknown[]): Ticket {
  const [id, orderId, type, holderName, seat, kind, eTicket, status, validFrom, validUntil, idCheck, importedCode] = row as TicketRow;
  return { id: id as TicketId, eventId, orderId: orderId as Ticket['orderId'], type, holderName, seat, kind, eTicket, status, validFrom, validUntil, idCheck, importedCode };
}

export function checkColumns(columns: readonly string[]): void {
  if (columns.length !== TICKET_COLUMNS.length || columns.some((c, i) => c !== TICKET_COLUMNS[i])) {
    throw new Error(`manifest columns ${columns.join(',')} are not the ones this scanner reads`);
  }
}
