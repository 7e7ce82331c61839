// Everything the server may send on the socket. The client parses every message with this.
import { z } from 'zod';
import { zRefused, zWelcome } from './handshake.ts';
import { zCheckpointsChangedMsg, zCodeWordMsg, zErrorMsg, zPong, zTicketsChangedMsg } from './misc.ts';
import { zConflictMsg, zScansMsg, zUploadAck, zVerdictMsg } from './scans.ts';
import { zConflictReviewedMsg, zLiveAlertMsg, zLiveDeltaMsg, zLiveMsg } from './live.ts';

export const zDown = z.discriminatedUnion('type', [
  zWelcome, zRefused, zVerdictMsg, zUploadAck, zScansMsg, zConflictMsg, zPong, zCodeWordMsg, zErrorMsg,
  zLiveMsg, zLiveDeltaMsg, zLiveAlertMsg, zConflictReviewedMsg, zTicketsChangedMsg, zCheckpointsChangedMsg,
]);
export type Down = z.infer<typeof zDown>;
export type DownOf<T extends Down['type']> = Extract<Down, { type: T }>;
