// The second, simpler home of the scans IndexedDB refused: localStorage has its own quota, is
// synchronous, and is untouched when the IndexedDB connection is lost, so a held scan
// outlives a reload or the browser killing the tab.
import { zScan } from '@gatekeeper/shared/domain';
import type { ScanRecord } from '../ports.ts';

/** Where held scans are copied, to outlive the page. */
export interface ScanBackup {
  load(): ScanRecord[];
  save(records: ScanRecord[]): void;
}

/** The key of earlier versions ("unsaved scans"), kept: a phone updated while holding scans finds them. */
export const BACKUP_KEY = 'gatekeeper.unsaved';

/** The backup in localStorage; null where there is none (Node, a browser that forbids it). */
export function localStorageBackup(key = BACKUP_KEY, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = typeof localStorage === 'undefined' ? null : localStorage): ScanBackup | null {
  if (!storage) return null;
  return {
    load() {
      let raw: unknown;
      try { raw = JSON.parse(storage.getItem(key) ?? '[]'); } catch { return []; }
      if (!Array.isArray(raw)) return [];
      // Only what is still a scan of ours comes back: the page that wrote it may be older.
      return raw.flatMap((r: Partial<ScanRecord>) => {
        const scan = zScan.safeParse(r);
        return scan.success ? [{ ...scan.data, uploaded: r.uploaded === 1 ? 1 : 0, own: 1 } as ScanRecord] : [];
      });
    },
    save(records) {
      // Full too: the scans stay in memory, as before there was a backup.
      try {
        if (records.length) storage.setItem(key, JSON.stringify(records));
        else storage.removeItem(key);
      } catch (e) { console.warn('could not back up held scans', e); }
    },
  };
}
