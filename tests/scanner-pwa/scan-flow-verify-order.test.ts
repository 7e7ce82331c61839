// A signed code's signature is checked asynchronously on the phone (WebCrypto answers with
// a promise). While one code waits for its check, a second one must not be decided,
// recorded or shown ahead of it: the first verdict is the one the inspector sees, and the
// second code is read after it. The real app's state (manifest, scan log, session), on
// fake-indexeddb and offline; only the verifier is held back by the test.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateEventKey, signTicketCode, toPublicKeyEntry, type AsyncSignatureVerifier } from '@gatekeeper/shared/codec/index';
import type { DeviceId, InspectorId } from '@gatekeeper/shared/ids';
import { importedCodeHasher } from '@gatekeeper/shared/imported-code';
import { TICKET_COLUMNS, ticketToRow, type Manifest } from '@gatekeeper/shared/manifest';
import { App } from '../../scanner-pwa/src/lib/app.svelte.ts';
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
const TICKETS = [makeTicket({ id: 'T-A' as never, orderId: null }), makeTicket({ id: 'T-B' as never, orderId: null })];
const codeOf = (id: string) => signTicketCode({
  eventId: EVENT, ticketId: id, orderId: null, ticketType: 'Adult', validFrom: null, validUntil: null, issuedAt: Date.now(),
}, { keyId: 'k1', privateKey: key.privateKey });

const IMPORTED_CODE_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const manifest: Manifest = {
  event: makeEvent(), version: 1, delta: false, checkpoints: [makeCheckpoint()], publicKeys: [toPublicKeyEntry('k1', key.publicKey)],
  staff: [], devices: [], codeWord: null, importedCodeKey: IMPORTED_CODE_KEY, orders: [], columns: [...TICKET_COLUMNS],
  tickets: TICKETS.map((t) => ticketToRow(t, importedCodeHasher(IMPORTED_CODE_KEY))), revoked: [],
};

const api = {
  login: async () => ({ inspector: { id: 'i-1' as InspectorId, name: 'Ina', role: 'inspector' }, events: [] }),
  logout: async () => {},
  registerDevice: async (name: string) => ({ id: 'd-1' as DeviceId, name, secret: 'secret' }),
  manifest: async () => manifest,
} as unknown as Api;

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

/** The real verifier, except that the test decides when the first check answers. */
function heldFirstCheck(): { verify: AsyncSignatureVerifier; calls: () => number; release: () => void } {
  const real = new SignatureVerifier();
  let calls = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  return {
    verify: async (...args) => {
      if (calls++ === 0) await held;
      return real.verify(...args);
    },
    calls: () => calls,
    release,
  };
}

async function offlinePhone(verify: AsyncSignatureVerifier) {
  const db = new GatekeeperDb(`order-${Math.random()}`);
  dbs.push(db);
  const app = new App({
    api, store: new DexieStore(db), socket: new ScriptedSocket(), socketUrl: () => 'ws://nowhere/ws',
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

describe('scan flow with an asynchronous signature check', () => {
  it('a code arriving while the first one\'s signature is being checked does not overtake it', async () => {
    const check = heldFirstCheck();
    const { app, flow } = await offlinePhone(check.verify);
    const [a, b] = [codeOf('T-A'), codeOf('T-B')];

    const first = flow.handleText(a, 'wedge');
    await until(() => check.calls() === 1, 'the first code\'s signature check', UNIT_WAIT_MS);
    // B comes from the wedge and from the camera while A's check is pending.
    await flow.handleText(b, 'wedge');
    expect(flow.cameraCode(b)).toBe(false);
    expect(flow.view).toBeNull();
    expect(app.scans.ofTicket('T-B')).toHaveLength(0);
    expect(app.scans.ofTicket('T-A')).toHaveLength(0);
    expect(check.calls()).toBe(1);

    check.release();
    await first;
    expect(flow.view).toMatchObject({ kind: 'ticket', code: a, outcome: 'valid', offline: true });
    expect(flow.view?.ticket?.id).toBe('T-A');
    expect(app.scans.ofTicket('T-A').map((s) => s.outcome)).toEqual(['valid']);
    expect(app.scans.ofTicket('T-B')).toHaveLength(0);

    // A's verdict seen: B is read, and gets its own verdict, after A's.
    flow.dismiss();
    expect(flow.cameraCode(b)).toBe(true);
    await until(() => flow.view?.ticket?.id === 'T-B', 'B\'s verdict', UNIT_WAIT_MS);
    const [sa, sb] = [app.scans.ofTicket('T-A')[0]!, app.scans.ofTicket('T-B')[0]!];
    expect(sb.hlc > sa.hlc).toBe(true);
    flow.dismiss();
  });

  it('a forged code is refused only once its check answers, and the next code is then read as usual', async () => {
    const check = heldFirstCheck();
    const { app, flow } = await offlinePhone(check.verify);
    const genuine = codeOf('T-A');
    const forged = genuine.slice(0, -3) + (genuine.at(-3) === 'A' ? 'B' : 'A') + genuine.slice(-2);
    const first = flow.handleText(forged, 'wedge');
    await until(() => check.calls() === 1, 'the first code\'s signature check', UNIT_WAIT_MS);
    expect(flow.view).toBeNull();
    check.release();
    await first;
    expect(flow.view).toMatchObject({ kind: 'refusal', outcome: 'invalid_signature' });
    flow.dismiss();
    await flow.handleText(genuine, 'wedge');
    expect(flow.view).toMatchObject({ kind: 'ticket', outcome: 'valid' });
    expect(app.scans.ofTicket('T-A')).toHaveLength(1);
    flow.dismiss();
  });
});
