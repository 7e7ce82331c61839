// A rotating wallet code (kind R) through the scanner's own decision path: decoded with the
// phone's verifier, judged by the step against the phone's server clock, and admitted by
// ticket like a signed ticket code. The real app's state on fake-indexeddb, offline.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  certificateIdText, generateEventKey, signCertificate, signOrderCode, signRotatingCode, signTicketCode, stepAt, toPublicKeyEntry,
  type AsyncSignatureVerifier,
} from '@gatekeeper/shared/codec/index';
import type { DeviceId, InspectorId } from '@gatekeeper/shared/ids';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import { TICKET_COLUMNS, ticketToRow, type Manifest } from '@gatekeeper/shared/manifest';
import { App } from '../../scanner-pwa/src/lib/app.svelte.ts';
import { I18n } from '../../scanner-pwa/src/lib/i18n/i18n.svelte.ts';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import type { Api } from '../../scanner-pwa/src/lib/ports.ts';
import { Admitter } from '../../scanner-pwa/src/lib/scan/admitter.ts';
import { ScanFlow } from '../../scanner-pwa/src/lib/scan/scan-flow.svelte.ts';
import { SignatureVerifier } from '../../scanner-pwa/src/lib/scan/signature-verifier.ts';
import { EVENT, MAIN_GATE, makeCheckpoint, makeEvent, makeTicket } from '../support/factories.ts';
import { ScriptedSocket } from '../support/scripted-socket.ts';
import { UNIT_WAIT_MS, until } from '../support/until.ts';

const key = generateEventKey('k1');
const holder = generateEventKey();
const TICKETS = [makeTicket({ id: 'T-A' as never, orderId: null })];
const REVOKED_ID = Uint8Array.of(7, 7, 7, 7, 7, 7, 7, 7);
const certificateOf = (ticketId: string, id: Uint8Array = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)) => signCertificate({
  eventId: EVENT, ticketId, certificateId: id, devicePublicKey: holder.publicKey, stepSeconds: 20, issuedAt: Date.now(),
}, { keyId: 'k1', privateKey: key.privateKey });
const rotatingCode = (ticketId: string, at = Date.now(), id?: Uint8Array) => signRotatingCode(certificateOf(ticketId, id), stepAt(at, 20), holder.privateKey);

const IMPORTED_CODE_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const manifest: Manifest = {
  event: makeEvent(), version: 1, delta: false, checkpoints: [makeCheckpoint()], publicKeys: [toPublicKeyEntry('k1', key.publicKey)],
  staff: [], devices: [], codeWord: null, importedCodeKey: IMPORTED_CODE_KEY, orders: [], columns: [...TICKET_COLUMNS],
  tickets: TICKETS.map((t) => ticketToRow(t, importedCodeHasher(IMPORTED_CODE_KEY))), revoked: [],
  revokedCertificates: [certificateIdText(REVOKED_ID)],
};

const apiServing = (m: Manifest) => ({
  login: async () => ({ inspector: { id: 'i-1' as InspectorId, name: 'Ina', role: 'inspector' }, events: [] }),
  logout: async () => {},
  registerDevice: async (name: string) => ({ id: 'd-1' as DeviceId, name, secret: 'secret' }),
  manifest: async () => m,
}) as unknown as Api;

const dbs: GatekeeperDb[] = [];
const apps: App[] = [];
beforeEach(() => {
  // Node has no frames: "the next frame" is the next task.
  vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => setTimeout(() => f(performance.now()), 0));
});
afterEach(async () => {
  vi.unstubAllGlobals();
  for (const app of apps.splice(0)) { app.sync.stop(); await app.scans.settled(); }
  for (const db of dbs.splice(0)) await db.delete();
});

