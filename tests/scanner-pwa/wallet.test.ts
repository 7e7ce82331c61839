// The holder's wallet without a browser: what it shows from a kept copy, how it counts down
// by the server's clock (not the phone's), when it asks for the codes again, and what a
// refused link or a missing network does to what is on screen.
import { describe, expect, it } from 'vitest';
import type { WalletReply } from '@gatekeeper/shared/api/wallet';
import { countdown } from '../../scanner-pwa/src/wallet/countdown.ts';
import { DUE_RETRY_MS, Wallet, WalletLinkRefused, type SavedOrder, type WalletPorts } from '../../scanner-pwa/src/wallet/wallet.svelte.ts';

const TOKEN = 'a'.repeat(43);
const OPENS_AT = 1_000_000_000_000;

function reply(serverTime: number, open: boolean): WalletReply {
  return {
    event: { id: 'ev' as never, name: 'Ev', venue: null, startsAt: OPENS_AT + 3600_000, endsAt: null, timeZone: 'Europe/Amsterdam' },
    order: { id: 'O1' as never, buyerName: 'Bo' },
    opensAt: open ? null : OPENS_AT, codesOpen: open, serverTime,
    tickets: [{ id: 'T1' as never, type: 'Adult', seat: null, holderName: 'Bo', code: open ? 'GK1Tcode' : null }],
  };
}

/** A phone whose clock runs `skew` ms from the server's; the server opens the window at OPENS_AT. */
function phone(skew: number) {
  const server = { now: OPENS_AT - 120_000, offline: false, refuse: false, asked: 0 };
  let kept: SavedOrder | null = null;
  const ports: WalletPorts = {
    async fetchOrder() {
      server.asked++;
      if (server.offline) throw new TypeError('Failed to fetch');
      if (server.refuse) throw new WalletLinkRefused();
      return reply(server.now, server.now >= OPENS_AT);
    },
    load: () => kept,
    save: (o) => { kept = o; },
    now: () => server.now + skew,
    qr: async (text) => `<svg>${text}</svg>`,
  };
  return { server, ports, kept: () => kept };
}

describe('countdown', () => {
  it('reads as a holder says it', () => {
    expect([countdown(2 * 86_400_000 + 4 * 3600_000), countdown(3600_000 + 5 * 60_000), countdown(249_000), countdown(-5)]).toEqual(['2 d 4 h', '1 h 05 min', '4:09', '0:00']);
  });
});

describe('the wallet', () => {
  it('counts down by the server\u2019s clock on a phone an hour fast, and asks for the codes when they are due', async () => {
    const p = phone(3600_000);
    const w = new Wallet(p.ports);
    await w.open(TOKEN);
    w.tick();
    expect(w.untilCodes).toBe(120_000);
    expect(w.order?.tickets[0]?.code).toBeNull();
    p.server.now = OPENS_AT;
    w.tick();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(w.order?.codesOpen).toBe(true);
    expect(w.qr).toEqual({ T1: '<svg>GK1Tcode</svg>' });
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
    await new Promise((r) => setTimeout(r, 0));
    expect(p.server.asked).toBe(2);
    p.server.now += DUE_RETRY_MS;
    p.ports.fetchOrder = answer;
    w.tick();
    await new Promise((r) => setTimeout(r, 0));
    expect(w.order?.codesOpen).toBe(true);
  });

  it('opens the kept copy without a network, says so, and keeps the token for next time', async () => {
    const p = phone(0);
    p.server.now = OPENS_AT;
    await new Wallet(p.ports).open(TOKEN);
    p.server.offline = true;
    const w = new Wallet(p.ports);
    await w.open(null);
    expect([w.status, w.stale, w.order?.tickets[0]?.code]).toEqual(['ready', true, 'GK1Tcode']);
    expect(p.kept()?.token).toBe(TOKEN);
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
