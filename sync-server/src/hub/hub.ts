// The WebSocket hub: the socket gateway (gateway.ts: upgrade, handshake, each socket's
// input queue, writes and pings) and the per-event feeds (feeds.ts, feed.ts: stored scans
// in sequence to every socket of the event, catch-ups, conflicts). The hub joins the two
// and is what the rest of the server holds: the HTTP server's upgrade, the scan service's
// listener, and the routes' pushes and disconnects.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Conflict } from '@gatekeeper/shared/domain';
import { DEFAULT_SILENT_AFTER_MS } from '@gatekeeper/shared/fleet';
import type { DeviceId, EventId, InspectorId } from '@gatekeeper/shared/ids';
import type { Down } from '@gatekeeper/shared/protocol/index';
import type { Logger } from '../log.ts';
import type { ScanListener, ScanService } from '../scans/scan-service.ts';
import { Live } from '../live/live.ts';
import { Fleet } from '../fleet/fleet.ts';
import type { Announcement, DeviceAlert, Storage, StoredScan, StoreNotifications } from '../storage/types.ts';
import { CLOSE } from './close-codes.ts';
import { Feeds } from './feeds.ts';
import { SocketGateway, type SocketStats } from './gateway.ts';
import { SOCKET_LIMITS, type SocketLimits } from './limits.ts';

export { CLOSE };

export interface HubOptions {
  storage: Storage;
  scans: () => ScanService;
  log: Logger;
  now: () => number;
  /** Origins allowed besides the request's own host. */
  allowedOrigins: string[];
  gossipTickMs: number;
  /** How often each socket is pinged (config socketPingMs); default 30 s. */
  socketPingMs?: number;
  /** How long a socket may go without a hello (config socketHelloMs); default 10 s. */
  socketHelloMs?: number;
  limits?: Partial<SocketLimits>;
  /** How often open sockets' sessions are checked (expired, deleted): they close within about this. */
  sessionCheckMs?: number;
  /** An offline phone unheard this long is flagged silent in the fleet (config fleetSilentMs); default shared/fleet.ts. */
  fleetSilentMs?: number;
}

/** Sockets of an expired or ended session close within about this long. */
const SESSION_CHECK_MS = 5_000;

export class Hub implements ScanListener {
  readonly wss: WebSocketServer;
  /** The supervisors' live view: counters, subscriptions, pushes (routes read its snapshot). */
  readonly live: Live;
  /** The supervisors' device fleet: who is online, what each phone reported (routes list and watch it). */
  readonly fleet: Fleet;
  private readonly feeds: Feeds;
  private readonly gateway: SocketGateway;
  private readonly sessionTimer: ReturnType<typeof setInterval>;
  private unfollow: (() => Promise<void>) | null = null;
  /** Where this instance's pushes are announced to the others (set by `follow`). */
  private notifications: StoreNotifications | null = null;
  private codeWordRule: ((eventId: EventId) => void) | null = null;
  /** The live view as routes change it: on every instance, not only this one. */
  readonly liveChanges: Pick<Live, 'snapshot' | 'reviewed' | 'ticketsChanged'>;

  constructor(private readonly o: HubOptions) {
    const limits = { ...SOCKET_LIMITS, ...o.limits };
    this.live = new Live({ storage: o.storage, log: o.log });
    this.fleet = new Fleet({ storage: o.storage, log: o.log, now: o.now, silentAfterMs: o.fleetSilentMs ?? DEFAULT_SILENT_AFTER_MS });
    this.feeds = new Feeds({ storage: o.storage, log: o.log, tooSlow: (conn) => this.gateway.closeConnection(conn, CLOSE.tooSlow, 'reads too slowly') }, o.gossipTickMs, this.live);
    this.gateway = new SocketGateway({ ...o, feeds: this.feeds, live: this.live, fleet: this.fleet, limits, pingMs: o.socketPingMs ?? 30_000, helloMs: o.socketHelloMs ?? 10_000 });
    this.wss = this.gateway.wss;
    this.sessionTimer = setInterval(() => void this.checkSessions(), o.sessionCheckMs ?? SESSION_CHECK_MS);
    this.sessionTimer.unref();
    this.liveChanges = {
      snapshot: (eventId) => this.live.snapshot(eventId),
      reviewed: (eventId, conflictId, review) => this.push({ kind: 'conflictReviewed', eventId, conflictId, review }),
      ticketsChanged: (eventId) => {
        this.announce({ kind: 'liveTicketsChanged', eventId });
        return this.live.ticketsChanged(eventId);
      },
    };
  }