async function offlinePhone(verify: AsyncSignatureVerifier = new SignatureVerifier().verify, served: Manifest = manifest) {
  const db = new GatekeeperDb(`rotating-${Math.random()}`);
  dbs.push(db);
  const app = new App({
    api: apiServing(served), store: new DexieStore(db), socket: new ScriptedSocket(), socketUrl: () => 'ws://nowhere/ws',
    camera: () => { throw new Error('no camera in this test'); },
    feedback: { signal: () => {}, unlock: () => {} } as never, lang: 'en',
  }, 0);
  apps.push(app);
  await app.session.login('ina', 'pw');
  const chosen = await app.choose({ eventId: EVENT, checkpointId: MAIN_GATE, direction: 'entry' });
  expect({ chosen, error: app.event.error, notice: app.notice }).toEqual({ chosen: true, error: null, notice: null });
  const flow = new ScanFlow({
    event: app.event, scans: app.scans, session: app.session, undo: app.undo, clock: app.clock, feedback: app.feedback,
    admitter: new Admitter({ sync: app.sync, scans: app.scans, clock: app.clock, budgetMs: () => 1500 }),
    verify, autoReturnMs: () => 60_000,
  });
  return { app, flow };
}

describe('a rotating code at the gate', () => {
  it('made now, it admits its ticket; shown again, the ticket is already used', async () => {
    const { app, flow } = await offlinePhone();
    const code = rotatingCode('T-A');
    await flow.handleText(code, 'wedge');
    expect(flow.view).toMatchObject({ kind: 'ticket', code, outcome: 'valid', offline: true });
    expect(flow.view?.ticket?.id).toBe('T-A');
    flow.dismiss();
    await flow.handleText(rotatingCode('T-A'), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'ticket', outcome: 'already_used' });
    expect(app.scans.ofTicket('T-A').map((s) => s.outcome)).toEqual(['valid', 'already_used']);
    flow.dismiss();
  });

  it('held up across a step change, the next step\'s code is the same holder: the verdict stays, nothing is scanned again', async () => {
    const { app, flow } = await offlinePhone();
    const now = Date.now();
    const cert = certificateOf('T-A');
    const [thisStep, nextStep] = [signRotatingCode(cert, stepAt(now, 20), holder.privateKey), signRotatingCode(cert, stepAt(now, 20) + 1, holder.privateKey)];
    expect(flow.cameraCode(thisStep)).toBe(true);
    await until(() => flow.view?.outcome === 'valid', 'the first verdict', UNIT_WAIT_MS);
    // What cameraCode hands on once the gate takes it; awaited here, so the test sees where it ends.
    await flow.handleText(nextStep, 'camera');
    expect(flow.view).toMatchObject({ outcome: 'valid', code: thisStep });
    expect(app.scans.ofTicket('T-A').map((s) => s.outcome)).toEqual(['valid']);
    flow.dismiss();
  });

  it('a screenshot two steps old is expired_code, with when it was made; nothing is admitted', async () => {
    const { app, flow } = await offlinePhone();
    const made = Date.now() - 45_000;
    await flow.handleText(rotatingCode('T-A', made), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'refusal', outcome: 'expired_code' });
    expect(flow.view?.reason).toEqual({ kind: 'code', problem: { kind: 'expired_step', madeAt: stepAt(made, 20) * 20_000 } });
    expect(app.scans.ofTicket('T-A')).toHaveLength(0);
    flow.dismiss();
  });

  it('made before the previous step but within the leeway: admitted, and the verdict says when it was made (en/nl)', async () => {
    const { flow } = await offlinePhone(undefined, { ...manifest, rotatingLeewayMs: 10 * 60_000 });
    const made = Date.now() - 5 * 60_000;
    await flow.handleText(rotatingCode('T-A', made), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'ticket', outcome: 'valid', codeMadeAt: stepAt(made, 20) * 20_000 });
    flow.dismiss();
    const at = { time: '19:30', date: '3 Dec 2026' };
    expect(new I18n('en').t('codeMadeAt', at)).toBe('This code was made at 19:30 (3 Dec 2026): the holder\u2019s phone has been offline since. Accepted within the allowed time.');
    expect(new I18n('nl').t('codeMadeAt', at)).toMatch(/^Deze code is gemaakt om 19:30 \(3 Dec 2026\)/);
  });

  it('a live code says nothing of when it was made', async () => {
    const { flow } = await offlinePhone(undefined, { ...manifest, rotatingLeewayMs: 10 * 60_000 });
    await flow.handleText(rotatingCode('T-A'), 'wedge');
    expect(flow.view).toMatchObject({ outcome: 'valid', codeMadeAt: null });
    flow.dismiss();
  });

  it('under a certificate the manifest lists as revoked, it is refused', async () => {
    const { flow } = await offlinePhone();
    await flow.handleText(rotatingCode('T-A', Date.now(), REVOKED_ID), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'refusal', outcome: 'invalid_signature', reason: { problem: { kind: 'revoked_certificate' } } });
    flow.dismiss();
  });

  it('for a ticket this phone does not hold, it is unknown: a certificate says nothing of type or window', async () => {
    const { flow } = await offlinePhone();
    await flow.handleText(rotatingCode('T-ZZZ'), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'refusal', outcome: 'unknown' });
    flow.dismiss();
  });
});

