// The Socket port over the browser's WebSocket. Handlers never throw out of a callback:
// one bad message must not kill the connection.
import { DEFLATE_RAW } from '@gatekeeper/shared/protocol/index';
import type { Socket, SocketConnection, SocketHandlers } from '../ports.ts';
import { canInflateRaw, inflateRawText, InOrder } from './inflate.ts';

export class BrowserSocket implements Socket {
  readonly encodings: readonly string[] = canInflateRaw() ? [DEFLATE_RAW] : [];

  connect(url: string, handlers: SocketHandlers): SocketConnection {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const guard = (f: () => void) => {
      try { f(); } catch (e) { console.error('socket handler failed', e); }
    };
    // A binary frame is inflated first; what follows it (text, the close) waits its turn.
    const order = new InOrder();
    const unreadable = (e: unknown) => console.warn('ignored a binary message that does not inflate', e);
    ws.onopen = () => guard(() => handlers.open());
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      const text = typeof ev.data === 'string' ? ev.data : inflateRawText(ev.data);
      order.push(text, (t) => guard(() => handlers.message(t)), unreadable);
    };
    ws.onclose = (ev) => order.push(ev, (e) => guard(() => handlers.close(e.code, e.reason)), unreadable);
    return {
      send: (text) => { if (ws.readyState === WebSocket.OPEN) ws.send(text); },
      close: () => { ws.onopen = ws.onmessage = null; ws.close(); guard(() => handlers.close(1000, 'closed by client')); ws.onclose = null; },
    };
  }
}

/** ws:// or wss:// to the same host as the page. */
export function socketUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}
