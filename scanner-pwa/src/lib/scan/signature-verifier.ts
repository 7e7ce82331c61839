// Checking a signed code's Ed25519 signature on the phone. The pure verifier (verifyBytes,
// noble) takes ~2 ms of the page's main thread per code in Chromium, inside the frame that
// should paint the verdict (bench/pwa-verdict.ts). The browser's own Ed25519 in WebCrypto
// (Chromium 137+, Firefox 129+, Safari 17+) does it in native code, and answers with a
// promise; Chromium does the work inside the call, on the page's thread (58 µs of a 58 µs
// verification, measured in the Chromium the benches run), so a code's two signatures are
// checked one after the other. A browser without it (an older phone) keeps the pure verifier.
//
// WebCrypto's engines differ in strictness (BoringSSL, NSS, Apple's), so the native check
// runs behind the shared strict checks: the key once, when imported (isStrictPublicKey),
// the signature's S and R encodings on every code (isStrictSignatureShape). A holder's
// device key skips the key check: the event key's signature over the certificate vouches
// for it (KeyStanding in shared/src/codec/keys.ts). A code is then
// valid here exactly when it is valid at the server and at a phone on the pure verifier
// (the argument is in sync-server/src/scans/ed25519-node.ts, which does the same).
import {
  fromBase64Url, isStrictPublicKey, isStrictSignatureShape, KNOWN_GOOD, verifyBytes, warmVerifier,
  type AsyncSignatureVerifier, type KeyStanding,
} from '@gatekeeper/shared/codec/index';
import type { PublicKeyEntry } from '@gatekeeper/shared/manifest';

/** The part of `crypto.subtle` used here (tests pass one that answers when they say). */
export type Subtle = Pick<SubtleCrypto, 'importKey' | 'verify'>;

export type VerifierKind = 'webcrypto' | 'pure';

/** An event has a handful of keys; the bound only keeps a stream of junk keys from growing the map. */
const MAX_CACHED_KEYS = 256;
const ED25519 = { name: 'Ed25519' } as const;

/** For WebCrypto's BufferSource type: these arrays never sit on a SharedArrayBuffer. */
const buf = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

/** A key as imported: usable natively, refused by the strict check, or left to the pure verifier. */
type Imported = CryptoKey | 'refused' | 'pure';

const REFUSED: Promise<boolean> = Promise.resolve(false);

/** A key's bytes as a string, one character a byte: the cache's key, cheaper than base64. */
const latin1 = (bytes: Uint8Array) => String.fromCharCode.apply(null, bytes as unknown as number[]);

export class SignatureVerifier {
  readonly #subtle: Subtle | null;
  #kind: Promise<VerifierKind> | null = null;
  /** The kind once found: read without an await, so a code's key imports start at once. */
  #known: VerifierKind | null = null;
  readonly #keys = new Map<string, Imported | Promise<Imported>>();

  constructor(subtle: Subtle | null = globalThis.crypto?.subtle ?? null) {
    this.#subtle = subtle;
  }

  /**
   * Which verifier this browser gets, found out once: WebCrypto when it verifies a known
   * signature and refuses it for another message; otherwise the pure one, warmed up, so
   * that its one-time set-up is not paid inside the first verdict.
   */
  kind(): Promise<VerifierKind> {
    this.#kind ??= this.#probe().then((kind) => (this.#known = kind));
    return this.#kind;
  }

  /**
   * The event's keys imported ahead of the first code (a manifest opened or refreshed).
   * Each key is imported once, whichever manifest lists it.
   */
  prepare(publicKeys: readonly PublicKeyEntry[]): void {
    for (const entry of publicKeys) {
      if (entry.revoked) continue;
      const bytes = fromBase64Url(entry.publicKey);
      if (bytes) void this.#key(bytes);
    }
  }

  /**
   * The decoder's signature check (decodeCodeAsync). Never rejects. A key already imported
   * is used in the caller's turn, with no await ahead of WebCrypto: a rotating code's
   * certificate is then verified, and its new phone key's import asked for, in the same
   * turn as the code is read, and the plumbing costs a code next to nothing beside its two
   * verifications (codes.verify.rotating).
   */
  readonly verify: AsyncSignatureVerifier = (signature, message, publicKey, standing) => {
    if (this.#known === null) return this.kind().then(() => this.verify(signature, message, publicKey, standing));
    if (this.#known === 'pure') return Promise.resolve(verifyBytes(signature, message, publicKey));
    if (!isStrictSignatureShape(signature)) return REFUSED;
    const key = this.#key(publicKey, standing);
    if (!(key instanceof Promise)) return this.#check(key, signature, message, publicKey);
    // An import that failed leaves the key to the pure verifier.
    return key.then((k) => this.#check(k, signature, message, publicKey), () => this.#check('pure', signature, message, publicKey));
  };

  #check(key: Imported, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    if (key === 'refused') return REFUSED;
    if (key === 'pure') return Promise.resolve(verifyBytes(signature, message, publicKey));
    // A key it imported but cannot use: the pure verifier decides, never "forged" for it.
    const pure = () => verifyBytes(signature, message, publicKey);
    try {
      return this.#subtle!.verify(ED25519, key, buf(signature), buf(message)).catch(pure);
    } catch {
      return Promise.resolve(pure());
    }
  }

  async #probe(): Promise<VerifierKind> {
    const subtle = this.#subtle;
    if (subtle) {
      try {
        const key = await subtle.importKey('raw', buf(KNOWN_GOOD.publicKey), ED25519, false, ['verify']);
        const good = await subtle.verify(ED25519, key, buf(KNOWN_GOOD.signature), buf(KNOWN_GOOD.message));
        const other = await subtle.verify(ED25519, key, buf(KNOWN_GOOD.signature), Uint8Array.of(1));
        if (good && !other) return 'webcrypto';
      } catch {
        // No Ed25519 in this browser's WebCrypto (NotSupportedError).
      }
    }
    warmVerifier();
    return 'pure';
  }

  /**
   * The key as imported, or its import under way (the first code that names it): a promise
   * that rejects if WebCrypto cannot import it, which leaves the key to the pure verifier.
   */
  #key(publicKey: Uint8Array, standing?: KeyStanding): Imported | Promise<Imported> {
    const vouched = standing?.vouched === true;
    // Apart from keys checked here, so that a key once vouched for is never trusted unvouched.
    const id = (vouched ? 'v' : 'c') + latin1(publicKey);
    const known = this.#keys.get(id);
    if (known) return known;
    if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.clear();
    const imported = this.#import(publicKey, vouched);
    this.#keys.set(id, imported);
    if (imported instanceof Promise) {
      // Kept as the key itself once settled, so that later codes use it without an await. A
      // branch of its own: the code that asked waits for the import, not for this.
      const keep = (key: Imported) => { if (this.#keys.has(id)) this.#keys.set(id, key); };
      void imported.then(keep, () => keep('pure'));
    }
    return imported;
  }

  // Asked of WebCrypto in the caller's turn, with no await first once the verifier's kind
  // is known: a rotating code's phone key is new at every code, and its import should not
  // wait for a later turn of the page.
  #import(publicKey: Uint8Array, vouched: boolean): Imported | Promise<Imported> {
    if (!vouched && !isStrictPublicKey(publicKey)) return 'refused';
    if (this.#known === null) return this.kind().then(() => this.#import(publicKey, vouched));
    if (this.#known === 'pure') return 'pure';
    try {
      return this.#subtle!.importKey('raw', buf(publicKey), ED25519, false, ['verify']);
    } catch {
      return 'pure';
    }
  }
}
