// The holder's wallet without a browser: what it shows from a kept copy, how it counts down
// by the server's clock (not the phone's), when it asks for the codes again, when it makes
// its key and binds it, the rotating code it signs each step (offline too), and what a
// refused link, a refused bind or a missing network does to what is on screen.
import { describe, expect, it } from 'vitest';
import type { BindDeviceReply } from '@gatekeeper/shared/api/certificates';
import type { WalletReply } from '@gatekeeper/shared/api/wallet';
import {
  certificateIdText, decodeCode, fromBase64Url, generateEventKey, signCertificate, stepAt, toBase64Url, toPublicKeyEntry, verifyBytes,
} from '@gatekeeper/shared/codec/index';
import { signBytes } from '@gatekeeper/shared/codec/keys';
import type { EventId } from '@gatekeeper/shared/ids';
import { countdown } from '../../scanner-pwa/src/wallet/countdown.ts';
import type { DeviceKey } from '../../scanner-pwa/src/wallet/rotating-codes.ts';
import { BindRefused, DUE_RETRY_MS, Wallet, WalletLinkRefused, type SavedOrder, type WalletPorts } from '../../scanner-pwa/src/wallet/wallet.svelte.ts';

const TOKEN = 'a'.repeat(43);
const OPENS_AT = 1_000_000_020_000;
const EVENT = 'ev' as EventId;
const eventKey = generateEventKey('k1');

function reply(serverTime: number, open: boolean, certificateId?: string | null): WalletReply {
  return {
    event: { id: EVENT, name: 'Ev', venue: null, startsAt: OPENS_AT + 3600_000, endsAt: null, timeZone: 'Europe/Amsterdam' },
    order: { id: 'O1' as never, buyerName: 'Bo' },
    opensAt: open ? null : OPENS_AT, codesOpen: open, serverTime,
    tickets: [{ id: 'T1' as never, type: 'Adult', seat: null, holderName: 'Bo', ...(certificateId === undefined ? {} : { certificateId }) }],
  };
}

/**
 * A phone whose clock runs `skew` ms from the server's; the server opens the window at
 * OPENS_AT and certifies keys as the real one does. The phone's key store outlives a Wallet
 * (a reload), as IndexedDB does.
 */
function phone(skew: number) {
  // inForce: the ticket's certificate in force as GET /api/wallet says it (undefined: a server that does not say).
  const server = { now: OPENS_AT - 120_000, offline: false, refuse: false, refuseBind: '', asked: 0, bound: [] as string[], inForce: undefined as string | null | undefined };
  let kept: SavedOrder | null = null;
  let key: { publicKey: Uint8Array; privateKey: Uint8Array } | null = null;
  const keysMade = { count: 0 };
  const deviceKey = (k: NonNullable<typeof key>): DeviceKey => ({ publicKey: toBase64Url(k.publicKey), sign: async (m) => signBytes(m, k.privateKey) });
  const ports: WalletPorts = {
    async fetchOrder() {
      server.asked++;
      if (server.offline) throw new TypeError('Failed to fetch');
      if (server.refuse) throw new WalletLinkRefused();
      return reply(server.now, server.now >= OPENS_AT, server.inForce);
    },
    async bindDevice(_token, publicKey): Promise<BindDeviceReply> {
      if (server.offline) throw new TypeError('Failed to fetch');
      if (server.refuseBind) throw new BindRefused(server.refuseBind);
      server.bound.push(publicKey);
      const id = new Uint8Array(8).fill(server.bound.length);
      if (server.inForce !== undefined) server.inForce = certificateIdText(id);
      const certificate = signCertificate({
        eventId: EVENT, ticketId: 'T1', certificateId: id, devicePublicKey: fromBase64Url(publicKey)!, stepSeconds: 20, issuedAt: server.now,
      }, { keyId: 'k1', privateKey: eventKey.privateKey });
      return { certificates: [{ ticketId: 'T1' as never, certificate: toBase64Url(certificate), certificateId: certificateIdText(id), stepSeconds: 20, issuedAt: server.now }], serverTime: server.now };
    },
    async deviceKey(create) {
      if (!key && create) { key = generateEventKey(); keysMade.count++; }
      return key ? deviceKey(key) : null;
    },
    load: () => kept,
    save: (o) => { kept = o; },
    now: () => server.now + skew,
    qr: async (text) => `<svg>${text}</svg>`,
  };
  return { server, ports, kept: () => kept, keysMade };
}

