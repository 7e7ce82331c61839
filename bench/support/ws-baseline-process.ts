// Child process: the smallest WebSocket server that does the transport half of what the
// hub does, as a baseline. `echo` answers every message with itself (an online verdict
// without the decision); `broadcast` sends every message it receives to every other
// client (gossip without the storage). Same `ws` library and defaults as the hub.
// `durable-echo` is the floor under any durable verdict: it parses the scan, commits it
// as one row of the server's own schema at synchronous=FULL (raw better-sqlite3, fsync
// inside the commit), and only then echoes the message. No reads, no decision, no gossip.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ScanRequest } from '@gatekeeper/shared/protocol/index';
import { scanToRow } from '../../sync-server/src/storage/sqlite/rows.ts';
import { serveParent, startChild, type Child } from './child.ts';
import { openRawScanDb } from './raw-sqlite.ts';

export type BaselineMode = 'echo' | 'broadcast' | 'durable-echo';

export function startWsBaseline(mode: BaselineMode): Promise<Child<{ url: string }>> {
  return startChild<{ url: string }>('./ws-baseline-process.ts', { mode });
}

if (process.send && process.argv[1]?.endsWith('ws-baseline-process.ts')) {
  serveParent<{ mode: BaselineMode }, { url: string }>(async ({ mode }) => {
    const http = createServer((_req, res) => { res.statusCode = 404; res.end(); });
    const wss = new WebSocketServer({ server: http, path: '/ws' });
    const db = mode === 'durable-echo' ? openRawScanDb() : null;
    wss.on('connection', (ws: WebSocket) => {
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        if (db) {
          const { scan } = JSON.parse(String(data)) as { scan: ScanRequest };
          db.insert(scanToRow({ ...scan, outcome: 'valid', offline: false }, Date.now()));
        }
        if (mode === 'echo' || mode === 'durable-echo') { ws.send(data, { binary: isBinary }); return; }
        for (const other of wss.clients) if (other !== ws && other.readyState === other.OPEN) other.send(data, { binary: isBinary });
      });
    });
    await new Promise<void>((resolve, reject) => { http.once('error', reject); http.listen(0, '127.0.0.1', () => resolve()); });
    const port = (http.address() as AddressInfo).port;
    return {
      info: { url: `http://127.0.0.1:${port}` },
      async stop() {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
        db?.close();
      },
    };
  });
}
