// Benchmark harness (bench/pwa-manifest.ts): the app's real manifest path — HttpApi,
// ManifestRepo, DexieStore — and, as the baseline, one Dexie record per ticket, in the
// same page. Not part of the app build (only index.html is an entry there).
import Dexie from 'dexie';
import { rowToTicket } from '@gatekeeper/shared/manifest';
import type { EventId } from '@gatekeeper/shared/ids';
import { HttpApi } from '../src/lib/api/http-api.ts';
import { GatekeeperDb } from '../src/lib/db/database.ts';
import { DexieStore } from '../src/lib/db/dexie-store.ts';
import { ManifestRepo } from '../src/lib/manifest/manifest-repo.ts';

export interface ManifestBenchApi {
  /** Download, store (chunks) and index: ms, and the ticket count indexed. */
  ours(eventId: string, dbName: string): Promise<{ ms: number; tickets: number; reloadMs: number }>;
  /** The same download, then one IndexedDB record per ticket via bulkPut: ms for the bulkPut alone, and in all. */
  baseline(eventId: string, dbName: string): Promise<{ putMs: number; totalMs: number; tickets: number }>;
  drop(dbName: string): Promise<void>;
}

const api: ManifestBenchApi = {
  async ours(eventId, dbName) {
    const store = new DexieStore(new GatekeeperDb(dbName));
    const repo = new ManifestRepo(new HttpApi(), store);
    const t0 = performance.now();
    const r = await repo.sync(eventId as EventId, null);
    const ms = performance.now() - t0;
    // What every app start pays: read the chunks back and index them.
    const t1 = performance.now();
    const again = await repo.load(eventId as EventId);
    const reloadMs = performance.now() - t1;
    if (again?.index.size !== r.index.size) throw new Error('reload lost tickets');
    store.db.close();
    return { ms, tickets: r.index.size, reloadMs };
  },

  async baseline(eventId, dbName) {
    const db = new Dexie(dbName);
    db.version(1).stores({ tickets: 'id, orderId, importedCode' });
    const t0 = performance.now();
    const m = await new HttpApi().manifest(eventId as EventId, 0);
    const tickets = m.tickets.map((row) => rowToTicket(eventId as EventId, row));
    const t1 = performance.now();
    await db.table('tickets').bulkPut(tickets);
    const t2 = performance.now();
    db.close();
    return { putMs: t2 - t1, totalMs: t2 - t0, tickets: tickets.length };
  },

  async drop(dbName) {
    await Dexie.delete(dbName);
  },
};

(window as unknown as { bench: ManifestBenchApi }).bench = api;
document.body.dataset.ready = 'true';