  /** Called from the HTTP server's 'upgrade' event for /ws. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return this.gateway.handleUpgrade(req, socket, head);
  }

  // ScanListener: fan scans and conflicts out to the event's scanners.
  stored(eventId: EventId, scans: StoredScan[]): void { this.feeds.stored(eventId, scans); }
  conflicts(eventId: EventId, conflicts: Conflict[]): void { this.feeds.conflicts(eventId, conflicts); }
  alerted(eventId: EventId, alert: DeviceAlert): void { this.push({ kind: 'alerted', eventId, alert }); }

  /**
   * Gossip what other server instances on the same database store (storage/postgres/
   * notify.ts) to this instance's sockets, as its own: their scans make the event's log be
   * read on, their conflicts are told after those scans; their other pushes are made here
   * too, and this instance's are announced to them. Resolves once listening.
   */
  async follow(notifications: StoreNotifications): Promise<void> {
    this.notifications = notifications;
    this.unfollow = await notifications.listen({
      announced: (a) => this.apply(a),
      scans: (eventId, stored) => this.feeds.stored(eventId, stored),
      conflicts: (eventId, conflicts) => this.feeds.conflicts(eventId, conflicts),
      resumed: () => {
        this.o.log.warn('listening to the other instances again: reading every watched event on');
        this.feeds.readAll();
      },
    });
  }

  /** Push a message to every scanner of an event (code word, tickets changed) that speaks `minVersion` or later. */
  broadcast(eventId: EventId, msg: Down, minVersion = 1): void { this.push({ kind: 'broadcast', eventId, msg, minVersion }); }

  /** A revoked device is disconnected at once, and the fleet's watchers see it revoked. */
  disconnectDevice(deviceId: DeviceId): void { this.push({ kind: 'deviceRevoked', deviceId }); }

  /** A disabled staff member's sockets close at once. */
  closeStaff(staffId: InspectorId): void { this.push({ kind: 'staffClosed', staffId }); }

  /** A session that ended (logout, expiry) closes its sockets: `tokenHash` as sessions.ts hashes it. */
  closeSession(tokenHash: string): void { this.push({ kind: 'sessionClosed', tokenHash }); }

  /** A code word rule changed here: the other instances arm their timers (code-words.ts `rearm`). */
  ruleChanged(eventId: EventId): void { this.announce({ kind: 'codeWordRule', eventId }); }

  /** What to do when another instance changed a code word rule (server.ts: the code words' `rearm`). */
  onCodeWordRule(fn: (eventId: EventId) => void): void { this.codeWordRule = fn; }

  /** A push made here and, announced, on every other instance: their sockets are the event's too. */
  private push(a: Announcement): void {
    this.apply(a);
    this.announce(a);
  }

  private announce(a: Announcement): void {
    void this.notifications?.announce(a).catch((e: unknown) => this.o.log.warn('could not tell the other instances of a push', { kind: a.kind, err: String(e) }));
  }

  /** A push to this instance's sockets, whichever instance made it. */
  private apply(a: Announcement): void {
    const { log } = this.o;
    switch (a.kind) {
      case 'broadcast': this.feeds.broadcast(a.eventId, a.msg, a.minVersion); return;
      case 'deviceRevoked':
        this.gateway.closeWhere((_s, conn) => conn?.deviceId === a.deviceId, 'deviceRevoked', 'this device has been revoked', CLOSE.revoked);
        void this.fleet.revoked(a.deviceId).catch((e: unknown) => log.warn('could not tell the fleet of a revocation', { device: a.deviceId, err: String(e) }));
        return;
      case 'staffClosed':
        this.gateway.closeWhere((staff) => staff.id === a.staffId, 'unauthenticated', 'you have been signed out', CLOSE.unauthenticated);
        return;
      case 'sessionClosed':
        this.gateway.closeWhere((_s, _c, sessionHash) => sessionHash === a.tokenHash, 'unauthenticated', 'this session has ended', CLOSE.unauthenticated);
        return;
      case 'alerted': this.feeds.alerted(a.eventId, a.alert); return;
      case 'liveTicketsChanged':
        void this.live.ticketsChanged(a.eventId).catch((e: unknown) => log.warn('could not recount tickets for the live view', { event: a.eventId, err: String(e) }));
        return;
      case 'conflictReviewed': this.live.reviewed(a.eventId, a.conflictId, a.review); return;
      case 'codeWordRule': this.codeWordRule?.(a.eventId); return;
    }
  }

  /** Close the sockets whose session expired or was ended by a path that told no one. */
  private async checkSessions(): Promise<void> {
    const now = this.o.now();
    for (const hash of this.gateway.sessionHashes()) {
      try {
        const session = await this.o.storage.getSession(hash);
        // Here only: every instance checks its own sockets' sessions.
        if (!session || session.expiresAt <= now) this.apply({ kind: 'sessionClosed', tokenHash: hash });
      } catch (e) {
        this.o.log.warn('could not check a session', { err: String(e) });
      }
    }
  }

  /** Every open socket: who, how many messages wait, how many bytes are unsent. */
  sockets(): SocketStats[] { return this.gateway.sockets(); }

  /** Sockets that have said hello. */
  connectionCount(): number { return this.feeds.count(); }

  close(): void {
    clearInterval(this.sessionTimer);
    void this.unfollow?.();
    this.feeds.close();
    this.gateway.close();
  }
}
