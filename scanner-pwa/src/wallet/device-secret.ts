// The secret that names this device to the server (header x-wallet-device): 32 random bytes
// made here once and kept in IndexedDB, never shown and never put in a link. A step done
// on this device (an SMS code, a mailed link) counts for this device only, so a copied or
// forwarded link is worth nothing without it. IndexedDB rather than localStorage: it is not
// read by a script that dumps localStorage, and it survives with an installed wallet.
const DB = 'gatekeeper-wallet-device';
const STORE = 'device';
const KEY = 'secret';

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

let kept: Promise<string> | null = null;

/** This device's secret, made on first use. */
export function deviceSecret(): Promise<string> {
  kept ??= (async () => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    const db = await request(open);
    try {
      const found = await request(db.transaction(STORE).objectStore(STORE).get(KEY)) as string | undefined;
      if (typeof found === 'string' && /^[A-Za-z0-9_-]{43}$/.test(found)) return found;
      const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
      // add, not put: two tabs making one at once keep the first, and both read it back.
      await request(db.transaction(STORE, 'readwrite').objectStore(STORE).add(secret, KEY)).catch(() => undefined);
      return (await request(db.transaction(STORE).objectStore(STORE).get(KEY))) as string;
    } finally {
      db.close();
    }
  })();
  kept.catch(() => { kept = null; });
  return kept;
}
