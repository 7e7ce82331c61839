// An acknowledged scan survives `kill -9` of the server mid-upload: the server only
// acknowledges after its transaction commits and the WAL is fsynced, so the commit is on
// disk by then.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointId, eventId } from '@gatekeeper/shared/ids';
import type { Scan } from '@gatekeeper/shared/domain';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { ScannerClient } from '../support/scanner-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'gk-crash-'));
const env = { GK_DATA_DIR: dir, GK_DEMO_TICKETS: '3000' };
let server: ChildServer | null = null;
afterAll(async () => { await server?.kill(); rmSync(dir, { recursive: true, force: true }); });

describe('crash safety', () => {
  it('keeps every acknowledged scan through kill -9 mid-upload, and the re-upload completes', async () => {
    server = await startChildServer(env);
    const client = await ScannerClient.connect(server.url, 'inspector', 'gate-demo', eventId('demo-festival'), checkpointId('main-gate'));
    // 3,000 offline scans (of 3,000 tickets) in batches of 100, eight batches in flight.
    const tickets = (await client.http.request('GET', '/api/events/demo-festival/manifest')).json.tickets.map((row: unknown[]) => row[0] as string);
    const scans: Scan[] = tickets.map((t: string) => client.offlineScan(client.request(t as never, t)));
    const batches: Scan[][] = [];
    for (let i = 0; i < scans.length; i += 100) batches.push(scans.slice(i, i + 100));
    const acked = new Set<string>();
    let killed = false;
    const socketClosed = new Promise<void>((resolve) => client.ws.once('close', () => resolve()));
    client.ws.on('close', () => { killed = true; });
    const serverPid = server.proc.pid!;
    const inFlight = new Set<Promise<unknown>>();
    for (const [i, batch] of batches.entries()) {
      if (killed) break;
      const p = client.upload(batch, `b${i}`).then((ack) => { for (const r of ack.results) acked.add(r.scanId); }, () => {});
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 8) await Promise.race(inFlight);
      // Kill the server the moment a third of the scans are acknowledged, with more in flight.
      if (!killed && acked.size >= 1000) { await server.kill('SIGKILL'); killed = true; }
    }
    await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 2000))]);
    expect(killed).toBe(true);
    // The server process itself is gone (not only a wrapper around it), and its socket with it.
    expect(() => process.kill(serverPid, 0)).toThrow();
    await socketClosed;
    expect(acked.size).toBeGreaterThanOrEqual(1000);
    expect(acked.size).toBeLessThan(scans.length);

    // What the OS left on disk: every acknowledged scan, and a sound database.
    const db = new Database(join(dir, 'gatekeeper.sqlite'));
    try {
      expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
      const stored = new Set(db.prepare('SELECT id FROM scans').pluck().all() as string[]);
      const missing = [...acked].filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
    } finally { db.close(); }

    // Restart on the same file; the client re-uploads everything it holds, exactly once.
    server = await startChildServer(env);
    client.http.base = server.url;
    await client.open(null);
    const statuses = new Map<string, string>();
    for (const [i, batch] of batches.entries()) {
      const ack = await client.upload(batch, `r${i}`);
      for (const r of ack.results) statuses.set(r.scanId, r.status);
    }
    for (const id of acked) expect(statuses.get(id)).toBe('duplicate');
    expect(statuses.size).toBe(scans.length);
    await client.close();
    await server.kill('SIGTERM');
    const db2 = new Database(join(dir, 'gatekeeper.sqlite'), { readonly: true });
    try {
      expect(db2.prepare('SELECT count(*) FROM scans').pluck().get()).toBe(scans.length);
      expect(db2.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    } finally { db2.close(); }
  });
});
