// Wait for something a real server or the app does by itself: poll until `check` holds.
// Generous by default; a wait that fits only an idle machine is a broken test. Every test
// file polls with this one helper (integration, Node unit tests alike).
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * For unit tests (Vitest's unit project gives a test 30 s): long enough for a loaded
 * machine, short enough that this helper, not Vitest, says what was being waited for.
 */
export const UNIT_WAIT_MS = 20_000;
