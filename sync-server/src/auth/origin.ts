// Which browser origins may act with a staff member's cookie: this server's own host (any
// scheme or port of it) or one listed in GK_ALLOWED_ORIGINS. One rule for the HTTP API's
// forgery guard (routes/guard.ts) and the socket upgrade (hub/gateway.ts).

/** Origin allowed: this host (any scheme), or one of `allowed`. "null" never is. */
export function originAllowed(origin: string, host: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  try { return new URL(origin).host === host; } catch { return false; }
}
