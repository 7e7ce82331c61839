// The holder's wallet: one order, opened with the token from its mail, kept on the phone so
// it opens without a network, and asked for again when its codes are due. The server
// decides when codes may exist (just-in-time access, and whatever wallet/may-bind.ts asks
// on the server); then the wallet binds the order's tickets to this phone's key and shows
// a code it signs itself, a new one every step (rotating-codes.ts), online or not.
import type { BindDeviceReply } from '@gatekeeper/shared/api/certificates';
import type { WalletReply } from '@gatekeeper/shared/api/wallet';
import { stepAt } from '@gatekeeper/shared/codec/rotating';
import { bindingCovers, rotatingCode, type Binding, type DeviceKey } from './rotating-codes.ts';

/**
 * What the phone keeps: the token to ask again with, the last answer, the server's clock
 * offset then, and the certificates of this phone's key.
 */
export interface SavedOrder { token: string; reply: WalletReply; offsetMs: number; binding?: Binding }

export interface WalletPorts {
  /** The order of a token; throws WalletLinkRefused when the server does not know it. */
  fetchOrder(token: string): Promise<WalletReply>;
  /** Certificates for the order's tickets under this key; throws WalletLinkRefused, or BindRefused with the server's words. */
  bindDevice(token: string, publicKey: string): Promise<BindDeviceReply>;
  /** The phone's key, made now with `create` if it has none. */
  deviceKey(create: boolean): Promise<DeviceKey | null>;
  load(): SavedOrder | null;
  save(order: SavedOrder): void;
  now(): number;
  /** A QR code of the text, as SVG markup. */
  qr(text: string): Promise<string>;
}

export class WalletLinkRefused extends Error {}
/** The server will not bind this phone now (its message says why). */
export class BindRefused extends Error {}

/**
 * How often the wallet asks again while something is owed: the code is due and has not come
 * (a phone's clock, a slow network), or the last ask got no answer or no binding for want of
 * a network. A venue's network is often there without the browser ever saying "online".
 */
export const DUE_RETRY_MS = 15_000;

export type WalletStatus = 'loading' | 'ready' | 'no-link' | 'bad-link' | 'offline-first' | 'error';

/** Why the codes are not on screen although the window is open. */
export type CodeTrouble = { kind: 'offline' } | { kind: 'refused'; message: string } | { kind: 'unsupported' } | { kind: 'failed'; message: string };

/** A ticket's code on screen: its text, the step it was made for, and its QR code. */
export interface ShownCode { text: string; step: number; svg: string }

/**
 * Why this phone's certificate of a ticket is no longer the one in force: another phone
 * bound the ticket (`moved`), or nobody holds it now (`withdrawn`: the box office, or a
 * verification step switched on). Either way the gate refuses this phone's codes.
 */
export type MovedOff = 'moved' | 'withdrawn';

/**
 * The tickets this binding no longer holds, by what the server last said is in force. A
 * reply without `certificateId` (kept from an older server) says nothing.
 */
export function movedOff(order: SavedOrder | null): Record<string, MovedOff> {
  const out: Record<string, MovedOff> = {};
  if (!order?.binding) return out;
  for (const t of order.reply.tickets) {
    if (t.certificateId === undefined) continue;
    const mine = order.binding.certificates.find((c) => c.ticketId === t.id);
    if (mine && mine.certificateId !== t.certificateId) out[t.id] = t.certificateId === null ? 'withdrawn' : 'moved';
  }
  return out;
}

