// The small closed vocabularies every node shares, each listed once: ticket statuses, rule
// modes, scan directions. Schemas, the importer, the manifest reader and the rule all take
// their lists from here (re-exported by domain.ts).
import { z } from 'zod';
import { valuesOf, type ValueOf } from './enum-values.ts';

export const TicketStatus = { paid: 'paid', unpaid: 'unpaid', canceled: 'canceled', blocked: 'blocked', revoked: 'revoked' } as const;
export type TicketStatus = ValueOf<typeof TicketStatus>;
/** Every ticket status, for schemas, imports and the manifest reader: the one list. */
export const TICKET_STATUSES = valuesOf(TicketStatus);

/**
 * How a checkpoint counts earlier scans.
 * - once_per_event: one entry per ticket across every once_per_event checkpoint.
 * - once_per_zone: one entry per ticket within the checkpoint's zone ("already scanned
 *   at this part of the event"): a day ticket covers one ride on each attraction.
 * - entry_exit: entries and exits alternate within the zone; re-entry after an exit.
 * - unlimited: every scan admits; scans are only logged.
 */
export const RuleMode = { once_per_event: 'once_per_event', once_per_zone: 'once_per_zone', entry_exit: 'entry_exit', unlimited: 'unlimited' } as const;
export type RuleMode = ValueOf<typeof RuleMode>;
export const RULE_MODES = valuesOf(RuleMode);
export const zRuleMode = z.enum(RULE_MODES);

export const Direction = { entry: 'entry', exit: 'exit' } as const;
export type Direction = ValueOf<typeof Direction>;
export const DIRECTIONS = valuesOf(Direction);
