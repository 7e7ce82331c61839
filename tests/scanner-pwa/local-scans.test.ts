// LocalScans over the app's Dexie store, on fake-indexeddb.
import 'fake-indexeddb/auto';
import { GatekeeperDb } from '../../scanner-pwa/src/lib/db/database.ts';
import { DexieStore } from '../../scanner-pwa/src/lib/db/dexie-store.ts';
import type { ScanStore } from '../../scanner-pwa/src/lib/ports.ts';
import { runLocalScansContract } from './local-scans-contract.ts';

const opened: GatekeeperDb[] = [];

runLocalScansContract('DexieStore (fake-indexeddb)', {
  open(name) {
    const db = new GatekeeperDb(name);
    opened.push(db);
    return new DexieStore(db);
  },
  lose(store: ScanStore) {
    (store as DexieStore).db.close();
  },
  async cleanup() {
    for (const db of opened.splice(0)) await db.delete();
  },
});
