// Everything a client may send on the socket. The server parses every message with this.
import { z } from 'zod';
import { zHello } from './handshake.ts';
import { zPing } from './misc.ts';
import { zCatchup, zSubmitScan, zUpload } from './scans.ts';
import { zLiveSubscribe } from './live.ts';

export const zUp = z.discriminatedUnion('type', [zHello, zSubmitScan, zUpload, zCatchup, zPing, zLiveSubscribe]);
export type Up = z.infer<typeof zUp>;
export type UpOf<T extends Up['type']> = Extract<Up, { type: T }>;