describe('"verified device only" on this phone, offline: the same rule the server runs', () => {
  const demanding: Manifest = {
    ...manifest, verifiedDeviceOnly: true,
    orders: [{ id: 'O-B' as never, eventId: EVENT, buyerName: 'Bo' }],
    tickets: [...TICKETS, makeTicket({ id: 'T-B' as never, orderId: 'O-B' as never })].map((t) => ticketToRow(t, importedCodeHasher(IMPORTED_CODE_KEY))),
  };
  const signing = { keyId: 'k1', privateKey: key.privateKey };

  it('refuses a signed ticket code and a typed ticket id with the wallet hint, records the refusal, and admits the live rotating code', async () => {
    const { app, flow } = await offlinePhone(undefined, demanding);
    const paper = signTicketCode({
      eventId: EVENT, ticketId: 'T-A', orderId: null, ticketType: 'Adult', validFrom: null, validUntil: null, issuedAt: Date.now(),
    }, signing);
    await flow.handleText(paper, 'wedge');
    expect(flow.view).toMatchObject({ kind: 'ticket', outcome: 'expired_code', offline: true, reason: { kind: 'verified_device' } });
    flow.dismiss();
    await flow.handleText('T-A', 'manual');
    expect(flow.view).toMatchObject({ outcome: 'expired_code', reason: { kind: 'verified_device' } });
    flow.dismiss();
    await flow.handleText(rotatingCode('T-A'), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'ticket', outcome: 'valid' });
    flow.dismiss();
    expect(app.scans.ofTicket('T-A').map((s) => s.outcome)).toEqual(['expired_code', 'expired_code', 'valid']);
    // Worded for the inspector, in both languages, with what to do.
    expect(new I18n('en').reason({ kind: 'verified_device' }, { timeZone: 'UTC', checkpointName: () => undefined } as never)).toMatch(/Send the holder to the wallet/);
    expect(new I18n('nl').reason({ kind: 'verified_device' }, { timeZone: 'UTC', checkpointName: () => undefined } as never)).toMatch(/Stuur de houder naar de wallet/);
  });

  it('refuses an order code at once, with the same reason, admitting none of its tickets', async () => {
    const { app, flow } = await offlinePhone(undefined, demanding);
    await flow.handleText(signOrderCode({ eventId: EVENT, orderId: 'O-B', issuedAt: Date.now() }, signing), 'wedge');
    expect(flow.view).toMatchObject({ kind: 'refusal', outcome: 'expired_code', reason: { kind: 'verified_device' } });
    expect(app.scans.ofTicket('T-B')).toEqual([]);
    flow.dismiss();
  });

  it('off (or from a server before it), every code admits as before', async () => {
    const { flow } = await offlinePhone(undefined, { ...demanding, verifiedDeviceOnly: undefined });
    await flow.handleText('T-A', 'manual');
    expect(flow.view).toMatchObject({ outcome: 'valid' });
    flow.dismiss();
  });
});
