// Clock pings, the code word of the day, changed tickets and checkpoints, and errors on the socket.
import { z } from 'zod';
import { zId, type EventId } from '../ids.ts';
import { zErrorCode } from './errors.ts';

/**
 * Since version 10: what a phone tells about itself that the server cannot know, for the
 * supervisors' device fleet (GET …/fleet): its app's version, its clock's offset from the
 * server's as it estimates it (shared/clock.ts; null before its first round trip), and how
 * many of its scans wait to upload. Sent in `hello` and in every `ping`; absent from older phones.
 */
export const zDeviceReport = z.object({
  appVersion: z.string().min(1).max(64),
  clockOffsetMs: z.number().int().nullable(),
  waiting: z.number().int().nonnegative(),
});
export type DeviceReport = z.infer<typeof zDeviceReport>;

export const zPing = z.object({
  type: z.literal('ping'), id: z.number().int(), clientTime: z.number().int(),
  /** Since version 10: the phone's report as it is now (see zDeviceReport). */
  report: zDeviceReport.optional(),
});
export const zPong = z.object({ type: z.literal('pong'), id: z.number().int(), clientTime: z.number().int(), serverTime: z.number().int() });

export const zCodeWordMsg = z.object({ type: z.literal('codeWord'), eventId: zId<EventId>(), codeWord: z.string().nullable() });

/**
 * Since 11: the event's tickets changed (a status set in the console, an import): fetch the
 * manifest's changes now (`?since=`), not at the next periodic refresh. `version` is the
 * change number the manifest has reached; a phone that has it already needs nothing.
 */
export const zTicketsChangedMsg = z.object({ type: z.literal('ticketsChanged'), eventId: zId<EventId>(), version: z.number().int().nonnegative() });
/** The oldest protocol that knows `ticketsChanged`: older phones are never sent it. */
export const TICKETS_CHANGED_SINCE = 11;

/**
 * Since 13: a checkpoint's rules changed in the console (mode, zone, ticket types, time
 * window): fetch the manifest now (a delta carries every checkpoint), so the next offline
 * decision uses the new rule. No change number: checkpoints are not numbered, so the phone
 * fetches whatever version it holds.
 */
export const zCheckpointsChangedMsg = z.object({ type: z.literal('checkpointsChanged'), eventId: zId<EventId>() });
/** The oldest protocol that knows `checkpointsChanged`: older phones are never sent it. */
export const CHECKPOINTS_CHANGED_SINCE = 13;

export const zErrorMsg = z.object({
  type: z.literal('error'),
  code: zErrorCode,
  message: z.string(),
  /** The scan id or batch id the error is about, when there is one. */
  ref: z.string().nullable(),
  /** Since 4, with `rate_limited`: wait at least this long (ms) before sending it again. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
