// Just-in-time access (issue 11, measure 1): per event, the minutes before its start from
// which code material may leave the server. Every route that hands out a code (a ticket's
// or order's signed code, an imported barcode, the wallet's codes) asks here first, so a
// code cannot be screenshot, forwarded or sold on days before the doors open.
import type { CodeWindowReply } from '@gatekeeper/shared/api/wallet';
import type { Ticket } from '@gatekeeper/shared/domain';
import type { EventId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { Storage } from '../storage/types.ts';

/**
 * The event's window now. With a lead and no start time there is nothing to count back
 * from: the codes stay in (an organiser who wants them out clears the lead).
 */
export async function codeWindow(storage: Storage, eventId: EventId, now: number): Promise<CodeWindowReply> {
  const leadMinutes = await storage.getCodeLead(eventId);
  if (leadMinutes === null) return { leadMinutes, opensAt: null, open: true };
  const startsAt = (await storage.getEvent(eventId))?.startsAt ?? null;
  if (startsAt === null) return { leadMinutes, opensAt: null, open: false };
  const opensAt = startsAt - leadMinutes * 60_000;
  return { leadMinutes, opensAt, open: now >= opensAt };
}

/** Throws `forbidden` while the event's codes may not leave the server. */
export async function requireCodesOpen(storage: Storage, eventId: EventId, now: number): Promise<void> {
  const w = await codeWindow(storage, eventId, now);
  if (w.open) return;
  throw new GkError('forbidden', w.opensAt === null
    ? `codes of ${eventId} stay on the server: it has a code window and no start time`
    : `codes of ${eventId} leave the server from ${new Date(w.opensAt).toISOString()}`);
}

/** Tickets as the console lists them, without their imported barcodes while the window is shut. */
export async function withoutCodesUntilOpen<T extends Pick<Ticket, 'importedCode'>>(storage: Storage, eventId: EventId, now: number, tickets: T[]): Promise<T[]> {
  if ((await codeWindow(storage, eventId, now)).open) return tickets;
  return tickets.map((t) => ({ ...t, importedCode: null }));
}
