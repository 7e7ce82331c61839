// Clock pings, the code word of the day, changed tickets, and errors on the socket.
import { z } from 'zod';
import { zId, type EventId } from '../ids.ts';
import { zErrorCode } from './errors.ts';

export const zPing = z.object({ type: z.literal('ping'), id: z.number().int(), clientTime: z.number().int() });
export const zPong = z.object({ type: z.literal('pong'), id: z.number().int(), clientTime: z.number().int(), serverTime: z.number().int() });

export const zCodeWordMsg = z.object({ type: z.literal('codeWord'), eventId: zId<EventId>(), codeWord: z.string().nullable() });

/**
 * Since 10: the event's tickets changed (a status set in the console, an import): fetch the
 * manifest's changes now (`?since=`), not at the next periodic refresh. `version` is the
 * change number the manifest has reached; a phone that has it already needs nothing.
 */
export const zTicketsChangedMsg = z.object({ type: z.literal('ticketsChanged'), eventId: zId<EventId>(), version: z.number().int().nonnegative() });

export const zErrorMsg = z.object({
  type: z.literal('error'),
  code: zErrorCode,
  message: z.string(),
  /** The scan id or batch id the error is about, when there is one. */
  ref: z.string().nullable(),
  /** Since 4, with `rate_limited`: wait at least this long (ms) before sending it again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
