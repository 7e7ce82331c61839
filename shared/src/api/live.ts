// The supervisors' live view and conflict inbox over HTTP: the first snapshot (the socket
// then sends deltas, ../protocol/live.ts), the conflicts with their reviews, and a review.
import { z } from 'zod';
import { zConflict } from '../domain.ts';
import { zId, type ScanId } from '../ids.ts';
import { zConflictReview, zDeviceAlert, zLiveSnapshot, zQuarantineEntry } from '../protocol/live.ts';
import { QUARANTINE_REASONS } from '../quarantine.ts';

/** GET /api/events/:eventId/live */
export const zLiveReply = zLiveSnapshot;
export type LiveReply = z.infer<typeof zLiveReply>;

/** One conflict in the inbox: the conflict as the socket tells it, its id, when it was found, the holder, and the latest review. */
export const zConflictEntry = zConflict.extend({
  /** The losing scan's id: one conflict per losing scan. */
  id: zId<ScanId>(),
  /** When the server recorded it (ms). */
  createdAt: z.number().int(),
  /** The ticket holder's name, or the order's buyer's; null when the ticket names nobody. */
  holder: z.string().nullable(),
  review: zConflictReview.nullable(),
});
export type ConflictEntry = z.infer<typeof zConflictEntry>;

/** GET /api/events/:eventId/conflicts: newest first. */
export const zConflictListReply = z.object({ conflicts: z.array(zConflictEntry) });
export type ConflictListReply = z.infer<typeof zConflictListReply>;

/** POST /api/events/:eventId/conflicts/:conflictId/review */
export const zReviewBody = z.object({ note: z.string().trim().max(1000) });
export type ReviewBody = z.infer<typeof zReviewBody>;

/** The reviewed conflict. */
export const zReviewReply = z.object({ conflict: zConflictEntry });
export type ReviewReply = z.infer<typeof zReviewReply>;

/**
 * GET /api/events/:eventId/quarantine: quarantined scans newest first (`next`: the `before`
 * of the next page), and the device alerts. `reason` is null only for a scan stored before
 * reasons were recorded.
 */
export const zQuarantineReply = z.object({
  scans: z.array(zQuarantineEntry.extend({ reason: z.enum(QUARANTINE_REASONS).nullable() })),
  next: z.number().int().nullable(),
  alerts: z.array(zDeviceAlert),
});
export type QuarantineReply = z.infer<typeof zQuarantineReply>;
