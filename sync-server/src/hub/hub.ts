// The WebSocket hub: handshake, then scans in and gossip out. Every message is parsed with
// the shared protocol; nothing a client sends can throw out of the message callback.
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Conflict } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId } from '@gatekeeper/shared/ids';
import {
  DEFLATE_RAW, GkError, MAX_BATCH, MAX_MESSAGE_BYTES, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, parseUp,
  type Down, type RefusalReason, type Up, type UpOf,
} from '@gatekeeper/shared/protocol/index';
import { readCookie, resolveSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { throttledLog, type Logger } from '../log.ts';
import type { ScanListener, ScanService } from '../scans/scan-service.ts';
import type { StaffRecord, Storage, StoredScan } from '../storage/types.ts';
import { Connection } from './connection.ts';
import { OutgoingMessage } from './frames.ts';
import { GossipBuffer } from './gossip.ts';
import { Stagger } from './stagger.ts';

export interface HubOptions {
  storage: Storage;
  scans: () => ScanService;
  log: Logger;
  now: () => number;
  /** Origins allowed besides the request's own host. */
  allowedOrigins: string[];
  gossipTickMs: number;
}

const HELLO_TIMEOUT_MS = 10_000;
/** Slices one gossip message's writes are spread over under load (stagger.ts). */
const GOSSIP_SLICES = 10;

/** The `v` of a hello, read without the rest of its schema; null when it is not a hello. */
function helloVersion(raw: string): number | null {
  if (raw.length > 4096) return null;
  try {
    const o = JSON.parse(raw) as { type?: unknown; v?: unknown } | null;
    return o && o.type === 'hello' && typeof o.v === 'number' && Number.isFinite(o.v) ? o.v : null;
  } catch { return null; }
}
/** Close codes in the private range, so a client can tell why without a message. */
export const CLOSE = { refused: 4000, unauthenticated: 4001, forbidden: 4003, revoked: 4004, helloTimeout: 4008, tooSlow: 4009, tooManyMessages: 4029, helloFailed: 1011 } as const;

export class Hub implements ScanListener {
  readonly wss: WebSocketServer;
  private readonly byEvent = new Map<EventId, Set<Connection>>();
  private readonly gossip: GossipBuffer;
  private readonly staggers = new Map<EventId, Stagger>();
  private readonly cannotStore: (fields: Record<string, unknown>) => void;

  constructor(private readonly o: HubOptions) {
    // ws refuses frames over maxPayload by closing (1009). We allow a margin above our
    // own limit so that a message just over it gets a typed error instead of a close.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_MESSAGE_BYTES });
    this.cannotStore = throttledLog(o.log, 'error', 'cannot store');
    this.gossip = new GossipBuffer(o.gossipTickMs, (eventId, scans, cursor, spreadMs) => this.fanOut(eventId, scans, cursor, spreadMs));
  }

  /** Called from the HTTP server's 'upgrade' event for /ws. */
  async handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): Promise<void> {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}\n`);
    };
    try {
      if (!this.originAllowed(req)) return reject(403, 'Forbidden origin');
      const staff = await resolveSession(this.o.storage, readCookie(req.headers.cookie, SESSION_COOKIE), this.o.now());
      if (!staff) return reject(401, 'Unauthorized');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, staff));
    } catch (e) {
      this.o.log.error('upgrade failed', { err: String(e) });
      reject(500, 'Internal Server Error');
    }
  }

  /**
   * Cross-site WebSocket hijacking guard: a browser always sends Origin, and it must be
   * this server (any scheme/port of the same host) or a configured origin. Clients that
   * are not browsers send none and carry no ambient cookie risk.
   */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return true;
    if (this.o.allowedOrigins.includes(origin)) return true;
    try { return new URL(origin).host === req.headers.host; } catch { return false; }
  }

  private accept(ws: WebSocket, staff: StaffRecord): void {
    let conn: Connection | null = null;
    let busy: Promise<void> = Promise.resolve();
    const timer = setTimeout(() => { if (!conn) this.refuse(ws, 'unauthenticated', 'no hello within 10 s', CLOSE.helloTimeout); }, HELLO_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => {
      // Handle one message at a time per socket, in order, so a scan's verdict and the
      // gossip of it cannot overtake each other.
      busy = busy.then(() => this.onMessage(ws, staff, conn, data, isBinary).then((c) => { if (c) { conn = c; clearTimeout(timer); } }))
        .catch((e) => this.o.log.error('socket handler failed', { err: String(e) }));
    });
    ws.on('close', () => { clearTimeout(timer); if (conn) this.byEvent.get(conn.eventId)?.delete(conn); });
    ws.on('error', (e) => this.o.log.warn('socket error', { err: String(e), inspector: staff.id }));
  }

  /** Returns the connection once the handshake succeeds. */
  private async onMessage(ws: WebSocket, staff: StaffRecord, conn: Connection | null, data: import('ws').RawData, isBinary: boolean): Promise<Connection | null> {
    let msg: Up;
    try {
      if (isBinary) throw new GkError('malformed_message', 'binary frames are not part of the protocol');
      const raw = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      // Versions are negotiated before the hello is checked against today's schema: a
      // newer client's hello may carry fields this server has never heard of.
      if (!conn) {
        const v = helloVersion(raw);
        if (v !== null && v < MIN_PROTOCOL_VERSION) return this.refuse(ws, 'clientTooOld', `this server speaks protocol ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}; update the app`);
        if (v !== null && v > PROTOCOL_VERSION) return this.refuse(ws, 'serverTooOld', `this server speaks protocol up to ${PROTOCOL_VERSION}`);
      }
      msg = parseUp(raw);
    } catch (e) {
      this.sendError(ws, e, null);
      return null;
    }
    try {
      if (msg.type === 'hello') {
        if (conn) throw new GkError('bad_request', 'hello was already said on this socket');
        return await this.hello(ws, staff, msg);
      }
      if (!conn) throw new GkError('not_ready', 'say hello first');
      await this.dispatch(conn, msg);
    } catch (e) {
      const version = conn?.version ?? (msg.type === 'hello' ? msg.v : PROTOCOL_VERSION);
      this.sendError(ws, e, 'scan' in msg ? msg.scan.id : 'batchId' in msg ? msg.batchId : null, version);
      // A hello the server failed on (storage unreadable) leaves no session on this socket:
      // closing it lets the scanner reconnect with its backoff instead of waiting for ever.
      if (msg.type === 'hello' && !conn) ws.close(CLOSE.helloFailed, 'hello failed');
    }
    return null;
  }

  private async hello(ws: WebSocket, staff: StaffRecord, msg: UpOf<'hello'>): Promise<Connection | null> {
    const { storage } = this.o;
    if (!(await storage.getEvent(msg.eventId))) return this.refuse(ws, 'unknownEvent', `no event ${msg.eventId}`);
    if (staff.role !== 'admin' && !(await storage.isStaffOf(msg.eventId, staff.id))) return this.refuse(ws, 'forbidden', `you are not staff of event ${msg.eventId}`, CLOSE.forbidden);
    const device = await storage.getDevice(msg.deviceId);
    if (!device) return this.refuse(ws, 'unknownDevice', `device ${msg.deviceId} is not registered`);
    if (device.revokedAt !== null) return this.refuse(ws, 'deviceRevoked', `device ${msg.deviceId} has been revoked`, CLOSE.revoked);
    // "Last seen" is for the device list; a disk that cannot take the write (full) must not
    // keep the phone from its welcome, its catch-up and the gossip, which need reads only.
    void storage.touchDevice(device.id, this.o.now()).catch((e: unknown) => this.o.log.warn('could not record a device as seen', { device: device.id, err: String(e) }));

    const conn = new Connection(ws, staff, device.id, msg.eventId, msg.v, msg.compress?.includes(DEFLATE_RAW) ?? false);
    // Register before reading the catch-up, so nothing stored meanwhile is missed; gossip
    // is held back until the welcome and the catch-up are sent, so nothing reaches the client
    // before its welcome and its cursor never skips.
    conn.catchingUp = true;
    let set = this.byEvent.get(msg.eventId);
    if (!set) this.byEvent.set(msg.eventId, (set = new Set()));
    set.add(conn);
    try {
      conn.sendNow({
        type: 'welcome', v: PROTOCOL_VERSION, serverTime: this.o.now(),
        inspector: { id: staff.id, name: staff.name, role: staff.role },
        eventId: msg.eventId, codeWord: await storage.getCodeWord(msg.eventId), cursor: await storage.latestCursor(msg.eventId),
      });
      if (msg.cursor !== null) await this.catchUp(conn, msg.cursor);
      else conn.releaseHeld();
    } catch (e) {
      set.delete(conn);
      throw e;
    }
    return conn;
  }

  private async catchUp(conn: Connection, from: number): Promise<void> {
    conn.catchingUp = true;
    let cursor = from;
    for (;;) {
      const page = await this.o.storage.scansAfter(conn.eventId, cursor, MAX_BATCH);
      conn.sendNow({ type: 'scans', scans: page.scans.map((s) => s.scan), cursor: page.cursor, more: page.more });
      cursor = page.cursor;
      if (!page.more) break;
    }
    conn.releaseHeld();
  }

  private async dispatch(conn: Connection, msg: Exclude<Up, { type: 'hello' }>): Promise<void> {
    await this.assertDeviceActive(conn);
    switch (msg.type) {
      case 'scan': {
        const r = await this.o.scans().submitOnline(conn.staff, conn.deviceId, conn.eventId, msg.scan);
        conn.send({ type: 'verdict', scanId: msg.scan.id, status: r.status, verdict: r.verdict, scan: r.scan, cursor: r.cursor });
        return;
      }
      case 'upload': {
        const results = await this.o.scans().uploadOffline(conn.staff, conn.deviceId, conn.eventId, msg.scans);
        conn.sendNow({ type: 'uploadAck', batchId: msg.batchId, results });
        return;
      }
      case 'catchup': return this.catchUp(conn, msg.cursor);
      case 'ping': conn.sendNow({ type: 'pong', id: msg.id, clientTime: msg.clientTime, serverTime: this.o.now() }); return;
    }
  }

  private async assertDeviceActive(conn: Connection): Promise<void> {
    const device = await this.o.storage.getDevice(conn.deviceId);
    if (!device || device.revokedAt !== null) {
      this.refuse(conn.ws, 'deviceRevoked', `device ${conn.deviceId} has been revoked`, CLOSE.revoked);
      throw new GkError('device_revoked', 'this device has been revoked');
    }
  }

  private refuse(ws: WebSocket, reason: RefusalReason, message: string, code: number = CLOSE.refused): null {
    const msg: Down = { type: 'refused', reason, message, minVersion: MIN_PROTOCOL_VERSION, maxVersion: PROTOCOL_VERSION };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    ws.close(code, reason);
    return null;
  }

  private sendError(ws: WebSocket, e: unknown, ref: string | null, version: number = PROTOCOL_VERSION): void {
    const err = e instanceof GkError ? e : new GkError('internal', 'the server failed on this message');
    if (!(e instanceof GkError)) this.o.log.error('socket message failed', { err: e instanceof Error ? e.stack : String(e) });
    else if (err.code === 'unavailable') this.cannotStore({ err: err.message, ref });
    // `unavailable` is version 3; an older client knows the same advice as `internal`.
    const code = err.code === 'unavailable' && version < 3 ? 'internal' : err.code;
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'error', code, message: err.message, ref } satisfies Down));
  }

  // ScanListener: fan scans and conflicts out to the event's scanners.
  stored(eventId: EventId, scans: StoredScan[]): void { this.gossip.add(eventId, scans); }

  conflicts(eventId: EventId, conflicts: Conflict[]): void {
    // Conflicts are told at once, after the scans they name have been gossiped.
    this.gossip.flush();
    this.staggers.get(eventId)?.finish();
    for (const conn of this.byEvent.get(eventId) ?? []) {
      for (const c of conflicts) {
        const involved = c.winner.deviceId === conn.deviceId || c.loser.deviceId === conn.deviceId;
        if (involved || conn.staff.role !== 'inspector') conn.send({ type: 'conflict', conflict: c });
      }
    }
  }

  private fanOut(eventId: EventId, scans: StoredScan[], cursor: number, spreadMs: number): void {
    const conns = this.byEvent.get(eventId);
    if (!conns) return;
    // One message for everyone, serialised and compressed at most once (frames.ts); the
    // scanner that made a scan gets it too (it dedupes by id), which keeps the cursor
    // meaning simple: every scan up to it has been sent.
    const out = new OutgoingMessage({ type: 'scans', scans: scans.map((s) => s.scan), cursor, more: false });
    const sendTo = (group: Connection[]) => () => { for (const conn of group) conn.send(out); };
    const list = [...conns];
    const slices = Math.min(GOSSIP_SLICES, list.length);
    const per = Math.ceil(list.length / Math.max(1, slices));
    const parts = Array.from({ length: slices }, (_, i) => sendTo(list.slice(i * per, (i + 1) * per)));
    let stagger = this.staggers.get(eventId);
    if (!stagger) this.staggers.set(eventId, (stagger = new Stagger()));
    stagger.run(parts, spreadMs);
  }

  /** Push a message to every scanner of an event (code word changes). */
  broadcast(eventId: EventId, msg: Down): void {
    for (const conn of this.byEvent.get(eventId) ?? []) conn.send(msg);
  }

  /** A revoked device is disconnected at once. */
  disconnectDevice(deviceId: DeviceId): void {
    for (const set of this.byEvent.values()) {
      for (const conn of set) if (conn.deviceId === deviceId) this.refuse(conn.ws, 'deviceRevoked', 'this device has been revoked', CLOSE.revoked);
    }
  }

  connectionCount(): number { let n = 0; for (const s of this.byEvent.values()) n += s.size; return n; }

  close(): void {
    this.gossip.flush();
    for (const s of this.staggers.values()) s.finish();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