export class Wallet {
  #order = $state.raw<SavedOrder | null>(null);
  #status = $state<WalletStatus>('loading');
  #error = $state('');
  /** The last fetch failed for want of a network: what is shown is the kept copy. */
  #stale = $state(false);
  #now = $state(0);
  #codes = $state.raw<Record<string, ShownCode>>({});
  #trouble = $state.raw<CodeTrouble | null>(null);
  #fetching = false;
  #drawing = false;
  #key: DeviceKey | null = null;
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
  /** The codes on screen by ticket id, once this phone is bound. */
  get codes() { return this.#codes; }
  /** The window is open and yet no code: why. */
  get trouble() { return this.#trouble; }
  /** Tickets this phone held and no longer does (moved to another phone, or withdrawn), by id. */
  get moved(): Record<string, MovedOff> { return movedOff(this.#order); }
  /** Seconds between codes (the certificates say), null before the phone is bound. */
  get stepSeconds(): number | null { return this.#order?.binding?.certificates[0]?.stepSeconds ?? null; }
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

  /**
   * Bind this phone again, asked by the holder: a ticket moved to another phone (or withdrawn)
   * comes back here, and the other phone's codes stop at the gate. The server asks for the
   * performance's steps on this phone first (may-bind).
   */
  rebind(): Promise<void> { return this.refresh(this.#order?.token, true); }

  /**
   * Ask the server again (with the kept token by default), and bind this phone once the codes
   * may come. A binding the server no longer holds in force is left as it is (the wallet says
   * so, movedOff) unless `rebind`: a ticket is never taken back from another phone unasked.
   */
  async refresh(token = this.#order?.token, rebind = false): Promise<void> {
    if (!token || this.#fetching) return;
    this.#fetching = true;
    this.#lastAsk = this.#ports.now();
    try {
      const before = this.#ports.now();
      const reply = await this.#ports.fetchOrder(token);
      // The server's clock at the middle of the round trip: good to a few hundred ms, plenty for a countdown and a step.
      const offsetMs = reply.serverTime - Math.round((before + this.#ports.now()) / 2);
      const binding = this.#order?.token === token ? this.#order.binding : undefined;
      let order: SavedOrder = { token, reply, offsetMs, ...(binding ? { binding } : {}) };
      this.#stale = false;
      if (reply.codesOpen) order = await this.#bound(order, rebind);
      this.#ports.save(order);
      await this.#show(order);
    } catch (e) {
      const mine = this.#order?.token === token;
      if (e instanceof WalletLinkRefused) { this.#status = 'bad-link'; this.#order = mine ? null : this.#order; this.#codes = {}; return; }
      if (mine) { this.#stale = true; return; }
      if (e instanceof TypeError) { this.#status = 'offline-first'; return; }
      this.#error = e instanceof Error ? e.message : String(e);
      this.#status = 'error';
    } finally {
      this.#fetching = false;
    }
  }

  /** The clock's tick (each second): the countdown moves, what is owed is asked for, and a new step gets its code. */
  tick(): void {
    this.#now = this.#ports.now();
    if (this.#owed() && this.#now - this.#lastAsk >= DUE_RETRY_MS) void this.refresh();
    const binding = this.#order?.binding;
    const first = binding?.certificates[0];
    const shown = first ? this.#codes[first.ticketId] : undefined;
    if (first && shown && stepAt(this.serverNow, first.stepSeconds) !== shown.step) void this.#draw();
  }

  #lastAsk = Number.NEGATIVE_INFINITY;

  /**
   * Whether asking again may change what is shown: the codes are due by the kept copy, the
   * last ask went unanswered, or the window is open and the bind failed on the way (not a
   * refusal: that waits for the holder's steps, which bind again themselves).
   */
  #owed(): boolean {
    const left = this.untilCodes;
    if (left !== null && left <= 0) return true;
    if (this.#stale) return true;
    const t = this.#trouble;
    return this.#order?.reply.codesOpen === true && (t?.kind === 'offline' || t?.kind === 'failed');
  }

  /**
   * The order with certificates for this phone's key: the kept ones if they serve it, else
   * new ones (the key made now if the phone has none). A bind the server refuses, or one
   * without a network, leaves the order as it was and says why.
   */
  async #bound(order: SavedOrder, rebind: boolean): Promise<SavedOrder> {
    const ids = order.reply.tickets.map((t) => t.id);
    try {
      this.#key ??= await this.#ports.deviceKey(true);
      if (!(rebind && Object.keys(movedOff(order)).length > 0) && bindingCovers(order.binding, this.#key, ids)) { this.#trouble = null; return order; }
      const key = this.#key!;
      const before = this.#ports.now();
      const reply = await this.#ports.bindDevice(order.token, key.publicKey);
      this.#trouble = null;
      const offsetMs = reply.serverTime - Math.round((before + this.#ports.now()) / 2);
      // The certificates just made are the ones in force now (the answer read before said otherwise).
      const inForce = new Map(reply.certificates.map((c) => [c.ticketId as string, c.certificateId]));
      const tickets = order.reply.tickets.map((t) => (inForce.has(t.id) ? { ...t, certificateId: inForce.get(t.id)! } : t));
      return { ...order, offsetMs, reply: { ...order.reply, tickets }, binding: { publicKey: key.publicKey, certificates: reply.certificates } };
    } catch (e) {
      if (e instanceof WalletLinkRefused) throw e;
      this.#trouble = e instanceof BindRefused ? { kind: 'refused', message: e.message }
        : e instanceof TypeError ? { kind: 'offline' }
        : e instanceof DOMException && e.name === 'NotSupportedError' ? { kind: 'unsupported' }
        : { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
      return order;
    }
  }

  async #show(order: SavedOrder): Promise<void> {
    this.#order = order;
    this.#status = 'ready';
    await this.#draw();
  }

  /** The code of the current step for each bound ticket, signed now with the phone's key. */
  async #draw(): Promise<void> {
    const order = this.#order;
    if (this.#drawing || !order?.reply.codesOpen || !order.binding) { if (!order?.binding) this.#codes = {}; return; }
    this.#drawing = true;
    try {
      this.#key ??= await this.#ports.deviceKey(false);
      const key = this.#key;
      // Bound under another key (the phone's storage was cleared): only a new bind helps.
      if (!key || key.publicKey !== order.binding.publicKey) { this.#codes = {}; this.#trouble ??= { kind: 'offline' }; return; }
      // One ticket after the other, each on screen as soon as it is drawn: at a cold start the
      // QR codes are most of the wait (bench wallet.coldstart.offline), and the holder at the
      // gate needs the first one first.
      // A ticket moved off this phone gets no code: the gate would refuse it.
      const gone = movedOff(order);
      const shownIds = new Set(order.reply.tickets.map((t) => t.id).filter((id) => !gone[id]));
      const fresh = new Set<string>();
      for (const c of order.binding.certificates) {
        if (!shownIds.has(c.ticketId)) continue;
        const step = stepAt(this.#ports.now() + order.offsetMs, c.stepSeconds);
        const text = await rotatingCode(c, step, key);
        const svg = await this.#ports.qr(text);
        fresh.add(c.ticketId);
        this.#codes = { ...this.#codes, [c.ticketId]: { text, step, svg } };
      }
      // Tickets no longer in the order (refunded since) lose their code.
      if (Object.keys(this.#codes).some((id) => !fresh.has(id))) this.#codes = Object.fromEntries(Object.entries(this.#codes).filter(([id]) => fresh.has(id)));
    } finally {
      this.#drawing = false;
    }
  }
}
