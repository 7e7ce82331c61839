// The socket gateway: the upgrade (origin, session, sockets per session), the handshake,
// each socket's input queue, its writes (socket-writer.ts) and its pings. What a socket
// receives of its event's scans is the feed's business (feed.ts). Every message is parsed
// with the shared protocol; nothing a client sends can throw out of the message callback.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  DEFLATE_RAW, GkError, MAX_MESSAGE_BYTES, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, parseUp,
  verdictForVersion, type Down, type RefusalReason, type Up, type UpOf,
} from '@gatekeeper/shared/protocol/index';
import { hashToken, readCookie, resolveSession, secretMatches, SESSION_COOKIE } from '../auth/sessions.ts';
import { originAllowed } from '../auth/origin.ts';
import { throttledLog, type Logger } from '../log.ts';
import type { ScanService } from '../scans/scan-service.ts';
import type { StaffRecord, Storage } from '../storage/types.ts';
import { CLOSE } from './close-codes.ts';
import { Connection } from './connection.ts';
import type { Feeds } from './feeds.ts';
import type { Live } from '../live/live.ts';
import type { Fleet } from '../fleet/fleet.ts';
import type { EventFeed, Subscriber } from './feed.ts';
import { OutgoingMessage } from './frames.ts';
import { InputQueue, type Queued } from './input-queue.ts';
import type { SocketLimits } from './limits.ts';
import { SocketWriter } from './socket-writer.ts';

/** One open socket as the gateway sees it (for logs, monitoring and tests). */
export interface SocketStats {
  staffId: StaffRecord['id'];
  deviceId: Connection['deviceId'] | null;
  /** Messages read and not yet handled. */
  queued: number;
  /** Bytes written and not yet taken by the socket (ws bufferedAmount). */
  unsent: number;
}

export interface GatewayOptions {
  storage: Storage;
  scans: () => ScanService;
  feeds: Feeds;
  /** The supervisors' live view, which `liveSubscribe` joins. */
  live: Live;
  /** The supervisors' device fleet: told of each hello, ping and closed socket. */
  fleet: Fleet;
  log: Logger;
  now: () => number;
  /** Origins allowed besides the request's own host. */
  allowedOrigins: string[];
  limits: SocketLimits;
  /** How often each socket is pinged; one that has answered neither of the last two is dropped. */
  pingMs: number;
  /** How long an accepted socket may go without a hello before it is refused `helloTimeout`. */
  helloMs: number;
}

/** The `v` of a hello, read without the rest of its schema; null when it is not a hello. */
function helloVersion(raw: string): number | null {
  if (raw.length > 4096) return null;
  try {
    const o = JSON.parse(raw) as { type?: unknown; v?: unknown } | null;
    return o && o.type === 'hello' && typeof o.v === 'number' && Number.isFinite(o.v) ? o.v : null;
  } catch { return null; }
}

/** One accepted socket, before and after its hello. */
class Peer {
  conn: Connection | null = null;
  feed: EventFeed | null = null;
  sub: Subscriber | null = null;
  /** Pings sent since the socket last answered one. */
  unanswered = 0;
  closing = false;
  queue!: InputQueue;
  constructor(readonly writer: SocketWriter, readonly staff: StaffRecord, readonly sessionHash: string) {}
  get ws(): WebSocket { return this.writer.ws; }
}

export class SocketGateway {
  readonly wss: WebSocketServer;
  readonly #peers = new Set<Peer>();
  /** Open sockets per session (by the token's hash), counted from the upgrade. */
  readonly #perSession = new Map<string, number>();
  readonly #pinger: ReturnType<typeof setInterval>;
  readonly #cannotStore: (fields: Record<string, unknown>) => void;

  constructor(private readonly o: GatewayOptions) {
    // ws refuses frames over maxPayload by closing (1009). We allow a margin above our
    // own limit so that a message just over it gets a typed error instead of a close.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_MESSAGE_BYTES });
    this.#cannotStore = throttledLog(o.log, 'error', 'cannot store');
    this.#pinger = setInterval(() => this.#ping(), o.pingMs);
    this.#pinger.unref();
  }

