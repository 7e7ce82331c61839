// Many scanners for a load generator: one login and one registered device per scanner
// (a session speaks for one phone), alternating between usernames (HttpSession from the
// test support), one `ws` socket per device with its session cookie, and the protocol's
// hello with the device secret. Unlike ScannerClient (tests) it keeps no
// history and parses nothing by itself: each benchmark decides what it reads, so
// the client's JSON work is the same against our server and against a baseline.
import WebSocket from 'ws';
import type { Scan } from '@gatekeeper/shared/domain';
import { newId, type CheckpointId, type DeviceId, type EventId, type InspectorId, type ScanId, type TicketId } from '@gatekeeper/shared/ids';
import { DEFLATE_RAW, PROTOCOL_VERSION, type ScanRequest, type Up } from '@gatekeeper/shared/protocol/index';
import { stamp } from '../../tests/support/factories.ts';
import { HttpSession } from '../../tests/support/scanner-client.ts';
import { DEMO_EVENT, login } from '../../tests/support/server.ts';
import { checkpointId } from '@gatekeeper/shared/ids';

export const MAIN_GATE = checkpointId('main-gate');
const CONNECT_CONCURRENCY = 25;
const OPEN_TIMEOUT_MS = 20_000;

export interface BenchScanner {
  index: number;
  ws: WebSocket;
  deviceId: DeviceId;
  inspectorId: InspectorId;
}

/** Who a bench scanner is, without its socket: what a load-generator process needs to open one. */
export interface Identity {
  index: number;
  /** The session cookie ('' for the raw ws baselines). */
  cookie: string;
  deviceId: DeviceId;
  /** The device's secret for the hello ('' for the baselines). */
  deviceSecret: string;
  inspectorId: InspectorId;
}

/** Logins in flight at once while registering scanners (below the per-account limit of 5). */
const LOGIN_CONCURRENCY = 4;

/**
 * `count` scanner identities: one login and one registered device per scanner,
 * alternating between the usernames. A baseline has no sessions or devices; its
 * ids are made up, of the same length, so its messages are the same size.
 */
export async function register(url: string, count: number, opts: { usernames?: string[]; baseline?: boolean } = {}): Promise<Identity[]> {
  const usernames = opts.usernames ?? ['inspector', 'inspector2'];
  const identities: Identity[] = [];
  // Logins a few at a time: the server counts each attempt before hashing it, and more
  // than 5 at once for one account from one address are refused as a guesser would be.
  await inBatches(count, LOGIN_CONCURRENCY, async (index) => {
    const username = usernames[index % usernames.length]!;
    const session = opts.baseline ? null : await HttpSession.login(url, username, login(username).password);
    identities[index] = {
      index,
      cookie: session?.cookie ?? '',
      deviceId: session ? await session.registerDevice(`bench phone ${index}`) : (newId('d-') as DeviceId),
      deviceSecret: session?.deviceSecret ?? '',
      inspectorId: session ? session.inspector!.id : (`i-${username}` as InspectorId),
    };
  });
  return identities;
}

/**
 * Called for every message any scanner receives; `data` is the raw frame. A binary frame
 * is a `scans` message compressed with deflate-raw (the scanners ask for that in their
 * hello, as the app does): inflate it (`inflateRawSync`) only where the benchmark reads it.
 */
export type OnMessage = (scanner: BenchScanner, data: Buffer, isBinary: boolean) => void;

export class Fleet {
  /** Replace freely between phases: it is read on every message. */
  onMessage: OnMessage = () => {};

  private constructor(readonly scanners: BenchScanner[]) {}

  /**
   * `count` scanners of the demo event at the main gate, alternating between the given
   * logins. With `hello: false` the sockets open without the protocol handshake (for the
   * raw ws baselines, which have no sessions and speak no protocol).
   */
  static async connect(url: string, count: number, opts: { usernames?: string[]; hello?: boolean; baseline?: boolean } = {}): Promise<Fleet> {
    return Fleet.open(url, await register(url, count, opts), { hello: !(opts.hello === false || opts.baseline) });
  }