/** How a scanner judges the code at the server's time. */
const atGate = (code: string, now: number) => decodeCode(code, {
  eventId: EVENT, publicKeys: [toPublicKeyEntry('k1', eventKey.publicKey)], now, verify: verifyBytes,
});

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('countdown', () => {
  it('reads as a holder says it', () => {
    expect([countdown(2 * 86_400_000 + 4 * 3600_000), countdown(3600_000 + 5 * 60_000), countdown(249_000), countdown(-5)]).toEqual(['2 d 4 h', '1 h 05 min', '4:09', '0:00']);
  });
});

describe('the wallet', () => {
  it('counts down by the server\u2019s clock on a phone an hour fast; makes its key and binds only once the codes are due', async () => {
    const p = phone(3600_000);
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    w.tick();
    expect(w.untilCodes).toBe(120_000);
    expect([w.codes, p.keysMade.count, p.server.bound]).toEqual([{}, 0, []]);
    p.server.now = OPENS_AT;
    w.tick();
    await settle();
    expect(w.order?.codesOpen).toBe(true);
    expect(p.keysMade.count).toBe(1);
    const shown = w.codes.T1!;
    expect(shown.svg).toBe(`<svg>${shown.text}</svg>`);
    // The step of the server's time, not the phone's hour-fast clock.
    expect(shown.step).toBe(stepAt(OPENS_AT, 20));
    expect(atGate(shown.text, OPENS_AT)).toMatchObject({ ok: true, kind: 'rotating', ticketId: 'T1' });
  });

  it('shows a new code each step, signed by the same key, and the old one expires at the gate', async () => {
    const p = phone(0);
    p.server.now = OPENS_AT;
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    const first = w.codes.T1!;
    p.server.now += 20_000;
    w.tick();
    await settle();
    const second = w.codes.T1!;
    expect(second.step).toBe(first.step + 1);
    expect(second.text).not.toBe(first.text);
    expect(p.server.bound).toHaveLength(1);
    expect(atGate(second.text, p.server.now)).toMatchObject({ ok: true });
    expect(atGate(first.text, p.server.now + 40_000)).toMatchObject({ ok: false, outcome: 'expired_code', problem: { kind: 'expired_step' } });
  });

  it('asks again at most every DUE_RETRY_MS while the server has not opened the window yet', async () => {
    const p = phone(0);
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    // The phone thinks the window is open; the server (a second behind) does not.
    p.server.now = OPENS_AT + 1000;
    const answer = p.ports.fetchOrder;
    p.ports.fetchOrder = async () => { p.server.asked++; return reply(OPENS_AT - 1000, false); };
    w.tick(); w.tick(); w.tick();
    await settle();
    expect(p.server.asked).toBe(2);
    p.server.now += DUE_RETRY_MS;
    p.ports.fetchOrder = answer;
    w.tick();
    await settle();
    expect(w.order?.codesOpen).toBe(true);
  });

  it('opens the kept copy without a network, says so, and still makes the live code with the kept certificate', async () => {
    const p = phone(0);
    p.server.now = OPENS_AT;
    await new Wallet(p.ports).open(TOKEN);
    p.server.offline = true;
    p.server.now += 5 * 60_000;
    const w = new Wallet(p.ports);
    await w.open(null);
    expect([w.status, w.stale]).toEqual(['ready', true]);
    expect(w.codes.T1!.step).toBe(stepAt(p.server.now, 20));
    expect(atGate(w.codes.T1!.text, p.server.now)).toMatchObject({ ok: true });
    expect([p.kept()?.token, p.server.bound.length]).toEqual([TOKEN, 1]);
  });

  it('a bind the server refuses shows why and no code; asked again later, it binds', async () => {
    const p = phone(0);
    p.server.now = OPENS_AT;
    p.server.refuseBind = 'verify your phone number first';
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    expect([w.status, w.codes, w.trouble]).toEqual(['ready', {}, { kind: 'refused', message: 'verify your phone number first' }]);
    p.server.refuseBind = '';
    await w.refresh();
    expect([w.trouble, Object.keys(w.codes)]).toEqual([null, ['T1']]);
  });

  it('an answer that did not come (no network, a server error) is asked for again every DUE_RETRY_MS, not only once the codes are due', async () => {
    const p = phone(0);
    p.server.now = OPENS_AT - 2 * 3600_000;
    await new Wallet(p.ports).open(TOKEN);
    // Opened again an hour before the window, and the server does not answer: the kept copy counts down.
    p.server.now = OPENS_AT - 3600_000;
    const answer = p.ports.fetchOrder;
    p.ports.fetchOrder = async () => { p.server.asked++; throw new Error('the server answered 503'); };
    const w = new Wallet(p.ports);
    await w.open(null);
    expect([w.stale, w.untilCodes]).toEqual([true, 3600_000]);
    const asked = p.server.asked;
    w.tick(); w.tick();
    await settle();
    expect(p.server.asked).toBe(asked);
    p.server.now += DUE_RETRY_MS;
    w.tick();
    await settle();
    expect(p.server.asked).toBe(asked + 1);
    p.ports.fetchOrder = answer;
    p.server.now += DUE_RETRY_MS;
    w.tick();
    await settle();
    expect([w.stale, w.order?.serverTime]).toEqual([false, p.server.now]);
  });

  it('a bind that failed for want of a network is tried again every DUE_RETRY_MS; one the server refused is not', async () => {
    const p = phone(0);
    p.server.now = OPENS_AT;
    const bind = p.ports.bindDevice;
    p.ports.bindDevice = async () => { throw new TypeError('Failed to fetch'); };
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    expect([w.trouble, w.codes]).toEqual([{ kind: 'offline' }, {}]);
    p.ports.bindDevice = bind;
    p.server.now += DUE_RETRY_MS;
    w.tick();
    await settle();
    expect([w.trouble, Object.keys(w.codes)]).toEqual([null, ['T1']]);

    const q = phone(0);
    q.server.now = OPENS_AT;
    q.server.refuseBind = 'verify your phone number first';
    const refused = new Wallet(q.ports);
    await refused.open(TOKEN);
    const asked = q.server.asked;
    q.server.now += DUE_RETRY_MS;
    refused.tick();
    await settle();
    expect(q.server.asked).toBe(asked);
  });

  it('a refused link shows no tickets; no link at all asks for the mail', async () => {
    const p = phone(0);
    await new Wallet(p.ports).open(TOKEN);
    p.server.refuse = true;
    const w = new Wallet(p.ports);
    await w.open(null);
    expect([w.status, w.order]).toEqual(['bad-link', null]);
    const fresh = new Wallet(phone(0).ports);
    await fresh.open(null);
    expect(fresh.status).toBe('no-link');
  });
});

