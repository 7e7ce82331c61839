// The scanner app's Socket port over the `ws` package, so the app's own sync code runs in
// Node against a real server: the session cookie goes in the upgrade request (a browser
// sends it by itself), and every text sent is kept for the test to inspect.
import WebSocket from 'ws';
import type { Socket, SocketConnection, SocketHandlers } from '../../scanner-pwa/src/lib/ports.ts';

export class WsSocket implements Socket {
  readonly sent: string[] = [];
  constructor(private readonly cookie: () => string) {}

  connect(url: string, handlers: SocketHandlers): SocketConnection {
    const ws = new WebSocket(url, { headers: { cookie: this.cookie() } });
    ws.on('open', () => handlers.open());
    ws.on('message', (data) => handlers.message(String(data)));
    ws.on('close', (code, reason) => handlers.close(code, String(reason)));
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
