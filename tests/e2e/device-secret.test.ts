// A phone is its device secret: it keeps its device when the next inspector signs in on
// it, and a supervisor's revocation signs it out at once (issue 8, section 3).
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { eventually, login, serverScans, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

/** Generous: the machine running this may be busy; nothing here is a speed claim. */
const WAIT = WAIT_MS;

interface ListedDevice { id: string; inspectorId: string; revokedAt: number | null }
const devices = async (): Promise<ListedDevice[]> => (await env.w.supervisor.request('GET', '/api/devices')).json.devices;

async function logOut(phone: ScannerPage): Promise<void> {
  await phone.page.getByRole('button', { name: 'Menu' }).click();
  await phone.page.getByRole('button', { name: 'Log out' }).click();
  await phone.page.getByLabel('Username').waitFor({ timeout: WAIT });
}

async function scanValid(phone: ScannerPage): Promise<string> {
  const t = takeTicket(env.w);
  // Typed rather than wedged: a wedge burst is told from a person by its timing, which a
  // busy test machine can stretch.
  await phone.typeCode((await ticketCode(env.w, t.id)).code);
  await phone.expectVerdict('valid', { offline: false, timeout: WAIT });
  await phone.dismissVerdict();
  return t.id;
}

describe('a phone and its device secret', () => {
  test('the next inspector on the same phone scans online under the same device', async () => {
    const phone = await ScannerPage.open(await newScanner(env.browser), env.w.server.url);
    const first = login('inspector');
    await phone.login(first.username, first.password);
    await phone.choose('Main gate');
    await phone.waitOnline(WAIT);
    const before = await scanValid(phone);

    await logOut(phone);
    const next = login('inspector2');
    await phone.login(next.username, next.password);
    await phone.choose('Main gate');
    await phone.waitOnline(WAIT);
    const after = await scanValid(phone);

    const [a] = await eventually(() => serverScans(env.w, before), (s) => s.length === 1, WAIT);
    const [b] = await eventually(() => serverScans(env.w, after), (s) => s.length === 1, WAIT);
    expect(a!.inspectorId).toBe('i-inspector');
    expect(b!.inspectorId).toBe('i-inspector2');
    expect(b!.deviceId).toBe(a!.deviceId);
    expect((await devices()).find((d) => d.id === a!.deviceId)).toMatchObject({ inspectorId: 'i-inspector2', revokedAt: null });
    await phone.context.close();
  });

  test('a supervisor revokes the phone: it is signed out at once and shows the login screen', async () => {
    const known = new Set((await devices()).map((d) => d.id));
    const phone = await ScannerPage.open(await newScanner(env.browser), env.w.server.url);
    const who = login('inspector');
    await phone.signInAndChoose(who.username, who.password, 'Main gate');
    await phone.waitOnline(WAIT);
    const mine = (await devices()).filter((d) => !known.has(d.id));
    expect(mine).toHaveLength(1);

    expect((await env.w.supervisor.request('POST', `/api/devices/${mine[0]!.id}/revoke`)).status).toBe(200);
    await phone.page.getByLabel('Username').waitFor({ timeout: WAIT });
    await phone.page.getByText('A supervisor revoked this phone').waitFor({ timeout: WAIT });
    await phone.photograph('21-revoked');
    await phone.context.close();
  });
});
