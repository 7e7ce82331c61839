// The holder's wallet with rotating device-bound codes, end to end in Chromium (issue 11):
// the wallet makes its key and binds it, its live code on screen goes through a scanner's
// fake camera and is admitted; the same code, its steps past, is refused as expired; and
// once the ticket has moved to another phone and the scanner has synced, the old phone's
// code is refused, offline too. One server, one browser; each phone its own context.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { decodeCode, shownCodeKey, stepAt } from '@gatekeeper/shared/codec/index';
import type { Ticket } from '@gatekeeper/shared/domain';
import type { EventId, OrderId } from '@gatekeeper/shared/ids';
import { nodeEd25519Verifier } from '../../sync-server/src/scans/ed25519-node.ts';
import { hashToken } from '../../sync-server/src/wallet/order-mails.ts';
import { launchBrowser, newScanner, scannerContextOptions } from '../support/browser.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { WalletPage } from '../support/pages/wallet-page.ts';
import { HttpSession } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';
import { writeQrVideo, type QrVideoSegment } from '../support/y4m.ts';

const EVENT = DEMO_EVENT as EventId;
const LEEWAY_MS = 60_000;
let server: TestServer;
let browser: Browser;
let dir: string;
let video: string;
/** The server's clock runs this far from the machine's: the expiry test moves it on. */
let offset = 0;
let link: string;
let ticket: Ticket;
const contexts: BrowserContext[] = [];

/** What the fake camera plays from its next start on; a camera already running keeps the file it opened. */
async function play(segments: QrVideoSegment[]): Promise<void> {
  const next = join(dir, `next-${randomBytes(4).toString('hex')}.y4m`);
  await writeQrVideo(next, segments, { noise: 6 });
  renameSync(next, video);
}

async function context(width = 390): Promise<BrowserContext> {
  const c = await browser.newContext(scannerContextOptions({ viewport: { width, height: 844 } }));
  contexts.push(c);
  return c;
}

async function scanner(): Promise<ScannerPage> {
  // The verdict stays until the test moves on: the camera must not read the held-up code again meanwhile.
  const c = await newScanner(browser, { autoReturnMs: 600_000 });
  contexts.push(c);
  const phone = await ScannerPage.open(c, server.url);
  const l = login('inspector');
  await phone.login(l.username, l.password);
  return phone;
}

/** The wallet's code for the ticket on screen now. */
async function shown(wallet: WalletPage): Promise<string> {
  return (await wallet.codes())[ticket.id]!;
}

