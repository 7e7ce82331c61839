// The console's socket to the server, for the Live and Conflicts sections: it says hello as
// this device, with no checkpoint and no cursor (a console scans nothing and needs no
// catch-up), asks for the live view after every welcome (a reconnect is a new subscription,
// answered with a fresh snapshot), and hands the live messages to its listener.
//
// Why a socket of its own rather than the scanner's (SyncClient): a supervisor on a laptop
// has chosen no checkpoint, so no scanner socket is open, and opening one would download
// the event's whole scan log into the laptop's storage; and protocol 9 has no way to leave
// the live view but closing the socket, which the scanner's socket must not do. It is the
// same device (every sign-in in this app registers or claims one, a laptop's too), the same
// Socket port and the same reconnecting Connection; leaving the section closes it.
import type { Conflict } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import { PROTOCOL_VERSION, type DeviceAlert, type Down, type DownOf, type LiveDelta, type LiveSnapshot, type RefusalReason } from '@gatekeeper/shared/protocol/index';
import type { Socket } from '../ports.ts';
import { Connection } from '../sync/connection.ts';

export type ChannelState = 'connecting' | 'live' | 'offline' | 'refused';

/** Why the server will not give this session the live view. */
export interface ChannelRefusal { reason: RefusalReason | 'forbidden'; message: string }

export interface LiveListener {
  state(state: ChannelState, refusal: ChannelRefusal | null): void;
  snapshot?(snapshot: LiveSnapshot): void;
  delta?(delta: LiveDelta): void;
  alert?(alert: DeviceAlert): void;
  conflict?(conflict: Conflict): void;
  reviewed?(msg: DownOf<'conflictReviewed'>): void;
}

export interface ChannelIdentity { eventId: EventId; deviceId: DeviceId; deviceSecret: string }

export class LiveChannel {
  readonly #conn: Connection;
  readonly #who: ChannelIdentity;
  readonly #listener: LiveListener;
  readonly #encodings: readonly string[];
  #state: ChannelState = 'connecting';
  #stopped = false;
  readonly #offline = () => { this.#conn.drop(); this.#set('offline'); };
  readonly #online = () => this.#conn.retryNow();

  constructor(socket: Socket, url: () => string, who: ChannelIdentity, listener: LiveListener) {
    this.#who = who;
    this.#listener = listener;
    this.#encodings = socket.encodings;
    this.#conn = new Connection(socket, url, {
      open: () => this.#hello(),
      message: (m) => this.#receive(m),
      close: () => this.#set('offline'),
      failed: () => this.#set('offline'),
      badMessage: (e) => console.warn('live: ignored a message that does not parse', e),
    });
  }

  get state(): ChannelState { return this.#state; }

  start(): void {
    this.#stopped = false;
    this.#set('connecting');
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.#offline);
      window.addEventListener('online', this.#online);
    }
    this.#conn.start();
  }

  /** Leaves the live view: the server drops a subscription with its socket. */
  stop(): void {
    this.#stopped = true;
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.#offline);
      window.removeEventListener('online', this.#online);
    }
    this.#conn.stop();
  }

  #hello(): void {
    const { eventId, deviceId, deviceSecret } = this.#who;
    this.#conn.send({ type: 'hello', v: PROTOCOL_VERSION, eventId, deviceId, deviceSecret, checkpointId: null, cursor: null, compress: [...this.#encodings] });
  }

  #receive(msg: Down): void {
    try {
      this.#handle(msg);
    } catch (e) {
      console.error('live: message failed', msg.type, e);
    }
  }

  #handle(msg: Down): void {
    const l = this.#listener;
    switch (msg.type) {
      case 'welcome':
        this.#conn.healthy();
        this.#conn.send({ type: 'liveSubscribe' });
        return;
      case 'live':
        this.#set('live');
        l.snapshot?.(msg.snapshot);
        return;
      case 'liveDelta': l.delta?.(msg.delta); return;
      case 'liveAlert': l.alert?.(msg.alert); return;
      case 'conflictReviewed': l.reviewed?.(msg); return;
      case 'conflict': l.conflict?.(msg.conflict); return;
      case 'refused':
        // Too slow to say hello is no refusal: the connection comes back by itself.
        if (msg.reason === 'helloTimeout') return;
        this.#refuse({ reason: msg.reason, message: msg.message });
        return;
      case 'error':
        // The live view is refused to an inspector; nothing else this socket asks can be.
        if (msg.code === 'forbidden') this.#refuse({ reason: 'forbidden', message: msg.message });
        return;
      default:
        // Gossip (`scans`), pongs, the code word: the scanner's business, not the console's.
        return;
    }
  }

  #refuse(refusal: ChannelRefusal): void {
    this.#conn.stop();
    this.#state = 'refused';
    this.#listener.state('refused', refusal);
  }

  #set(state: ChannelState): void {
    if (this.#state === 'refused' || (this.#stopped && state !== 'offline')) return;
    if (state === this.#state) return;
    this.#state = state;
    this.#listener.state(state, null);
  }
}