describe('a ticket moved off this phone', () => {
  async function boundPhone() {
    const p = phone(0);
    p.server.now = OPENS_AT;
    p.server.inForce = null;
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    await settle();
    expect(Object.keys(w.codes)).toEqual(['T1']);
    expect(w.moved).toEqual({});
    return { p, w };
  }

  it('to another phone: this one shows that instead of a code, offline after a reload too, and takes it back only when asked', async () => {
    const { p, w } = await boundPhone();
    p.server.inForce = 'other-phone';
    await w.refresh();
    expect(w.codes).toEqual({});
    expect(w.moved).toEqual({ T1: 'moved' });
    p.server.offline = true;
    const reopened = new Wallet(p.ports);
    await reopened.open(null);
    expect([reopened.moved, reopened.codes, reopened.stale]).toEqual([{ T1: 'moved' }, {}, true]);
    // Asked: bound again here (the server revokes the other phone's), and the code is back.
    p.server.offline = false;
    await reopened.rebind();
    expect(p.server.bound).toHaveLength(2);
    expect(reopened.moved).toEqual({});
    expect(atGate(reopened.codes.T1!.text, OPENS_AT)).toMatchObject({ ok: true, kind: 'rotating', ticketId: 'T1' });
  });

  it('withdrawn (the box office, or a step switched on) without another phone: says so', async () => {
    const { p, w } = await boundPhone();
    p.server.inForce = null;
    await w.refresh();
    expect([w.moved, w.codes]).toEqual([{ T1: 'withdrawn' }, {}]);
    // A refresh alone never takes it back.
    await w.refresh();
    expect(p.server.bound).toHaveLength(1);
  });
});
