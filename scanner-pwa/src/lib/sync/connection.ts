// One WebSocket to the sync server that comes back by itself: reconnects with backoff and
// jitter, parses every message with parseDown (a message that does not parse is reported,
// never thrown into the socket's callback), and is dropped at once when the browser says
// the network is gone rather than waiting for a TCP timeout.
import { parseDown, type Down, type Up } from '@gatekeeper/shared/protocol/index';
import type { Socket, SocketConnection } from '../ports.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

export interface ConnectionEvents {
  open(): void;
  message(msg: Down): void;
  close(): void;
  /** An attempt failed before the socket opened (server unreachable, network off). */
  failed(): void;
  badMessage(error: unknown): void;
}

export interface ConnectionOptions {
  backoff?: BackoffOptions;
  random?: () => number;
}

export class Connection {
  readonly #socket: Socket;
  readonly #url: () => string;
  readonly #events: ConnectionEvents;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  #conn: SocketConnection | null = null;
  #open = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;

  constructor(socket: Socket, url: () => string, events: ConnectionEvents, opts: ConnectionOptions = {}) {
    this.#socket = socket;
    this.#url = url;
    this.#events = events;
    this.#backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.#random = opts.random ?? Math.random;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#clearTimer();
    this.#closeCurrent();
  }

  /** The server welcomed us: the next failure starts the backoff from the beginning. */
  healthy(): void {
    this.#attempt = 0;
  }

  /** Give up on the current socket (network gone, pings unanswered) and retry later. */
  drop(): void {
    if (!this.#running) return;
    this.#closeCurrent();
    this.#schedule();
  }

  /** Try now instead of waiting out the backoff (the browser says the network is back). */
  retryNow(): void {
    // Start the backoff over even when an attempt is under way: if that one fails, the
    // next comes within a second, not after the long wait earned while the network was down.
    this.#attempt = 0;
    if (!this.#running || this.#conn) return;
    this.#clearTimer();
    this.#connect();
  }

  send(msg: Up): boolean {
    if (!this.#open || !this.#conn) return false;
    this.#conn.send(JSON.stringify(msg));
    return true;
  }

  #connect(): void {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) { this.#events.failed(); this.#schedule(); return; }
    const conn = this.#socket.connect(this.#url(), {
      open: () => {
        if (this.#conn !== conn) return;
        this.#open = true;
        this.#events.open();
      },
      message: (text) => {
        if (this.#conn !== conn) return;
        let msg: Down;
        try { msg = parseDown(text); } catch (e) { this.#events.badMessage(e); return; }
        this.#events.message(msg);
      },
      close: () => {
        if (this.#conn !== conn) return;
        this.#conn = null;
        const wasOpen = this.#open;
        this.#open = false;
        if (wasOpen) this.#events.close(); else this.#events.failed();
        this.#schedule();
      },
    });
    this.#conn = conn;
  }

  #closeCurrent(): void {
    const conn = this.#conn;
    const wasOpen = this.#open;
    this.#conn = null;
    this.#open = false;
    conn?.close();
    if (wasOpen) this.#events.close();
  }

  #schedule(): void {
    if (!this.#running || this.#timer) return;
    const delay = backoffDelay(this.#attempt++, this.#backoff, this.#random);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#running && !this.#conn) this.#connect();
    }, delay);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

