// A lane for staff that a login flood cannot fill. From many addresses and for many
// accounts, the per-address and per-account limits (rate-limit.ts) do not bite, the hash
// gate (hash-gate.ts) is full nearly all the time, and every login from anywhere is answered
// busy: the flood locked the staff out without guessing a single password of theirs.
//
// So a browser where a member of staff signed in gets a cookie naming them, signed with a
// key of this server's (a "device cookie", as OWASP describes against online guessing).
// A login that carries a valid one for the account it names waits in a lane of its own at
// the gate, ahead of the anonymous queue; it still needs the password. The cookie grants
// nothing else. One used for wrong passwords stops counting after a few (`MAX_FAILURES`),
// so it is no way around the gate for someone who once signed in; one named for another
// account, forged, or older than `KNOWN_BROWSER_MAX_AGE_MS` is an ordinary login.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InspectorId } from '@gatekeeper/shared/ids';
import { Throttle } from './rate-limit.ts';

export const KNOWN_BROWSER_COOKIE = 'gk_known';
/** The name of the server's key that signs the cookies (storage.serverSecret). */
export const KNOWN_BROWSERS_SECRET = 'known-browsers';
/** Path of the cookie: it goes with logins only. */
export const KNOWN_BROWSER_PATH = '/api/login';
/** 180 days: a season of events on the same phones and laptops. */
export const KNOWN_BROWSER_MAX_AGE_MS = 180 * 86_400_000;
/** Wrong passwords with one cookie before it stops counting (for an hour after the last). */
export const MAX_FAILURES = 5;

/** What a valid cookie says: whose browser, and the cookie's own id (for its failures). */
export interface KnownBrowser { staffId: InspectorId; id: string }

const MAC_BYTES = 16;
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class KnownBrowsers {
  readonly #failures: Throttle;

  constructor(private readonly key: Buffer, private readonly now: () => number = Date.now) {
    this.#failures = new Throttle({ free: MAX_FAILURES, delayMs: 3_600_000, maxDelayMs: 3_600_000, forgetAfterMs: 3_600_000 }, now);
  }

  /** A new cookie value for `staffId`'s browser. */
  issue(staffId: InspectorId): string {
    const payload = `v1.${b64(staffId)}.${this.now().toString(36)}.${b64(randomBytes(9))}`;
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The browser a cookie value names, when it is this server's, in date, and not spent on wrong passwords. */
  read(value: string | undefined): KnownBrowser | null {
    if (!value || value.length > 200) return null;
    const parts = value.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return null;
    const payload = parts.slice(0, 4).join('.');
    const mac = Buffer.from(parts[4]!, 'base64url');
    const want = Buffer.from(this.#mac(payload), 'base64url');
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return null;
    const issued = parseInt(parts[2]!, 36);
    if (!(this.now() - issued <= KNOWN_BROWSER_MAX_AGE_MS)) return null;
    const id = parts[3]!;
    if (this.#failures.retryAfter(id) > 0) return null;
    return { staffId: Buffer.from(parts[1]!, 'base64url').toString() as InspectorId, id };
  }

  /**
   * Every valid cookie of ours in a `Cookie` header. A browser can send several of one
   * name (one kept under another path or domain, or set by a page's script), in an order
   * we do not choose: each is read, so a stale or forged one first does not hide a good one.
   */
  allInHeader(header: string | undefined): KnownBrowser[] {
    if (!header) return [];
    const found: KnownBrowser[] = [];
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== KNOWN_BROWSER_COOKIE) continue;
      const browser = this.read(pair.slice(eq + 1).trim());
      if (browser) found.push(browser);
    }
    return found;
  }

  /** Whether a `Cookie` header carries a valid cookie (the door's question: it has no body to read). */
  inHeader(header: string | undefined): boolean {
    return this.allInHeader(header).length > 0;
  }

  /** The valid cookie in a `Cookie` header that names this member of staff (the login's question). */
  forStaff(header: string | undefined, staffId: InspectorId): KnownBrowser | null {
    return this.allInHeader(header).find((b) => b.staffId === staffId) ?? null;
  }

  /** A wrong password was tried with this cookie. */
  failed(browser: KnownBrowser): void { this.#failures.reserve(browser.id); }

  #mac(payload: string): string {
    return b64(createHmac('sha256', this.key).update(payload).digest().subarray(0, MAC_BYTES));
  }
}
