// A store that counts its log reads (scansAfter): the gossip tests check that the event's
// tail sends the scans it is handed without reading them back.
import type { Storage } from '../../sync-server/src/storage/types.ts';

export function logReadCounter(): { wrap: (storage: Storage) => Storage; readonly reads: number } {
  let reads = 0;
  return {
    get reads() { return reads; },
    wrap: (storage) => new Proxy(storage, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (name !== 'scansAfter' || typeof value !== 'function') return value;
        return (...args: unknown[]) => { reads++; return (value as (...a: unknown[]) => unknown).apply(target, args); };
      },
    }),
  };
}
