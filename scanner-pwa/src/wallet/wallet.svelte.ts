// The holder's wallet: one order, opened with the token from its mail, kept on the phone so
// it opens without a network, and asked for again when its codes are due. The server
// decides when codes leave it (just-in-time access); the wallet only counts down to that
// moment by the server's clock, never the phone's, and then asks.
import type { WalletReply } from '@gatekeeper/shared/api/wallet';

/** What the phone keeps: the token to ask again with, the last answer, and the server's clock offset then. */
export interface SavedOrder { token: string; reply: WalletReply; offsetMs: number }

export interface WalletPorts {
  /** The order of a token; throws WalletLinkRefused when the server does not know it. */
  fetchOrder(token: string): Promise<WalletReply>;
  load(): SavedOrder | null;
  save(order: SavedOrder): void;
  now(): number;
  /** A QR code of the text, as SVG markup. */
  qr(text: string): Promise<string>;
}

export class WalletLinkRefused extends Error {}

/** How often the wallet asks again once its code is due and has not come (a phone's clock, a slow network). */
export const DUE_RETRY_MS = 15_000;

export type WalletStatus = 'loading' | 'ready' | 'no-link' | 'bad-link' | 'offline-first' | 'error';

export class Wallet {
  #order = $state.raw<SavedOrder | null>(null);
  #status = $state<WalletStatus>('loading');
  #error = $state('');
  /** The last fetch failed for want of a network: what is shown is the kept copy. */
  #stale = $state(false);
  #now = $state(0);
  #qr = $state.raw<Record<string, string>>({});
  #fetching = false;
  readonly #ports: WalletPorts;

  constructor(ports: WalletPorts) {
    this.#ports = ports;
    this.#now = ports.now();
  }

  get order() { return this.#order?.reply ?? null; }
  /** The token the order was opened with (for the verification steps). */
  get token() { return this.#order?.token ?? null; }
  get status() { return this.#status; }
  get error() { return this.#error; }
  get stale() { return this.#stale; }
  /** QR codes by ticket id, once the codes are here. */
  get qr() { return this.#qr; }
  /** The server's time now, as far as the phone can tell. */
  get serverNow(): number { return this.#now + (this.#order?.offsetMs ?? 0); }
  /** Milliseconds until the codes are due; null when they are here, or when no time is known. */
  get untilCodes(): number | null {
    const r = this.order;
    if (!r || r.codesOpen || r.opensAt === null) return null;
    return r.opensAt - this.serverNow;
  }

  /** Open the wallet: with a token from a mail's link, or the one kept from before. */
  async open(token: string | null): Promise<void> {
    const kept = this.#ports.load();
    if (kept && (token === null || kept.token === token)) await this.#show(kept);
    const use = token ?? kept?.token ?? null;
    if (use === null) { this.#status = 'no-link'; return; }
    await this.refresh(use);
  }

  /** Ask the server again (with the kept token by default). */
  async refresh(token = this.#order?.token): Promise<void> {
    if (!token || this.#fetching) return;
    this.#fetching = true;
    try {
      const before = this.#ports.now();
      const reply = await this.#ports.fetchOrder(token);
      // The server's clock at the middle of the round trip: good to a few hundred ms, plenty for a countdown.
      const offsetMs = reply.serverTime - Math.round((before + this.#ports.now()) / 2);
      const order = { token, reply, offsetMs };
      this.#ports.save(order);
      this.#stale = false;
      await this.#show(order);
    } catch (e) {
      const mine = this.#order?.token === token;
      if (e instanceof WalletLinkRefused) { this.#status = 'bad-link'; this.#order = mine ? null : this.#order; return; }
      if (mine) { this.#stale = true; return; }
      if (e instanceof TypeError) { this.#status = 'offline-first'; return; }
      this.#error = e instanceof Error ? e.message : String(e);
      this.#status = 'error';
    } finally {
      this.#fetching = false;
    }
  }

  /** The clock's tick (each second): the countdown moves, and a code that is due is asked for. */
  tick(): void {
    this.#now = this.#ports.now();
    const left = this.untilCodes;
    if (left !== null && left <= 0 && this.#now - this.#lastDueAsk >= DUE_RETRY_MS) {
      this.#lastDueAsk = this.#now;
      void this.refresh();
    }
  }

  #lastDueAsk = Number.NEGATIVE_INFINITY;

  async #show(order: SavedOrder): Promise<void> {
    const entries = await Promise.all(order.reply.tickets.flatMap((t) => (t.code ? [this.#ports.qr(t.code).then((svg) => [t.id, svg] as const)] : [])));
    this.#qr = Object.fromEntries(entries);
    this.#order = order;
    this.#status = 'ready';
  }
}
