// The Store port over Dexie. Every write here is safe when two offline devices race:
// scans are keyed by ids made on each phone and never rewritten, manifests are this phone's
// cache of server data.
import Dexie from 'dexie';
import type { EventId } from '@gatekeeper/shared/ids';
import { CURSOR_PREFIX, type ManifestChunk, type ManifestHeader, type ScanRecord, type Store } from '../ports.ts';
import { sameScan, serverCopy } from '../scans/scan-log.ts';
import { GatekeeperDb } from './database.ts';

export class DexieStore implements Store {
  readonly db: GatekeeperDb;
  constructor(db = new GatekeeperDb()) {
    this.db = db;
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await this.db.meta.get(key))?.value as T | undefined;
  }
  async setMeta<T>(key: string, value: T): Promise<void> {
    await this.db.meta.put({ key, value });
  }
  async deleteMeta(key: string): Promise<void> {
    await this.db.meta.delete(key);
  }

  async loadManifest(eventId: EventId): Promise<{ header: ManifestHeader; chunks: ManifestChunk[] } | null> {
    return this.db.transaction('r', this.db.manifests, this.db.chunks, async () => {
      const header = await this.db.manifests.get(eventId);
      if (!header) return null;
      const chunks = await this.db.chunks.where('[eventId+seq]').between([eventId, Dexie.minKey], [eventId, Dexie.maxKey]).toArray();
      return { header, chunks };
    });
  }

  async replaceManifest(header: ManifestHeader, chunks: ManifestChunk[]): Promise<void> {
    await this.db.transaction('rw', this.db.manifests, this.db.chunks, async () => {
      await this.db.chunks.where('[eventId+seq]').between([header.eventId, Dexie.minKey], [header.eventId, Dexie.maxKey]).delete();
      await this.db.chunks.bulkPut(chunks);
      await this.db.manifests.put(header);
    });
  }

  async saveManifestHeader(header: ManifestHeader): Promise<void> {
    await this.db.manifests.put(header);
  }

  async appendManifest(header: ManifestHeader, chunk: ManifestChunk): Promise<void> {
    await this.db.transaction('rw', this.db.manifests, this.db.chunks, async () => {
      await this.db.chunks.put(chunk);
      await this.db.manifests.put(header);
    });
  }

  async addScans(records: ScanRecord[]): Promise<ScanRecord[]> {
    if (records.length === 0) return [];
    return this.db.transaction('rw', this.db.scans, async () => {
      const existing = await this.db.scans.bulkGet(records.map((r) => r.id));
      const fresh: ScanRecord[] = [];
      // A record marked uploaded is the server's copy: it replaces ours (and so marks ours
      // uploaded), keeping whether this phone made it.
      const replaced: ScanRecord[] = [];
      const seen = new Set<string>();
      records.forEach((r, i) => {
        if (seen.has(r.id)) return;
        seen.add(r.id);
        const old = existing[i];
        if (!old) fresh.push(r);
        else if (r.uploaded === 1) {
          const copy = serverCopy(old, r);
          if (!sameScan(old, copy)) replaced.push(copy);
        }
      });
      if (fresh.length) await this.db.scans.bulkAdd(fresh);
      if (replaced.length) await this.db.scans.bulkPut(replaced);
      return fresh;
    });
  }

  async scansOf(eventId: EventId): Promise<ScanRecord[]> {
    return this.db.scans.where('[eventId+hlc]').between([eventId, Dexie.minKey], [eventId, Dexie.maxKey]).toArray();
  }

  async markUploaded(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.scans.where('id').anyOf([...ids]).modify({ uploaded: 1 });
  }

  async markWaiting(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.scans.where('id').anyOf([...ids]).modify({ uploaded: 0 });
  }

  async forgetEvents(): Promise<void> {
    await this.db.transaction('rw', [this.db.manifests, this.db.chunks, this.db.scans, this.db.meta], async () => {
      await this.db.manifests.clear();
      await this.db.chunks.clear();
      await this.db.scans.where('uploaded').equals(1).delete();
      await this.db.meta.where('key').startsWith(CURSOR_PREFIX).delete();
    });
  }

  async pendingIds(eventId?: EventId): Promise<string[]> {
    if (eventId) return this.db.scans.where('[eventId+uploaded]').equals([eventId, 0]).primaryKeys();
    return this.db.scans.where('uploaded').equals(0).primaryKeys();
  }
}