beforeAll(async () => {
  // A minute of leeway: a camera that starts slowly on a loaded machine still reads the
  // code it was given as live (a late read would say when the code was made, which the unit
  // tests check); the expiry test moves the clock well past it.
  server = await startTestServer({ demoTickets: 40, rotatingLeewayMs: LEEWAY_MS }, undefined, () => Date.now() + offset);
  dir = mkdtempSync(join(tmpdir(), 'gk-wallet-rotating-'));
  video = join(dir, 'camera.y4m');
  await play([{ blank: 30 }]);
  browser = await launchBrowser({ video });
  const { tickets } = await server.storage.changesSince(EVENT, 0);
  ticket = tickets.find((t) => t.status === 'paid' && t.orderId && t.eTicket && !t.idCheck && t.kind === 'event' && t.validFrom === null && t.validUntil === null && t.holderName)!;
  const token = randomBytes(32).toString('base64url');
  await server.storage.saveOrderLink({ tokenHash: hashToken(token), eventId: EVENT, orderId: ticket.orderId as OrderId, createdAt: Date.now() });
  link = `${server.url}/wallet#${token}`;
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let walletA: WalletPage;
let inspector: ScannerPage;
let firstCode: string;

describe('a wallet\u2019s rotating code at the gate', () => {
  test('the wallet binds its own key and shows a live code; the scanner\u2019s camera reads it: VALID', async () => {
    walletA = await WalletPage.open(await context(), link);
    const code = await shown(walletA);
    const keys = (await server.storage.listEventKeys(EVENT)).map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, revoked: k.revoked }));
    expect(decodeCode(code, { eventId: EVENT, publicKeys: keys, now: Date.now(), verify: nodeEd25519Verifier() }))
      .toMatchObject({ ok: true, kind: 'rotating', ticketId: ticket.id, stepSeconds: 20 });

    inspector = await scanner();
    // The code on screen as the camera starts, so it is live when read.
    firstCode = await shown(walletA);
    await play([{ text: firstCode, frames: 60 }, { blank: 30 }]);
    await inspector.choose('Main gate');
    const v = await inspector.expectVerdict('valid', { offline: false, timeout: WAIT_MS });
    expect(v.word).toBe('VALID');
    expect(await inspector.page.getByTestId('holder-name').textContent()).toBe(ticket.holderName);
    expect((await server.storage.ticketScans(EVENT, ticket.id)).map((s) => s.outcome)).toEqual(['valid']);
    await play([{ blank: 30 }]);
  });

  test('the same code once its steps have passed: EXPIRED CODE, saying when it was made', async () => {
    // Five minutes on: fifteen steps of 20 s, well past the leeway. A scanner that starts now
    // learns the server's time at its first pings; the first one is kept offline meanwhile,
    // so that it never takes a sample of the moved clock.
    await inspector.setOffline(true);
    offset = 5 * 60_000;
    const late = await scanner();
    await late.choose('Main gate');
    await late.waitOnline();
    await late.page.locator('[data-testid=clock-offset].warn').waitFor({ timeout: WAIT_MS });
    await late.wedge(firstCode);
    const v = await late.expectVerdict('expired_code');
    expect(v.word).toBe('EXPIRED CODE');
    expect(v.text).toMatch(/was made at \d{1,2}:\d{2} and has expired.*open the live ticket/);
    expect((await server.storage.ticketScans(EVENT, ticket.id)).filter((s) => s.outcome === 'valid')).toHaveLength(1);
    await late.context.close();
    offset = 0;
    await inspector.setOffline(false);
  });

  test('moved to another phone: once the scanner has synced, the old phone\u2019s code is refused, offline too', async () => {
    await inspector.waitOnline();
    const walletB = await WalletPage.open(await context(), link);
    const moved = await shown(walletB);
    expect(shownCodeKey(moved)).not.toBe(shownCodeKey(firstCode));
    // The scanner is told (ticketsChanged) and fetches the change with the revoked certificate.
    const revokedOnPhone = () => inspector.page.evaluate(async (eventId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => { const r = indexedDB.open('gatekeeper'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      try {
        const header = await new Promise<{ revokedCertificates?: string[] } | undefined>((resolve, reject) => {
          const r = db.transaction('manifests').objectStore('manifests').get(eventId);
          r.onsuccess = () => resolve(r.result as never); r.onerror = () => reject(r.error);
        });
        return header?.revokedCertificates?.length ?? 0;
      } finally { db.close(); }
    }, EVENT);
    await until(async () => (await revokedOnPhone()) > 0, 'the scanner holds the revocation', WAIT_MS);
    await inspector.setOffline(true);
    await inspector.waitLink('offline');
    // The old phone still shows a fresh code of its own: it has not heard, and does not need to.
    await until(async () => (await shown(walletA)) !== firstCode, 'the old phone\u2019s next step', WAIT_MS);
    const old = await shown(walletA);
    expect(shownCodeKey(old)).toBe(shownCodeKey(firstCode));
    await inspector.wedge(old);
    const v = await inspector.expectVerdict('invalid_signature');
    expect(v.text).toMatch(/moved from the phone that shows it/);
    // The new phone's code admits nobody twice: the ticket went in once already.
    await inspector.wedge(await shown(walletB));
    await inspector.expectVerdict('already_used');
  });

  test('"verified device only" switched on: the scanner is told, and refuses a static code offline and online alike, sending the holder to the wallet', async () => {
    await inspector.dismissVerdict();
    await inspector.setOffline(false);
    await inspector.waitOnline();
    const admin = await HttpSession.login(server.url, 'admin', login('admin').password);
    const other = (await server.storage.changesSince(EVENT, 0)).tickets.find((t) => t.status === 'paid' && t.id !== ticket.id && t.orderId !== ticket.orderId && !t.idCheck && t.validFrom === null && t.validUntil === null)!;
    const paper = (await admin.request('GET', `/api/events/${EVENT}/tickets/${other.id}/code`)).json.code as string;
    const measures = (await admin.request('GET', `/api/events/${EVENT}/measures`)).json;
    expect((await admin.request('PUT', `/api/events/${EVENT}/measures`, { ...measures, verifiedDevice: true })).status).toBe(200);
    // Told on its socket, the scanner fetches the manifest that carries the measure.
    const demanded = () => inspector.page.evaluate(async (eventId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => { const r = indexedDB.open('gatekeeper'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      try {
        const header = await new Promise<{ verifiedDeviceOnly?: boolean } | undefined>((resolve, reject) => {
          const r = db.transaction('manifests').objectStore('manifests').get(eventId);
          r.onsuccess = () => resolve(r.result as never); r.onerror = () => reject(r.error);
        });
        return header?.verifiedDeviceOnly === true;
      } finally { db.close(); }
    }, EVENT);
    await until(demanded, 'the scanner holds the measure', WAIT_MS);
    await inspector.setOffline(true);
    await inspector.waitLink('offline');
    await inspector.wedge(paper);
    const offline = await inspector.expectVerdict('expired_code', { offline: true });
    expect(offline.text).toMatch(/Send the holder to the wallet/);
    await inspector.page.screenshot({ path: join(process.cwd(), 'docs/screenshots/46-scanner-verified-device.png') });
    await inspector.dismissVerdict();
    await inspector.setOffline(false);
    await inspector.waitOnline();
    await inspector.wedge(paper);
    const online = await inspector.expectVerdict('expired_code', { offline: false });
    expect(online.text).toMatch(/Send the holder to the wallet/);
    // The offline refusal uploaded too: both are on the server as refusals, none admitted.
    await until(async () => (await server.storage.ticketScans(EVENT, other.id)).length === 2, 'both scans on the server', WAIT_MS);
    expect((await server.storage.ticketScans(EVENT, other.id)).map((s) => s.outcome)).toEqual(['expired_code', 'expired_code']);
  });
});
