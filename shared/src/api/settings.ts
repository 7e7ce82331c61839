// The console's Settings: the code word of the day, staff, ticket status, and the audit
// of every change made to a setting in any section (who, what, when, before and after).
import { z } from 'zod';
import { zCodeWord, zCodeWordRule } from '../code-word.ts';
import { zTicket } from '../domain.ts';
import { zId, type EventId, type InspectorId } from '../ids.ts';
import { zRole } from '../protocol/handshake.ts';

/** GET|PUT /api/events/:eventId/code-word: the word shown now, and the rule that draws it (null: set by hand). */
export const zCodeWordReply = z.object({
  codeWord: z.string().nullable(),
  rule: zCodeWordRule.nullable(),
  /** When a drawn word changes next (epoch ms); null for a word set by hand. */
  nextChangeAt: z.number().int().nullable(),
});
export type CodeWordReply = z.infer<typeof zCodeWordReply>;

/** PUT /api/events/:eventId/code-word: a word by hand (null: none), or a list to draw from each day. */
export const zCodeWordBody = z.union([
  z.object({ codeWord: zCodeWord.nullable() }).strict(),
  z.object({ rule: zCodeWordRule }).strict(),
]);
export type CodeWordBody = z.infer<typeof zCodeWordBody>;

/** A member of staff as an admin manages them, with the events they are assigned to. */
export const zStaffInfo = z.object({
  id: zId<InspectorId>(),
  username: z.string(),
  name: z.string(),
  role: zRole,
  disabled: z.boolean(),
  events: z.array(zId<EventId>()),
});
export type StaffInfo = z.infer<typeof zStaffInfo>;

/** GET /api/staff. */
export const zStaffListReply = z.object({ staff: z.array(zStaffInfo) });
export type StaffListReply = z.infer<typeof zStaffListReply>;

/** POST /api/staff, POST /api/staff/:staffId/role, PUT /api/staff/:staffId/events. */
export const zStaffReply = z.object({ staff: zStaffInfo });
export type StaffReply = z.infer<typeof zStaffReply>;

export const zUsername = z.string().regex(/^[a-z0-9._-]{2,64}$/, 'lower-case letters, digits and . _ -, 2 to 64 of them');
export const zStaffName = z.string().trim().min(1).max(80);

/** POST /api/staff: a new account (the password is checked against the policy). */
export const zCreateStaffBody = z.object({
  username: zUsername, name: zStaffName, password: z.string().min(1).max(256), role: zRole,
  events: z.array(zId<EventId>()).max(200).default([]),
});
export type CreateStaffBody = z.input<typeof zCreateStaffBody>;

export const zRoleBody = z.object({ role: zRole });
export const zStaffEventsBody = z.object({ events: z.array(zId<EventId>()).max(200) });

/** A ticket as the console finds it: with its order's buyer, for the holder column. */
export const zTicketFound = zTicket.extend({ buyerName: z.string().nullable() });
export type TicketFound = z.infer<typeof zTicketFound>;

/** GET /api/events/:eventId/tickets?q=: by ticket id, order id, imported barcode, signed code or part of a name. */
export const zTicketSearchReply = z.object({ tickets: z.array(zTicketFound) });
export type TicketSearchReply = z.infer<typeof zTicketSearchReply>;

/** POST /api/events/:eventId/tickets/:ticketId/status: why is required, and kept in the audit. */
export const zTicketStatusBody = z.object({ status: zTicket.shape.status, reason: z.string().trim().min(1).max(500) });
export type TicketStatusBody = z.infer<typeof zTicketStatusBody>;
export const zTicketStatusReply = z.object({ ticket: zTicketFound });
export type TicketStatusReply = z.infer<typeof zTicketStatusReply>;

/** What an audit row records: each a change a person made, `<what>.<verb>`. */
export const AUDIT_ACTIONS = [
  'code_word.set', 'code_word.rule', 'ticket.status',
  'staff.create', 'staff.role', 'staff.events', 'staff.disable', 'staff.enable', 'staff.password',
  'checkpoint.create', 'checkpoint.update', 'tickets.import', 'import_mapping.save',
  'code_window.set', 'order_mails.send', 'device_certificates.revoke', 'measures.set', 'order.holder',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The JSON of a setting before or after a change (null: there was none). */
export const zAuditValue = z.json();
export type AuditValue = z.infer<typeof zAuditValue>;

export const zAuditEntry = z.object({
  id: z.number().int(),
  /** null: a change of a staff account, which holds for every event. */
  eventId: zId<EventId>().nullable(),
  actor: zId<InspectorId>(),
  actorName: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  /** What changed: the event (code word, an import), a ticket, staff, checkpoint or mapping id. */
  target: z.string(),
  before: zAuditValue,
  after: zAuditValue,
  /** Why, when the person said (a ticket's status needs it). */
  reason: z.string().nullable(),
  at: z.number().int(),
});
export type AuditEntry = z.infer<typeof zAuditEntry>;

/** GET /api/events/:eventId/audit?action=&target=&before=&limit=: newest first. */
export const zAuditQuery = z.object({
  action: z.enum(AUDIT_ACTIONS).optional(),
  target: z.string().min(1).max(256).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.output<typeof zAuditQuery>;
export const zAuditReply = z.object({ entries: z.array(zAuditEntry), next: z.number().int().nullable() });
export type AuditReply = z.infer<typeof zAuditReply>;
