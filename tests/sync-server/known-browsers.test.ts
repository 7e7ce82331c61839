// The known-browser cookie (auth/known-browsers.ts): signed by this server's key, naming one
// member of staff, good for 180 days, and spent after a few wrong passwords.
import { describe, expect, it } from 'vitest';
import { inspectorId } from '@gatekeeper/shared/ids';
import { KNOWN_BROWSER_COOKIE, KNOWN_BROWSER_MAX_AGE_MS, KnownBrowsers, MAX_FAILURES } from '@gatekeeper/sync-server/auth/known-browsers';

const KEY = Buffer.alloc(32, 1);
const ANNA = inspectorId('i-anna');

describe('KnownBrowsers', () => {
  it('reads back whom a cookie it issued names, and nothing from a changed, foreign or malformed one', () => {
    const browsers = new KnownBrowsers(KEY);
    const value = browsers.issue(ANNA);
    expect(browsers.read(value)).toMatchObject({ staffId: ANNA });
    const [v, , issued, nonce, mac] = value.split('.');
    const asBob = [v, Buffer.from('i-bob').toString('base64url'), issued, nonce, mac].join('.');
    expect(browsers.read(asBob)).toBeNull();
    expect(new KnownBrowsers(Buffer.alloc(32, 2)).read(value)).toBeNull();
    for (const bad of ['', 'v1', 'v2.a.b.c.d', `${value}.x`, value.slice(0, -1), 'x'.repeat(500)]) expect(browsers.read(bad)).toBeNull();
  });

  it('expires after its age', () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const browsers = new KnownBrowsers(KEY, () => clock.now);
    const value = browsers.issue(ANNA);
    clock.now += KNOWN_BROWSER_MAX_AGE_MS;
    expect(browsers.read(value)).not.toBeNull();
    clock.now += 1;
    expect(browsers.read(value)).toBeNull();
  });

  it(`stops counting after ${MAX_FAILURES} wrong passwords, for that cookie only`, () => {
    const browsers = new KnownBrowsers(KEY);
    const mine = browsers.issue(ANNA);
    const other = browsers.issue(ANNA);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const b = browsers.read(mine);
      expect(b).not.toBeNull();
      browsers.failed(b!);
    }
    expect(browsers.read(mine)).toBeNull();
    expect(browsers.read(other)).not.toBeNull();
  });

  it('finds its cookie among others in a Cookie header', () => {
    const browsers = new KnownBrowsers(KEY);
    const value = browsers.issue(ANNA);
    expect(browsers.inHeader(`${KNOWN_BROWSER_COOKIE}=${value}`)).toBe(true);
    expect(browsers.inHeader(`a=1; ${KNOWN_BROWSER_COOKIE}=${value}; b=2`)).toBe(true);
    expect(browsers.inHeader(`a=1;${KNOWN_BROWSER_COOKIE}=${value}`)).toBe(true);
    expect(browsers.inHeader(`not_${KNOWN_BROWSER_COOKIE}=${value}`)).toBe(false);
    expect(browsers.inHeader(undefined)).toBe(false);
  });

  it('takes every cookie of its name in a Cookie header and accepts a valid one, wherever it stands', () => {
    // A browser can send two of one name (an older one kept under another path or domain,
    // or one a page's script set): the first need not be the valid one.
    const browsers = new KnownBrowsers(KEY);
    const value = browsers.issue(ANNA);
    const forged = new KnownBrowsers(Buffer.alloc(32, 2)).issue(ANNA);
    expect(browsers.inHeader(`${KNOWN_BROWSER_COOKIE}=${forged}; ${KNOWN_BROWSER_COOKIE}=${value}`)).toBe(true);
    expect(browsers.inHeader(`${KNOWN_BROWSER_COOKIE}=; ${KNOWN_BROWSER_COOKIE}=${value}`)).toBe(true);
    expect(browsers.inHeader(`not_${KNOWN_BROWSER_COOKIE}=x; ${KNOWN_BROWSER_COOKIE}=${value}`)).toBe(true);
    expect(browsers.inHeader(`${KNOWN_BROWSER_COOKIE}=${forged}; ${KNOWN_BROWSER_COOKIE}=${forged}`)).toBe(false);
  });

  it('gives the login the valid cookie that names the member of staff signing in, among several', () => {
    const browsers = new KnownBrowsers(KEY);
    const bob = inspectorId('i-bob');
    const anna = browsers.issue(ANNA);
    const header = `${KNOWN_BROWSER_COOKIE}=${anna}; a=1; ${KNOWN_BROWSER_COOKIE}=${browsers.issue(bob)}`;
    expect(browsers.forStaff(header, bob)).toMatchObject({ staffId: bob });
    expect(browsers.forStaff(header, ANNA)).toMatchObject({ staffId: ANNA });
    expect(browsers.forStaff(header, inspectorId('i-carl'))).toBeNull();
    expect(browsers.forStaff(undefined, ANNA)).toBeNull();
  });
});
