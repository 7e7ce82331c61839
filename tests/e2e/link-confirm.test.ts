// A ticket link (/v/<code>) opened on a signed-in phone is not a scan: the phone asks,
// and only the inspector's tap checks the ticket. A link sent to an inspector (a chat
// message, a poster's QR code) must not record an admission by being opened.
import { beforeAll, describe, expect, test } from 'vitest';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { serverScans, takeTicket, ticketCode, signedInGate, worldForFile } from './fixtures.ts';

const env = worldForFile();
let gate: ScannerPage;

beforeAll(async () => {
  gate = await signedInGate(env);
});

describe('a /v/ link on a signed-in phone', () => {
  test('shows the verdict only after the confirming tap', async () => {
    const t = takeTicket(env.w);
    const { link } = await ticketCode(env.w, t.id);
    await gate.page.goto(link);
    const ask = gate.page.getByTestId('link-confirm');
    await ask.waitFor({ timeout: WAIT_MS });
    await gate.photograph('20-link-confirm');
    // Asked, not scanned: no verdict on screen, nothing at the server.
    expect(await gate.page.getByTestId('verdict').count()).toBe(0);
    expect(await serverScans(env.w, t.id)).toEqual([]);
    await ask.getByRole('button', { name: 'Check ticket' }).click();
    await gate.expectVerdict('valid', { timeout: WAIT_MS });
    expect((await serverScans(env.w, t.id)).map((s) => s.outcome)).toEqual(['valid']);
    await gate.dismissVerdict();
  });

  test('ignored, it records nothing', async () => {
    const t = takeTicket(env.w);
    const { link } = await ticketCode(env.w, t.id);
    await gate.page.goto(link);
    const ask = gate.page.getByTestId('link-confirm');
    await ask.waitFor({ timeout: WAIT_MS });
    await ask.getByRole('button', { name: 'Ignore' }).click();
    await ask.waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await gate.page.getByTestId('verdict').count()).toBe(0);
    expect(await serverScans(env.w, t.id)).toEqual([]);
    // The phone scans on as before.
    await gate.wedge((await ticketCode(env.w, t.id)).code);
    await gate.expectVerdict('valid', { offline: false, timeout: WAIT_MS });
    await gate.dismissVerdict();
  });
});
