// The wallet's device key in a browser: an Ed25519 key pair made by WebCrypto with the
// private half not extractable, kept as a CryptoKey in IndexedDB (structured clone keeps a
// CryptoKey as is; localStorage could only hold bytes, which script could read and copy).
// A copy of the page's storage therefore carries no key that signs elsewhere.
import { toBase64Url } from '@gatekeeper/shared/codec/base64url';
import type { DeviceKey } from './rotating-codes.ts';

const DB = 'gatekeeper-wallet';
const STORE = 'keys';
const ID = 'device';
const ED25519 = { name: 'Ed25519' } as const;

interface StoredKey { privateKey: CryptoKey; publicKey: string }

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
}

async function database(): Promise<IDBDatabase> {
  const open = indexedDB.open(DB, 1);
  open.onupgradeneeded = () => { open.result.createObjectStore(STORE); };
  return request(open);
}

async function stored(db: IDBDatabase): Promise<StoredKey | undefined> {
  return request(db.transaction(STORE).objectStore(STORE).get(ID)) as Promise<StoredKey | undefined>;
}

const asDeviceKey = (k: StoredKey): DeviceKey => ({
  publicKey: k.publicKey,
  sign: async (message) => new Uint8Array(await crypto.subtle.sign(ED25519, k.privateKey, message as BufferSource)),
});

/** The phone's key; with `create`, made now if there is none (throws NotSupportedError without Ed25519 in WebCrypto). */
export async function browserDeviceKey(create: boolean): Promise<DeviceKey | null> {
  const db = await database();
  try {
    const kept = await stored(db);
    if (kept) return asDeviceKey(kept);
    if (!create) return null;
    const pair = await crypto.subtle.generateKey(ED25519, false, ['sign', 'verify']) as CryptoKeyPair;
    const made: StoredKey = { privateKey: pair.privateKey, publicKey: toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))) };
    const tx = db.transaction(STORE, 'readwrite');
    // add, not put: two tabs making a key at once keep the first, and the second reads it back.
    tx.objectStore(STORE).add(made, ID);
    try {
      await new Promise<void>((resolve, reject) => { tx.oncomplete = () => resolve(); tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error); });
    } catch {
      const first = await stored(db);
      if (first) return asDeviceKey(first);
      throw new Error('the phone could not keep its ticket key');
    }
    return asDeviceKey(made);
  } finally {
    db.close();
  }
}
