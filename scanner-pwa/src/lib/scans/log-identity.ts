// Which server scan log this phone's cursor counts in. A cursor is a position in one log:
// the server's database, replaced by a fresh one (a new server, a disk swapped mid-event),
// starts another log whose positions mean something else, and it may already be longer
// than our cursor, so "our cursor is ahead of the server's" cannot be the only sign. The
// welcome names the log (`logId`, made with the database); we keep it beside the cursor,
// under the cursor's prefix, so sign-out forgets both (Store.forgetEvents).
import { cursorKey } from '../ports.ts';

export const logIdKey = (eventId: string) => `${cursorKey(eventId)}:log`;

export interface LogCheck {
  /** The log id stored with our cursor; undefined: none yet (a phone from before version 6). */
  stored: string | undefined;
  /** Our cursor. */
  ours: number;
  /** The welcome's log id and newest cursor. */
  logId: string;
  serverCursor: number;
}

/**
 * True when our cursor belongs to another log than the server's: the id changed, or the
 * cursor is ahead of the log (a copy of the same database restored from a backup keeps
 * its id, and only this shows it).
 */
export function cursorFromAnotherLog(c: LogCheck): boolean {
  return (c.stored !== undefined && c.stored !== c.logId) || c.ours > c.serverCursor;
}