  /** Open one socket per identity (from `register`), saying hello unless told not to. */
  static async open(url: string, identities: Identity[], opts: { hello: boolean }): Promise<Fleet> {
    const fleet = new Fleet([]);
    try {
      await inBatches(identities.length, CONNECT_CONCURRENCY, async (i) => {
        const { index, cookie, deviceId, deviceSecret, inspectorId } = identities[i]!;
        const ws = await openSocket(url, cookie);
        const scanner: BenchScanner = { index, ws, deviceId, inspectorId };
        fleet.scanners[i] = scanner;
        if (!opts.hello) {
          ws.on('message', (data: Buffer, isBinary: boolean) => fleet.onMessage(scanner, data, isBinary));
          return;
        }
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no welcome within 20 s')), OPEN_TIMEOUT_MS);
          ws.once('message', (data: Buffer) => {
            clearTimeout(timer);
            const msg = JSON.parse(data.toString()) as { type: string; reason?: string };
            if (msg.type !== 'welcome') { reject(new Error(`hello refused: ${msg.reason ?? msg.type}`)); return; }
            ws.on('message', (d: Buffer, isBinary: boolean) => fleet.onMessage(scanner, d, isBinary));
            resolve();
          });
          send(ws, { type: 'hello', v: PROTOCOL_VERSION, eventId: DEMO_EVENT, deviceId, deviceSecret, checkpointId: MAIN_GATE, cursor: null, compress: [DEFLATE_RAW] });
        });
      });
    } catch (e) {
      await fleet.close();
      throw e;
    }
    return fleet;
  }

  get size(): number { return this.scanners.length; }

  /** Close every socket; waits at most 5 s, then terminates the rest. */
  async close(): Promise<void> {
    const open = this.scanners.filter((s) => s && s.ws.readyState !== WebSocket.CLOSED);
    await Promise.race([
      Promise.all(open.map((s) => new Promise<void>((resolve) => { s.ws.once('close', () => resolve()); s.ws.close(); }))),
      new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
    for (const s of open) if (s.ws.readyState !== WebSocket.CLOSED) s.ws.terminate();
  }
}

function openSocket(url: string, cookie: string): Promise<WebSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
  return new Promise<WebSocket>((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('socket did not open within 20 s')); }, OPEN_TIMEOUT_MS);
    ws.once('open', () => { clearTimeout(timer); ws.removeAllListeners('error'); ws.on('error', () => {}); resolve(ws); });
    ws.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Run `task(0..count-1)` with at most `limit` at a time. */
async function inBatches(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < count) await task(next++); };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

export function send(ws: WebSocket, msg: Up | string): void {
  ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
}

/**
 * An online scan of `ticketId` by `scanner`. The code is the ticket id (manual entry, as
 * the integration tests do) unless a scanned code is given.
 */
export function scanRequest(scanner: BenchScanner, ticketId: TicketId, now = Date.now(), code: string = ticketId): ScanRequest {
  return {
    id: newId('s-') as ScanId, eventId: DEMO_EVENT as EventId, ticketId, orderId: null, code,
    checkpointId: MAIN_GATE, zone: 'grounds', mode: 'once_per_event', direction: 'entry',
    deviceId: scanner.deviceId, inspectorId: scanner.inspectorId, hlc: stamp(now), at: now, clockOffset: 0, idChecked: false,
  };
}

/** The same scan as decided offline (admitted) by the scanner. */
export const offlineScan = (req: ScanRequest): Scan => ({ ...req, outcome: 'valid', offline: true });

/**
 * The `type` of a message without parsing it: every Down message starts with it, and
 * only `scans` messages come as binary frames.
 */
export function messageType(data: Buffer, isBinary = false): string {
  if (isBinary) return 'scans';
  // '{"type":"' is 9 bytes; the type runs to the next quote.
  const end = data.indexOf(0x22, 9);
  return end > 9 ? data.toString('latin1', 9, end) : '';
}
