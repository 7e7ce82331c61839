// The scanner app's Socket port over the `ws` package, so the app's own sync code runs in
// Node against a real server: the session cookie goes in the upgrade request (a browser
// sends it by itself), and every text sent is kept for the test to inspect. Binary frames
// are inflated like the browser socket does (deflate-raw), with the app's own helpers.
import WebSocket from 'ws';
import { inflateRawText, InOrder } from '../../scanner-pwa/src/lib/sync/inflate.ts';
import type { Socket, SocketConnection, SocketHandlers } from '../../scanner-pwa/src/lib/ports.ts';

export class WsSocket implements Socket {
  readonly sent: string[] = [];
  /** Binary frames received (before inflating), for tests that check what was compressed. */
  binaryFrames = 0;
  constructor(private readonly cookie: () => string, readonly encodings: readonly string[] = ['deflate-raw']) {}

  connect(url: string, handlers: SocketHandlers): SocketConnection {
    const ws = new WebSocket(url, { headers: { cookie: this.cookie() } });
    ws.on('open', () => handlers.open());
    const order = new InOrder();
    const unreadable = (e: unknown) => { throw e; };
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.binaryFrames++;
      order.push(isBinary ? inflateRawText(new Uint8Array(data).buffer) : String(data), (t) => handlers.message(t), unreadable);
    });
    ws.on('close', (code, reason) => order.push({ code, reason: String(reason) }, (c) => handlers.close(c.code, c.reason), unreadable));
    ws.on('error', () => { /* a close follows */ });
    return {
      send: (text) => { if (ws.readyState === WebSocket.OPEN) { this.sent.push(text); ws.send(text); } },
      close: () => ws.close(),
    };
  }

  /** The types of the messages sent so far, in order. */
  sentTypes(): string[] {
    return this.sent.map((t) => (JSON.parse(t) as { type: string }).type);
  }
}

/** The HTTP status a socket upgrade to `base`/ws gets with these headers (101: it opened). */
export function upgradeStatus(base: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(base.replace('http', 'ws') + '/ws', { headers });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('error', () => {});
  });
}
