// The phone's database: one typed Dexie class, every schema version kept in order.
//
// Schema history (bump the number on any change to a table or an index; never edit a
// released block, add a new one with an upgrade):
//   1 — meta, manifests, chunks, scans.
//   2 — no table changes: the stored manifests and chunks are dropped (they may hold
//       buyers' e-mail addresses and imported barcodes in clear, which manifests no
//       longer carry); the phone downloads its event's manifest again.
import Dexie, { type EntityTable } from 'dexie';
import type { ManifestChunk, ManifestHeader, ScanRecord } from '../ports.ts';

export interface MetaRow { key: string; value: unknown }

export const DB_NAME = 'gatekeeper';

export class GatekeeperDb extends Dexie {
  /**
   * Local only: the session, this phone's device id, the chosen event and checkpoint, the
   * gossip cursor, the last clock offset, settings. Never uploaded.
   */
  meta!: EntityTable<MetaRow, 'key'>;
  /** Local copy of server data: one manifest header per event (event, checkpoints, keys, staff). */
  manifests!: EntityTable<ManifestHeader, 'eventId'>;
  /**
   * Local copy of server data: the manifest's ticket and order rows in a few large chunks.
   * One record per ticket takes ~8 s for 100,000 tickets in Chromium; five chunks, ~50 ms.
   */
  chunks!: Dexie.Table<ManifestChunk, [string, number]>;
  /**
   * The scans this phone knows: its own (the upload queue: uploaded = 0) and every scan heard
   * from the server. Append-only: a record changes only when the server's copy of the same
   * scan id arrives (uploaded 0 → 1, and the server's outcome when it decided a scan online
   * after this phone had fallen back to an offline verdict). Two devices racing offline can
   * never overwrite each other's record — they hold different ids, and arbitration decides.
   */
  scans!: EntityTable<ScanRecord, 'id'>;

  constructor(name = DB_NAME) {
    super(name);
    this.version(1).stores({
      meta: 'key',
      manifests: 'eventId',
      chunks: '[eventId+seq]',
      // [eventId+uploaded]: an event's queue; uploaded: every event's (logout checks it);
      // [eventId+hlc]: the event's scans in the order every node agrees on.
      scans: 'id, uploaded, [eventId+uploaded], [eventId+hlc]',
    });
    this.version(2).stores({}).upgrade(async (tx) => {
      await tx.table('manifests').clear();
      await tx.table('chunks').clear();
    });
  }
}
