// The Socket port over the browser's WebSocket. Handlers never throw out of a callback:
// one bad message must not kill the connection.
import type { Socket, SocketConnection, SocketHandlers } from '../ports.ts';

export class BrowserSocket implements Socket {
  connect(url: string, handlers: SocketHandlers): SocketConnection {
    const ws = new WebSocket(url);
    const guard = (f: () => void) => {
      try { f(); } catch (e) { console.error('socket handler failed', e); }
    };
    ws.onopen = () => guard(() => handlers.open());
    ws.onmessage = (ev) => guard(() => handlers.message(typeof ev.data === 'string' ? ev.data : ''));
    ws.onclose = (ev) => guard(() => handlers.close(ev.code, ev.reason));
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
