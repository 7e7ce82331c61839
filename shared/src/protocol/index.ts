// The protocol, one import away: schemas, types, version and a safe parser for each end.
import { zDown, type Down } from './down.ts';
import { GkError } from './errors.ts';
import { zUp, type Up } from './up.ts';
import { MAX_MESSAGE_BYTES } from './version.ts';

export * from './version.ts';
export * from './errors.ts';
export * from './handshake.ts';
export * from './scans.ts';
export * from './misc.ts';
export * from './live.ts';
export * from './up.ts';
export * from './down.ts';

function parseWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, raw: string): T {
  if (raw.length > MAX_MESSAGE_BYTES) throw new GkError('payload_too_large', `message of ${raw.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  let json: unknown;
  try { json = JSON.parse(raw); } catch { throw new GkError('malformed_message', 'message is not JSON'); }
  const r = schema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new GkError('malformed_message', `message does not match the protocol: ${i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid'}`);
  }
  return r.data;
}

/** Parse a client→server message; throws GkError(malformed_message | payload_too_large). */
export const parseUp = (raw: string): Up => parseWith<Up>(zUp, raw);
/** Parse a server→client message; throws GkError(malformed_message | payload_too_large). */
export const parseDown = (raw: string): Down => parseWith<Down>(zDown, raw);
