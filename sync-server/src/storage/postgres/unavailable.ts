// Failures that are the database's state, not the request's: the server is down or
// restarting, the connection broke, the disk is full, too many connections. The sender is
// told `unavailable` (HTTP 503) and sends again later, as with SQLite (sqlite/unavailable.ts).
import { GkError } from '@gatekeeper/shared/protocol/index';
import type { Storage } from '../types.ts';
import { WriteHealth } from '../sqlite/unavailable.ts';
import { sqlState } from './db.ts';

export { WriteHealth };

/**
 * SQLSTATE classes and codes that mean "cannot store now": 08 connection exception, 53
 * insufficient resources (53100 disk full), 57P01–57P03 shut down or starting, 58 system
 * error (58030 I/O error), 40001/40P01 a serialization failure or a deadlock the server
 * broke (nothing here should cause one; if it does, the retry is right).
 */
const UNAVAILABLE = /^(08|53|57P0[123]|58|40001|40P01)/;
/** Node's errors for a socket that failed or closed under a query. */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

export function unavailableCause(e: unknown): { cause: string; stored: 'none' | 'unknown' } | null {
  const state = sqlState(e);
  if (state !== null) {
    if (!UNAVAILABLE.test(state)) return null;
    // A broken connection may have lost the answer to a COMMIT that landed; any other of
    // these refused the statement, and its transaction rolled back.
    return { cause: state, stored: state.startsWith('08') ? 'unknown' : 'none' };
  }
  const code = (e as NodeJS.ErrnoException | null)?.code;
  // The connection went away; a COMMIT in flight may or may not have landed.
  if (typeof code === 'string' && SOCKET.has(code)) return { cause: code, stored: 'unknown' };
  if (e instanceof Error && /Connection terminated|connection timeout/i.test(e.message)) return { cause: 'connection', stored: 'unknown' };
  // node-postgres on a transaction's client whose connection was cut between statements
  // (pg_terminate_backend, a restart): it refuses before sending, so no COMMIT went out.
  if (e instanceof Error && /is not queryable/.test(e.message)) return { cause: 'connection', stored: 'none' };
  return null;
}

/** Methods that only read: their success says nothing about whether writes go through. */
const READS = new Set<keyof Storage>([
  'getEvent', 'listEvents', 'listCheckpoints', 'getCheckpoint', 'listEventKeys', 'getCodeWord', 'getCodeWordRule', 'listCodeWordRules',
  'getTicket', 'getTickets', 'findTicketByImportedCode', 'listOrderTickets', 'searchTickets', 'changesSince', 'getStaff',
  'getStaffByUsername', 'isStaffOf', 'listEventStaff', 'listStaff', 'listStaffEvents', 'getSession', 'getDevice', 'getDeviceSecretHash',
  'listDevices', 'listDeviceReports', 'getScan', 'ticketScans', 'scansAfter', 'latestCursor', 'scanLogId', 'history', 'holderNames',
  'liveTally', 'scansOfTickets', 'listConflicts', 'conflictInbox', 'admissibleTicketCount', 'quarantined', 'listAudit',
  'listImportMappings', 'getImportMapping', 'listDeviceAlerts',
]);

/** The same methods, with database failures turned into GkError('unavailable') and told to `health`. */
export function withUnavailable<T extends Record<string, unknown>>(methods: T, health: WriteHealth): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(methods)) {
    if (typeof fn !== 'function') { out[name] = fn; continue; }
    out[name] = async (...args: unknown[]) => {
      try {
        const result = await (fn as (...a: unknown[]) => unknown)(...args);
        if (!READS.has(name as keyof Storage)) health.wrote();
        return result;
      } catch (e) {
        const failed = unavailableCause(e);
        if (failed === null) throw e;
        health.failed(failed.cause);
        throw failed.stored === 'none'
          ? new GkError('unavailable', `the server cannot store this now (${failed.cause}); nothing was stored, send it again later`, failed)
          : new GkError('unavailable', `the database connection failed (${failed.cause}); send it again later`, failed);
      }
    };
  }
  return out as T;
}
