// Supervisors' live view (since version 9): a socket of a supervisor or admin asks for it
// with `liveSubscribe` and gets a `live` snapshot of the event's counters, then a
// `liveDelta` each time a batch of stored scans is gossiped, a `liveAlert` for a device over
// its limits, and a `conflictReviewed` when someone reviews a conflict. Conflicts themselves
// come as `conflict`, as they always did for supervisors. An inspector's `liveSubscribe` is
// answered with an `error` of code `forbidden`.
import { z } from 'zod';
import { zScan } from '../domain.ts';
import { zId, type CheckpointId, type DeviceId, type EventId, type InspectorId, type ScanId } from '../ids.ts';
import { OUTCOMES } from '../outcomes.ts';
import { QUARANTINE_REASONS } from '../quarantine.ts';

export const zLiveSubscribe = z.object({ type: z.literal('liveSubscribe') });

/** Entries admitted at one checkpoint: admissions of direction entry that stand (not annulled, not quarantined). */
export const zCheckpointCount = z.object({ checkpointId: zId<CheckpointId>(), admitted: z.number().int().nonnegative() });
/** People inside an entry/exit zone now: tickets whose last movement in the zone was an entry. */
export const zZoneCount = z.object({ zone: z.string(), inside: z.number().int().nonnegative() });
/** Entries at one checkpoint in one minute (`minute`: its first millisecond, by the scan's `at`). */
export const zMinuteCount = z.object({ checkpointId: zId<CheckpointId>(), minute: z.number().int(), entries: z.number().int().nonnegative() });
/** Scans that showed one outcome (refusals by reason), quarantined ones and annulments left out. */
export const zOutcomeCount = z.object({ outcome: z.enum(OUTCOMES), count: z.number().int().nonnegative() });

/** A quarantined scan for the inbox, as GET …/quarantine lists it. */
export const zQuarantineEntry = z.object({
  seq: z.number().int().nonnegative(), receivedAt: z.number().int(), reason: z.enum(QUARANTINE_REASONS), scan: zScan,
});
export type QuarantineEntry = z.infer<typeof zQuarantineEntry>;

export const zLiveSnapshot = z.object({
  eventId: zId<EventId>(),
  /** Counts every scan of the event up to this gossip cursor. */
  cursor: z.number().int().nonnegative(),
  /** Tickets that would admit (status paid). */
  ticketsSold: z.number().int().nonnegative(),
  /** Tickets admitted at least once (a person counts once, however many gates admitted them). */
  admitted: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
  /** A checkpoint, zone, minute or outcome not listed is 0. */
  checkpoints: z.array(zCheckpointCount),
  zones: z.array(zZoneCount),
  minutes: z.array(zMinuteCount),
  outcomes: z.array(zOutcomeCount),
});
export type LiveSnapshot = z.infer<typeof zLiveSnapshot>;

/**
 * What one batch changed, as new values (not increments): each list holds only the keys
 * that changed, a field left out did not change. Applied in cursor order over the snapshot
 * (applyLiveDelta in ../live-counts.ts); one whose cursor is below the view's is stale.
 */
export const zLiveDelta = z.object({
  eventId: zId<EventId>(),
  cursor: z.number().int().nonnegative(),
  ticketsSold: z.number().int().nonnegative().optional(),
  admitted: z.number().int().nonnegative().optional(),
  quarantined: z.number().int().nonnegative().optional(),
  checkpoints: z.array(zCheckpointCount),
  zones: z.array(zZoneCount),
  minutes: z.array(zMinuteCount),
  outcomes: z.array(zOutcomeCount),
  /** Scans of this batch that were quarantined, for the inbox (without their code). */
  quarantine: z.array(zQuarantineEntry),
});
export type LiveDelta = z.infer<typeof zLiveDelta>;

/** A device over its scan or upload limit (the alerts GET …/quarantine lists). */
export const zDeviceAlert = z.object({
  id: z.number().int(),
  eventId: zId<EventId>(),
  deviceId: zId<DeviceId>(),
  inspectorId: zId<InspectorId>(),
  kind: z.literal('rate_limited'),
  message: z.string(),
  at: z.number().int(),
});
export type DeviceAlert = z.infer<typeof zDeviceAlert>;

/** A supervisor's review of a conflict: who, when, what they noted. */
export const zConflictReview = z.object({
  by: zId<InspectorId>(),
  byName: z.string(),
  at: z.number().int(),
  note: z.string().max(1000),
});
export type ConflictReview = z.infer<typeof zConflictReview>;

export const zLiveMsg = z.object({ type: z.literal('live'), snapshot: zLiveSnapshot });
export const zLiveDeltaMsg = z.object({ type: z.literal('liveDelta'), delta: zLiveDelta });
export const zLiveAlertMsg = z.object({ type: z.literal('liveAlert'), alert: zDeviceAlert });
/** `conflictId`: the losing scan's id, which names a conflict (GET …/conflicts lists it as `id`). */
export const zConflictReviewedMsg = z.object({
  type: z.literal('conflictReviewed'), eventId: zId<EventId>(), conflictId: zId<ScanId>(), review: zConflictReview,
});
