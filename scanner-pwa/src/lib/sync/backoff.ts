// Reconnect delays: exponential, capped, with jitter so that two hundred scanners that lost
// the venue Wi-Fi together do not all knock on the server in the same millisecond when it
// comes back. "Equal jitter": half the window fixed, half random, so a delay is never ~0.
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

// Capped at 15 s, not 30 (docs/protocol.md once said 30; the code was right): a gate phone
// off the server decides alone and its duplicates surface only as conflicts later, so
// every second it sits out after the server is back is a second of avoidable risk, with
// scans waiting to upload. Two hundred phones at one try per 7.5–15 s each are ~20 upgrades
// a second, no load; a 30 s cap would halve that and double the worst wait.
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 15_000 };

export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const window = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(window / 2 + random() * (window / 2));
}