  /** Called from the HTTP server's 'upgrade' event for /ws. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}\n`);
    };
    try {
      if (!this.originAllowed(req)) return reject(403, 'Forbidden origin');
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      const staff = await resolveSession(this.o.storage, token, this.o.now());
      if (!staff || !token) return reject(401, 'Unauthorized');
      const sessionHash = hashToken(token);
      if (!this.#countSocket(sessionHash, socket)) return reject(429, 'Too Many Sockets');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, staff, sessionHash));
    } catch (e) {
      this.o.log.error('upgrade failed', { err: String(e) });
      reject(500, 'Internal Server Error');
    }
  }

  /**
   * Cross-site WebSocket hijacking guard: a browser always sends Origin, and it must pass
   * the same rule as the API's writes (auth/origin.ts). Clients that are not browsers send
   * none and carry no ambient cookie risk.
   */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin === undefined || originAllowed(origin, req.headers.host, this.o.allowedOrigins);
  }

  /** Counts the socket against its session until it closes; false when the session is at its cap. */
  #countSocket(sessionHash: string, socket: Duplex): boolean {
    const n = this.#perSession.get(sessionHash) ?? 0;
    if (n >= this.o.limits.socketsPerSession) return false;
    this.#perSession.set(sessionHash, n + 1);
    socket.once('close', () => {
      const left = (this.#perSession.get(sessionHash) ?? 1) - 1;
      if (left > 0) this.#perSession.set(sessionHash, left); else this.#perSession.delete(sessionHash);
    });
    return true;
  }

  private accept(ws: WebSocket, staff: StaffRecord, sessionHash: string): void {
    const peer: Peer = new Peer(new SocketWriter(ws, this.o.limits, () => this.#close(peer, CLOSE.tooSlow, 'reads too slowly')), staff, sessionHash);
    this.#peers.add(peer);
    // Late is not unauthenticated: the session was checked at the upgrade. A phone whose
    // storage is blocked (another tab holds IndexedDB) reads its cursor slowly; refused as
    // `unauthenticated` it took itself for signed out and stopped reconnecting (issue 9).
    const timer = setTimeout(() => { if (!peer.conn) this.#refuse(peer, 'helloTimeout', `no hello within ${this.o.helloMs} ms; reconnect`, CLOSE.helloTimeout); }, this.o.helloMs);
    peer.queue = new InputQueue(this.o.limits, (m) => this.onMessage(peer, m).then((ok) => { if (ok) clearTimeout(timer); }), (e) => this.o.log.error('socket handler failed', { err: String(e) }));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!peer.queue.push(data, isBinary)) this.#close(peer, CLOSE.tooManyMessages, 'too many messages');
    });
    ws.on('pong', () => { peer.unanswered = 0; });
    ws.on('close', () => { clearTimeout(timer); this.#gone(peer); });
    ws.on('error', (e) => this.o.log.warn('socket error', { err: String(e), inspector: staff.id }));
  }

  /** Handles one message; true once the socket has a connection (the hello succeeded). */
  private async onMessage(peer: Peer, { data, isBinary }: Queued): Promise<boolean> {
    const conn = peer.conn;
    let msg: Up;
    try {
      if (isBinary) throw new GkError('malformed_message', 'binary frames are not part of the protocol');
      const raw = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      // Versions are negotiated before the hello is checked against today's schema: a
      // newer client's hello may carry fields this server has never heard of.
      if (!conn) {
        const v = helloVersion(raw);
        if (v !== null && v < MIN_PROTOCOL_VERSION) { this.#refuse(peer, 'clientTooOld', `this server speaks protocol ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}; update the app`); return false; }
        if (v !== null && v > PROTOCOL_VERSION) { this.#refuse(peer, 'serverTooOld', `this server speaks protocol up to ${PROTOCOL_VERSION}`); return false; }
      }
      msg = parseUp(raw);
    } catch (e) {
      this.#sendError(peer, e, null);
      return conn !== null;
    }
    try {
      if (msg.type === 'hello') {
        if (conn) throw new GkError('bad_request', 'hello was already said on this socket');
        return await this.hello(peer, msg);
      }
      if (!conn) throw new GkError('not_ready', 'say hello first');
      await this.dispatch(peer, conn, msg);
    } catch (e) {
      const version = conn?.version ?? (msg.type === 'hello' ? msg.v : PROTOCOL_VERSION);
      this.#sendError(peer, e, 'scan' in msg ? msg.scan.id : 'batchId' in msg ? msg.batchId : null, version);
      // A hello the server failed on (storage unreadable) leaves no session on this socket:
      // closing it lets the scanner reconnect with its backoff instead of waiting for ever.
      if (msg.type === 'hello' && !conn) this.#close(peer, CLOSE.helloFailed, 'hello failed');
    }
    return peer.conn !== null;
  }

  /**
   * Who may say this hello: the session still stands, the event exists, the staff member
   * works it, and the device is the one this session speaks for, proven by its secret, and
   * not revoked. A refusal closes the socket; null means refused.
   */
  private async authenticate(peer: Peer, msg: UpOf<'hello'>): Promise<{ deviceId: Connection['deviceId'] } | null> {
    const { storage } = this.o;
    const { staff } = peer;
    // The session may have ended between the upgrade and this hello (logout, revocation).
    const session = await storage.getSession(peer.sessionHash);
    if (!session || session.expiresAt <= this.o.now()) return this.#refuse(peer, 'unauthenticated', 'your session has ended; log in again', CLOSE.unauthenticated);
    if (!(await storage.getEvent(msg.eventId))) return this.#refuse(peer, 'unknownEvent', `no event ${msg.eventId}`);
    if (staff.role !== 'admin' && !(await storage.isStaffOf(msg.eventId, staff.id))) return this.#refuse(peer, 'forbidden', `you are not staff of event ${msg.eventId}`, CLOSE.forbidden);
    // A device is its secret, and a session speaks for the one device it registered or
    // claimed: an id read off a manifest, or a cookie taken to another phone, is not enough.
    if (msg.deviceSecret === undefined && msg.v < 4) return this.#refuse(peer, 'clientTooOld', 'this server needs the device secret of protocol 4; update the app');
    const device = await storage.getDevice(msg.deviceId);
    if (!device || !secretMatches(msg.deviceSecret, await storage.getDeviceSecretHash(msg.deviceId))) return this.#refuse(peer, 'unknownDevice', `device ${msg.deviceId} is not registered with that secret`);
    if (device.revokedAt !== null) return this.#refuse(peer, 'deviceRevoked', `device ${msg.deviceId} has been revoked`, CLOSE.revoked);
    if (session.deviceId !== device.id) return this.#refuse(peer, 'unknownDevice', `this session speaks for ${session.deviceId ?? 'no device'}, not ${device.id}; log in on that phone`);
    // "Last seen" is for the device list; a disk that cannot take the write (full) must not
    // keep the phone from its welcome, its catch-up and the gossip, which need reads only.
    void storage.touchDevice(device.id, this.o.now()).catch((e: unknown) => this.o.log.warn('could not record a device as seen', { device: device.id, err: String(e) }));
    return { deviceId: device.id };
  }

  private async hello(peer: Peer, msg: UpOf<'hello'>): Promise<boolean> {
    const who = await this.authenticate(peer, msg);
    if (!who || peer.closing) return false;
    const { storage } = this.o;
    const conn = new Connection(peer.writer, peer.staff, peer.sessionHash, who.deviceId, msg.eventId, msg.v, msg.compress?.includes(DEFLATE_RAW) ?? false, msg.checkpointId);
    // Join the feed before reading the welcome's cursor, and read it only once the event's
    // tail knows where it begins, so nothing stored meanwhile is missed; the feed withholds
    // gossip until `start`, so nothing reaches the client before its welcome and its cursor
    // never skips.
    const { feed, sub, begun } = this.o.feeds.join(conn);
    try {
      await begun;
      const welcome: Down = {
        type: 'welcome', v: PROTOCOL_VERSION, serverTime: this.o.now(),
        inspector: { id: peer.staff.id, name: peer.staff.name, role: peer.staff.role },
        eventId: msg.eventId, codeWord: await storage.getCodeWord(msg.eventId), cursor: await storage.latestCursor(msg.eventId),
        logId: await storage.scanLogId(),
      };
      if (peer.closing) { this.o.feeds.leave(sub); return false; }
      conn.send(welcome);
      peer.conn = conn;
      peer.feed = feed;
      peer.sub = sub;
      // The catch-up runs beside this socket's messages: its scans get verdicts meanwhile.
      // A cursor counted in another log (this database replaced that one) means nothing here.
      const from = msg.cursor !== null && msg.logId !== undefined && msg.logId !== welcome.logId ? 0 : msg.cursor;
      feed.start(sub, from, welcome.cursor);
      // A gate's phone names its checkpoint; a console (the Live view) names none and is
      // no phone of the fleet. Its pings are then ignored there too.
      if (msg.checkpointId !== null) this.o.fleet.connected(conn, msg.report);
    } catch (e) {
      this.o.feeds.leave(sub);
      throw e;
    }
    return true;
  }

  private async dispatch(peer: Peer, conn: Connection, msg: Exclude<Up, { type: 'hello' }>): Promise<void> {
    await this.assertDeviceActive(peer, conn);
    switch (msg.type) {
      case 'scan': {
        const r = await this.o.scans().submitOnline(conn.staff, conn.deviceId, conn.eventId, msg.scan);
        conn.send({ type: 'verdict', scanId: msg.scan.id, status: r.status, verdict: verdictForVersion(r.verdict, conn.version), scan: r.scan, cursor: r.cursor });
        return;
      }
      case 'upload': {
        const results = await this.o.scans().uploadOffline(conn.staff, conn.deviceId, conn.eventId, msg.scans);
        // A conflict about an annulment (version 7) would read as a double admission to an older app.
        const told = conn.version >= 7 ? results : results.map((r) => (r.conflict?.kind || r.conflict?.annulment ? { ...r, conflict: null } : r));
        conn.send({ type: 'uploadAck', batchId: msg.batchId, results: told });
        return;
      }
      case 'catchup': peer.feed?.catchUp(peer.sub!, msg.cursor); return;
      case 'liveSubscribe': await this.o.live.subscribe(conn); return;
      case 'ping':
        conn.send({ type: 'pong', id: msg.id, clientTime: msg.clientTime, serverTime: this.o.now() });
        this.o.fleet.reported(conn, msg.report);
        return;
    }
  }

  private async assertDeviceActive(peer: Peer, conn: Connection): Promise<void> {
    const device = await this.o.storage.getDevice(conn.deviceId);
    if (!device || device.revokedAt !== null) {
      this.#refuse(peer, 'deviceRevoked', `device ${conn.deviceId} has been revoked`, CLOSE.revoked);
      throw new GkError('device_revoked', 'this device has been revoked');
    }
  }

  /** Close every socket `match` picks, with a refusal the app shows (revoked, signed out). */
  closeWhere(match: (staff: StaffRecord, conn: Connection | null, sessionHash: string) => boolean, reason: RefusalReason, message: string, code: number): void {
    for (const peer of [...this.#peers]) if (match(peer.staff, peer.conn, peer.sessionHash)) this.#refuse(peer, reason, message, code);
  }

  /** Close one connection's socket without a refusal: the phone reconnects and resumes. */
  closeConnection(conn: Connection, code: number, reason: string): void {
    for (const peer of this.#peers) if (peer.conn === conn) this.#close(peer, code, reason);
  }

  #refuse(peer: Peer, reason: RefusalReason, message: string, code: number = CLOSE.refused): null {
    const msg: Down = { type: 'refused', reason, message, minVersion: MIN_PROTOCOL_VERSION, maxVersion: PROTOCOL_VERSION };
    if (!peer.closing) peer.writer.answer(new OutgoingMessage(msg).frame(false));
    this.#close(peer, code, reason);
    return null;
  }

  #sendError(peer: Peer, e: unknown, ref: string | null, version: number = PROTOCOL_VERSION): void {
    const err = e instanceof GkError ? e : new GkError('internal', 'the server failed on this message');
    if (!(e instanceof GkError)) this.o.log.error('socket message failed', { err: e instanceof Error ? e.stack : String(e) });
    else if (err.code === 'unavailable') this.#cannotStore({ err: err.message, ref });
    // `unavailable` is version 3; an older client knows the same advice as `internal`.
    const code = err.code === 'unavailable' && version < 3 ? 'internal' : err.code;
    const retry = (err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs; // rate_limited, protocol 4
    peer.writer.answer(new OutgoingMessage({ type: 'error', code, message: err.message, ref, ...(retry === undefined ? {} : { retryAfterMs: retry }) }).frame(false));
  }

  /** Start closing: nothing more is read, written or fed to this socket from now on. */
  #close(peer: Peer, code: number, reason: string): void {
    if (peer.closing) return;
    if (code === CLOSE.tooSlow || code === CLOSE.tooManyMessages) this.o.log.warn('socket closed', { reason, inspector: peer.staff.id, device: peer.conn?.deviceId ?? null });
    this.#leave(peer);
    peer.ws.close(code, reason);
  }

  #leave(peer: Peer): void {
    peer.closing = true;
    if (peer.conn) this.o.fleet.disconnected(peer.conn);
    peer.queue.stop();
    peer.writer.closing();
    if (peer.sub) this.o.feeds.leave(peer.sub);
    peer.sub = null;
  }

  #gone(peer: Peer): void {
    if (!peer.closing) this.#leave(peer);
    this.#peers.delete(peer);
  }

  /**
   * A socket that has answered neither of the last two pings is gone (a phone out of range,
   * a dead NAT). Two, not one: after a long task on this loop the timer runs before the
   * pong that came meanwhile is read, and a single missed ping would drop a live phone.
   */
  #ping(): void {
    for (const peer of this.#peers) {
      if (peer.unanswered >= 2) { this.#leave(peer); peer.ws.terminate(); continue; }
      peer.unanswered++;
      try { peer.ws.ping(); } catch { /* closing already */ }
    }
  }

  /** The session hashes of the open sockets (for the hub's check of ended sessions). */
  sessionHashes(): Set<string> {
    return new Set([...this.#peers].filter((p) => !p.closing).map((p) => p.sessionHash));
  }

  sockets(): SocketStats[] {
    return [...this.#peers].filter((p) => !p.closing).map((p) => ({ staffId: p.staff.id, deviceId: p.conn?.deviceId ?? null, queued: p.queue.length, unsent: p.ws.bufferedAmount }));
  }

  close(): void {
    clearInterval(this.#pinger);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
