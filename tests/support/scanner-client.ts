// A scripted scanner for tests and benchmarks: logs in over HTTP, registers a device,
// opens the socket with the session cookie, and speaks the shared protocol (parsing
// every message it receives, as the app does).
import { inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import type { Scan } from '@gatekeeper/shared/domain';
import { newId, type CheckpointId, type DeviceId, type EventId, type InspectorId, type TicketId } from '@gatekeeper/shared/ids';
import { parseDown, PROTOCOL_VERSION, type DeviceReport, type Down, type DownOf, type ScanRequest, type Up } from '@gatekeeper/shared/protocol/index';
import { makeScanRequest } from './factories.ts';

export class HttpSession {
  cookie = '';
  /** Mutable: a test that restarts the server points the same session at the new port. */
  constructor(public base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await res.text();
    let json: any = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: res.status, json, headers: res.headers };
  }

  static async login(base: string, username: string, password: string): Promise<HttpSession> {
    const s = new HttpSession(base);
    const r = await s.request('POST', '/api/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.json)}`);
    s.inspector = r.json.inspector;
    return s;
  }

  inspector: { id: InspectorId; name: string; role: string } | null = null;

  /** The secret of the device this session registered (answered once, at registration). */
  deviceSecret: string | undefined = undefined;

  async registerDevice(name = 'test phone'): Promise<DeviceId> {
    const r = await this.request('POST', '/api/devices', { name });
    if (r.status !== 201) throw new Error(`device registration failed: ${r.status}`);
    this.deviceSecret = r.json.device.secret;
    return r.json.device.id;
  }

  /** Bind this session to a phone registered under another one (the next shift on it). */
  async claimDevice(id: DeviceId, secret: string): Promise<{ status: number; json: any }> {
    const r = await this.request('POST', '/api/devices/claim', { deviceId: id, secret });
    if (r.status === 200) this.deviceSecret = secret;
    return r;
  }
}

export class ScannerClient {
  ws!: WebSocket;
  readonly received: Down[] = [];
  private waiters: Array<{ match: (m: Down) => boolean; resolve: (m: Down) => void }> = [];
  deviceId!: DeviceId;
  /** Sent in hello (protocol 4); the session's own device's secret unless a test sets another. */
  deviceSecret: string | undefined = undefined;
  cursor: number | null = null;
  /** Every scan heard by gossip or catch-up, by id. */
  readonly heard = new Map<string, Scan>();
  /** Binary encodings to ask for in hello (protocol 2); none by default, as a version 1 client. */
  compress: string[] | undefined = undefined;
  /** The protocol version said in hello. */
  version = PROTOCOL_VERSION;
  /** What hello reports of the phone (protocol 10); none by default, as an older client. */
  report: DeviceReport | undefined = undefined;
  /** Each message's type and whether it came as a binary (compressed) frame, in order. */
  readonly frames: Array<{ type: string; binary: boolean; bytes: number }> = [];

  constructor(readonly http: HttpSession, readonly eventId: EventId, readonly checkpointId: CheckpointId) {}

  static async connect(base: string, username: string, password: string, eventId: EventId, checkpointId: CheckpointId, opts: { deviceId?: DeviceId; deviceSecret?: string; cursor?: number | null; compress?: string[]; version?: number; report?: DeviceReport } = {}): Promise<ScannerClient> {
    const http = await HttpSession.login(base, username, password);
    const c = new ScannerClient(http, eventId, checkpointId);
    c.compress = opts.compress;
    c.version = opts.version ?? PROTOCOL_VERSION;
    c.report = opts.report;
    if (opts.deviceId && opts.deviceSecret) {
      const claimed = await http.claimDevice(opts.deviceId, opts.deviceSecret);
      if (claimed.status !== 200) throw new Error(`device claim failed: ${claimed.status} ${JSON.stringify(claimed.json)}`);
    }
    c.deviceId = opts.deviceId ?? (await http.registerDevice(`${username} phone`));
    c.deviceSecret = opts.deviceSecret ?? http.deviceSecret;
    await c.open(opts.cursor ?? null);
    return c;
  }

  get inspectorId(): InspectorId { return this.http.inspector!.id; }

  async open(cursor: number | null = this.cursor, headers: Record<string, string> = {}): Promise<DownOf<'welcome'> | DownOf<'refused'>> {
    this.ws = new WebSocket(this.http.base.replace(/^http/, 'ws') + '/ws', { headers: { cookie: this.http.cookie, ...headers } });
    this.ws.on('message', (data: Buffer, isBinary) => {
      const text = isBinary ? inflateRawSync(data).toString() : String(data);
      this.frames.push({ type: (JSON.parse(text) as { type: string }).type, binary: isBinary, bytes: data.length });
      this.onMessage(text);
    });
    await new Promise<void>((resolve, reject) => { this.ws.once('open', () => resolve()); this.ws.once('error', reject); });
    const first = this.waitFor((m) => m.type === 'welcome' || m.type === 'refused');
    this.send({ type: 'hello', v: this.version, eventId: this.eventId, deviceId: this.deviceId, checkpointId: this.checkpointId, cursor, ...(this.deviceSecret ? { deviceSecret: this.deviceSecret } : {}), ...(this.compress ? { compress: this.compress } : {}), ...(this.report ? { report: this.report } : {}) });
    return (await first) as DownOf<'welcome'> | DownOf<'refused'>;
  }

  private onMessage(raw: string): void {
    const msg = parseDown(raw);
    this.received.push(msg);
    if (msg.type === 'scans') {
      for (const s of msg.scans) this.heard.set(s.id, s);
      this.cursor = Math.max(this.cursor ?? 0, msg.cursor);
    }
    this.waiters = this.waiters.filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true));
  }

  send(msg: Up | string): void { this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)); }

  waitFor<T extends Down = Down>(match: (m: Down) => boolean, timeoutMs = 30_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m as T); } });
    });
  }

  request(ticketId: TicketId | null, code: string, extra: Partial<ScanRequest> = {}): ScanRequest {
    return makeScanRequest({
      eventId: this.eventId, deviceId: this.deviceId, inspectorId: this.inspectorId, ticketId, code, checkpointId: this.checkpointId, ...extra,
    });
  }

  /** Submit online and wait for the verdict. */
  async scan(req: ScanRequest): Promise<DownOf<'verdict'>> {
    const answer = this.waitFor<DownOf<'verdict'>>((m) => m.type === 'verdict' && m.scanId === req.id);
    this.send({ type: 'scan', scan: req });
    return answer;
  }

  /** A scan decided offline by this scanner. */
  offlineScan(req: ScanRequest, outcome: Scan['outcome'] = 'valid'): Scan {
    return { ...req, outcome, offline: true };
  }

  async upload(scans: Scan[], batchId = newId('b-')): Promise<DownOf<'uploadAck'>> {
    const answer = this.waitFor<DownOf<'uploadAck'>>((m) => m.type === 'uploadAck' && m.batchId === batchId);
    this.send({ type: 'upload', batchId, scans });
    return answer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
