// Logging in and who is logged in: POST /api/login and GET /api/me answer the same shape.
import { z } from 'zod';
import { zCheckpoint } from '../domain.ts';
import { zId, type InspectorId } from '../ids.ts';
import { zEvent } from '../manifest.ts';
import { zRole } from '../protocol/handshake.ts';

/** A member of staff as anyone logged in may see them: never the username or a hash. */
export const zPublicStaff = z.object({ id: zId<InspectorId>(), name: z.string(), role: zRole });
export type PublicStaff = z.infer<typeof zPublicStaff>;

/** POST /api/login, GET /api/me: who is logged in and the events they may open. */
export const zSessionReply = z.object({ inspector: zPublicStaff, events: z.array(zEvent) });
export type SessionReply = z.infer<typeof zSessionReply>;

/** GET /api/events: the events one may open (an admin: every event). */
export const zEventListReply = z.object({ events: z.array(zEvent) });
export type EventListReply = z.infer<typeof zEventListReply>;

/** GET /api/events/:eventId: the event, its checkpoints and today's code word. */
export const zEventDetailsReply = z.object({ event: zEvent, checkpoints: z.array(zCheckpoint), codeWord: z.string().nullable() });
export type EventDetailsReply = z.infer<typeof zEventDetailsReply>;
