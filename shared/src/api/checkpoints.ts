// Checkpoints in the console: their rules (edited with PUT …/checkpoints/:id, which answers
// the checkpoint as stored) and the dry run, which asks the shared admission rule what a
// scanner at a checkpoint would answer for a ticket at a time, and why.
import { z } from 'zod';
import { zCheckpoint, zTicket, zVerdict } from '../domain.ts';
import { zId, type TicketId } from '../ids.ts';
import { DIRECTIONS } from '../vocabulary.ts';

/** PUT /api/events/:eventId/checkpoints/:checkpointId: the checkpoint as stored. */
export const zCheckpointReply = z.object({ checkpoint: zCheckpoint, created: z.boolean() });
export type CheckpointReply = z.infer<typeof zCheckpointReply>;

/**
 * POST /api/events/:eventId/dry-run. `checkpoint`: its rules as the console shows them,
 * saved or still being edited (nothing is stored either way); `at`: the moment to judge.
 */
export const zDryRunRequest = z.object({
  ticketId: zId<TicketId>(),
  checkpoint: zCheckpoint,
  at: z.number().int(),
  direction: z.enum(DIRECTIONS).default('entry'),
});
export type DryRunRequest = z.input<typeof zDryRunRequest>;

/**
 * The verdict decideAdmission gives, over every scan of the ticket stored so far (the
 * server's whole view, as an online scanner gets it), and the ticket it was about.
 */
export const zDryRunReply = z.object({
  verdict: zVerdict,
  ticket: zTicket.pick({ id: true, type: true, status: true, holderName: true, validFrom: true, validUntil: true, idCheck: true }),
  /** Scans of the ticket the rule weighed. */
  priorScans: z.number().int().nonnegative(),
});
export type DryRunReply = z.infer<typeof zDryRunReply>;
