// The supervisors' device fleet: when a phone is flagged. One rule for the server, which
// answers GET …/fleet with the flags, and the console, which keeps them true as time passes
// between answers (a phone turns silent without anything being said).
import { exceedsStep } from './clock.ts';

/**
 * How long a phone may go unheard before the fleet flags it `silent`, by default. A phone
 * online pings every 15 s, and the server drops a socket that answered none of two pings
 * 30 s apart, so an unreachable phone is offline within about a minute. Phones walk through
 * dead spots (a stairwell, a lift, the concourse between gates) and reconnect with backoff
 * within a minute or two; five minutes does not cry wolf over those, and still flags a
 * gate gone dark between two waves of arrivals. GK_FLEET_SILENT_MS changes it.
 */
export const DEFAULT_SILENT_AFTER_MS = 5 * 60_000;

export interface FleetFlagInput {
  /** A socket of the phone is open now. */
  online: boolean;
  /** When the server last heard the phone (ms); null: never. */
  lastSeenAt: number | null;
  /** The phone's clock offset as it last reported it; null: not reported. */
  clockOffsetMs: number | null;
  /** Revoked phones are expected to be silent: never flagged. */
  revokedAt: number | null;
}

export interface FleetFlags {
  /** Offline and unheard for longer than the threshold (or never heard). */
  silent: boolean;
  /** Its clock is off by more than one rotation step (clock.ts exceedsStep). */
  clockOff: boolean;
}

export function fleetFlags(d: FleetFlagInput, now: number, silentAfterMs: number): FleetFlags {
  if (d.revokedAt !== null) return { silent: false, clockOff: false };
  return {
    silent: !d.online && (d.lastSeenAt === null || now - d.lastSeenAt > silentAfterMs),
    clockOff: d.clockOffsetMs !== null && exceedsStep(d.clockOffsetMs),
  };
}
