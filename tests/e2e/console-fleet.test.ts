// The console's Device fleet (issue 10) in Chromium against a real server: a phone signed
// in at a gate appears online with its app version; a second phone appears and goes
// offline while the supervisor watches, without a reload, and is flagged silent; a third,
// whose clock runs behind, is flagged for its clock from what it reports in its pings; the
// supervisor revokes the first from the fleet, after confirming, and that phone shows the
// login screen.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import { FleetPage } from '../support/pages/fleet-page.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { DEMO_EVENT, eventually, login, signedInGate, worldForFile } from './fixtures.ts';

/** Short, so that the phone that left is flagged silent while the supervisor watches (the default is 5 minutes). */
const SILENT_MS = 2_000;
const env = worldForFile({ server: { fleetSilentMs: SILENT_MS } });
const APP_VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'scanner-pwa/package.json'), 'utf8')) as { version: string }).version;

/** How far the clock-off phone's clock runs behind the server's: more than one code step (20 s). */
const CLOCK_BEHIND_MS = 90_000;

/**
 * A phone whose clock runs `behindMs` behind the server's, signed in as `who` at
 * `checkpoint`. The app reads the device's clock through Date.now (the server clock's
 * device time, the pings' send and receive times), which is what is set back here.
 */
async function phoneWithClockBehind(behindMs: number, who: string, checkpoint: string): Promise<ScannerPage> {
  const context = await newScanner(env.browser);
  await context.addInitScript((behind) => {
    const deviceNow = Date.now.bind(Date);
    Date.now = () => deviceNow() - behind;
  }, behindMs);
  const gate = await ScannerPage.open(context, env.w.server.url);
  const l = login(who);
  await gate.signInAndChoose(l.username, l.password, checkpoint);
  return gate;
}

/** The newest phone `inspectorId` holds that is not revoked, as the server lists devices. */
async function phoneOf(inspectorId: string, known: Set<string>): Promise<string> {
  const list = await eventually(async () => (await env.w.supervisor.request('GET', '/api/devices')).json.devices as Array<{ id: string; inspectorId: string; revokedAt: number | null }>,
    (ds) => ds.some((d) => d.inspectorId === inspectorId && d.revokedAt === null && !known.has(d.id)));
  return list.filter((d) => d.inspectorId === inspectorId && d.revokedAt === null && !known.has(d.id)).at(-1)!.id;
}

describe('the console\u2019s Device fleet', () => {
  test('a gate\u2019s phone appears online with its app version; revoking it from the fleet logs that phone out', async () => {
    const known = new Set(((await env.w.supervisor.request('GET', '/api/devices')).json.devices as Array<{ id: string }>).map((d) => d.id));
    const gate = await signedInGate(env, 'inspector');
    await gate.waitOnline(WAIT_MS);
    const gateId = await phoneOf('i-inspector', known);

    const sup = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width: 1280, height: 800 } }), env.w.server.url,
      login('supervisor').username, login('supervisor').password);
    const fleet = await FleetPage.open(sup.page);
    expect(new URL(sup.page.url()).pathname).toBe('/console/fleet');
    await fleet.waitFor(gateId, { online: true });
    const row = (await fleet.rows()).find((r) => r.id === gateId)!;
    expect(row).toMatchObject({ online: true, silent: false, clockOff: false, revoked: false, version: APP_VERSION, seen: 'online' });
    expect(row.text).toContain('Ingrid Inspector');
    expect(row.text).toContain('Main gate');
    expect(row.text).toContain('0 waiting');

    // A second phone signs in at the rink while the supervisor watches: pushed, no reload.
    const known2 = new Set([...known, gateId]);
    const rink = await signedInGate(env, 'inspector2', 'Ice Rink');
    await rink.waitOnline(WAIT_MS);
    const rinkId = await phoneOf('i-inspector2', known2);
    await fleet.waitFor(rinkId, { online: true });

    // A phone whose clock runs behind by more than a code step signs in at the bar: it
    // measures the offset from its pings and reports it in the next ones; the fleet flags it.
    const known3 = new Set([...known2, rinkId]);
    const slow = await phoneWithClockBehind(CLOCK_BEHIND_MS, 'inspector2', 'Bar');
    const slowId = await phoneOf('i-inspector2', known3);
    await sup.page.locator(`[data-testid=console-fleet] tr[data-device-id="${slowId}"][data-online="true"][data-clock-off="true"]`).waitFor({ timeout: WAIT_MS });
    const skewed = (await fleet.rows()).find((r) => r.id === slowId)!;
    expect(skewed).toMatchObject({ online: true, silent: false, clockOff: true, seen: 'online' });
    // Server time minus the phone's: the phone is 90 s behind, so +90 s; and flagged in words, not colour alone.
    expect(await fleet.row(slowId).getByTestId('fleet-clock').innerText()).toMatch(/^\+90\u00a0s\s*CLOCK OFF$/);
    expect(skewed.text).toContain('Bar');
    // As the server lists it too, from the phone's report.
    const listed = (await env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/fleet`)).json.devices.find((d: { id: string }) => d.id === slowId);
    expect(listed).toMatchObject({ clockOff: true, silent: false });
    expect(Math.abs(listed.clockOffsetMs - CLOCK_BEHIND_MS)).toBeLessThan(5_000);
    // The phone itself warns its inspector of the same clock.
    expect(await slow.page.getByTestId('clock-offset').getAttribute('class')).toContain('warn');
    // The gate whose clock is right is not flagged for it.
    expect((await fleet.rows()).find((r) => r.id === gateId)!.clockOff).toBe(false);

    await rink.context.close();
    await fleet.waitFor(rinkId, { online: false });
    // Unheard for longer than the threshold: flagged on the console's own clock, nothing pushed.
    await sup.page.locator(`[data-testid=console-fleet] tr[data-device-id="${rinkId}"][data-silent="true"]`).waitFor({ timeout: WAIT_MS });
    const gone = (await fleet.rows()).find((r) => r.id === rinkId)!;
    expect(gone.seen).toMatch(/^last seen /);
    expect(gone.text).toContain('SILENT');
    expect(await fleet.section().getByTestId('fleet-summary').innerText()).toContain('2 flagged');
    expect((await fleet.rows()).map((r) => r.id).indexOf(gateId)).toBeLessThan((await fleet.rows()).map((r) => r.id).indexOf(rinkId));
    await sup.photograph('30-console-fleet');

    // Revoke needs a second tap: the first only asks.
    await fleet.row(gateId).getByRole('button', { name: /^Revoke/ }).click();
    const dialog = sup.page.getByTestId('revoke-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('signed out at once');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await env.w.supervisor.request('GET', `/api/events/${DEMO_EVENT}/fleet`)).json.devices.find((d: { id: string }) => d.id === gateId).revokedAt).toBeNull();

    await fleet.revoke(gateId);
    await gate.page.getByLabel('Username').waitFor({ timeout: WAIT_MS });
    await gate.page.getByText('A supervisor revoked this phone').waitFor({ timeout: WAIT_MS });
    await fleet.waitFor(gateId, { revoked: true, online: false });
    expect((await fleet.rows()).find((r) => r.id === gateId)!.text).toContain('REVOKED');
    await gate.context.close();
    await slow.context.close();
    await sup.page.context().close();
  });
});
