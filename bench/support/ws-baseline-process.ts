// Child process: the smallest WebSocket server that does the transport half of what the
// hub does, as a baseline. `echo` answers every message with itself (an online verdict
// without the decision); `broadcast` sends every message it receives to every other
// client (gossip without the storage). Same `ws` library and defaults as the hub.
// `durable-echo` parses the scan, commits it as one row of the server's own schema at
// synchronous=FULL (raw better-sqlite3, fsync inside the commit), and only then echoes
// the message. `group-echo` is the floor under any durable verdict that group-commits:
// the scans that arrive during one fsync are committed in one transaction after it, the
// WAL is fsynced on libuv's pool (the loop stays free), and then they are echoed. No
// reads, no decision, no gossip.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ScanRequest } from '@gatekeeper/shared/protocol/index';
import { scanToRow } from '../../sync-server/src/storage/rows.ts';
import { serveParent, startChild, type Child } from './child.ts';
import { openRawGroupDb, openRawScanDb } from './raw-sqlite.ts';

interface Waiting { ws: WebSocket; data: Buffer; binary: boolean; row: ReturnType<typeof scanToRow> }

/** Commit what arrived during the last fsync in one transaction, fsync, echo; again while more came. */
function groupEcho(group: ReturnType<typeof openRawGroupDb>) {
  const waiting: Waiting[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    try {
      while (waiting.length) {
        const batch = waiting.splice(0);
        group.insertMany(batch.map((w) => w.row));
        await group.sync();
        for (const w of batch) if (w.ws.readyState === w.ws.OPEN) w.ws.send(w.data, { binary: w.binary });
      }
    } finally { running = false; }
  };
  return (w: Waiting) => {
    waiting.push(w);
    if (!running) void drain();
  };
}

export type BaselineMode = 'echo' | 'broadcast' | 'durable-echo' | 'group-echo';

export function startWsBaseline(mode: BaselineMode): Promise<Child<{ url: string }>> {
  return startChild<{ url: string }>('./ws-baseline-process.ts', { mode });
}

if (process.send && process.argv[1]?.endsWith('ws-baseline-process.ts')) {
  serveParent<{ mode: BaselineMode }, { url: string }>(async ({ mode }) => {
    const http = createServer((_req, res) => { res.statusCode = 404; res.end(); });
    const wss = new WebSocketServer({ server: http, path: '/ws' });
    const db = mode === 'durable-echo' ? openRawScanDb() : null;
    const group = mode === 'group-echo' ? openRawGroupDb() : null;
    const enqueue = group ? groupEcho(group) : null;
    wss.on('connection', (ws: WebSocket) => {
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        if (enqueue) {
          const { scan } = JSON.parse(String(data)) as { scan: ScanRequest };
          enqueue({ ws, data: data as Buffer, binary: isBinary, row: scanToRow({ ...scan, outcome: 'valid', offline: false }, Date.now()) });
          return;
        }
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
        await group?.close();
      },
    };
  });
}
