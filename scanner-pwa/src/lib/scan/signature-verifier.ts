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
  fromBase64Url, isStrictPublicKey, isStrictSignatureShape, KNOWN_GOOD, toBase64Url, verifyBytes, warmVerifier,
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

export class SignatureVerifier {
  readonly #subtle: Subtle | null;
  #kind: Promise<VerifierKind> | null = null;
  /** The kind once found: read without an await, so a code's key imports start at once. */
  #known: VerifierKind | null = null;
  readonly #keys = new Map<string, Promise<Imported>>();

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

  /** The decoder's signature check (decodeCodeAsync). Never rejects. */
  readonly verify: AsyncSignatureVerifier = async (signature, message, publicKey, standing) => {
    if ((this.#known ?? (await this.kind())) === 'pure') return verifyBytes(signature, message, publicKey);
    if (!isStrictSignatureShape(signature)) return false;
    const key = await this.#key(publicKey, standing);
    if (key === 'refused') return false;
    if (key === 'pure') return verifyBytes(signature, message, publicKey);
    try {
      return await this.#subtle!.verify(ED25519, key, buf(signature), buf(message));
    } catch {
      // A key it imported but cannot use: the pure verifier decides, never "forged" for it.
      return verifyBytes(signature, message, publicKey);
    }
  };

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

  #key(publicKey: Uint8Array, standing?: KeyStanding): Promise<Imported> {
    const vouched = standing?.vouched === true;
    // Apart from keys checked here, so that a key once vouched for is never trusted unvouched.
    const id = (vouched ? 'v.' : '') + toBase64Url(publicKey);
    let key = this.#keys.get(id);
    if (!key) {
      key = this.#import(publicKey, vouched);
      if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.clear();
      this.#keys.set(id, key);
    }
    return key;
  }

  // Asked of WebCrypto before this turn ends, with no await first: a rotating code's
  // holder key is then imported ahead of the certificate's verification, which its decoder
  // asks for in the same turn. An engine that does WebCrypto's work on a thread of its own,
  // in order, would otherwise hold the holder's verification back behind the certificate's.
  // Chromium's Ed25519 works inside the call (see the top), where the order changes nothing
  // measurable (codes.verify.rotating, bench/README.md).
  async #import(publicKey: Uint8Array, vouched: boolean): Promise<Imported> {
    if (!vouched && !isStrictPublicKey(publicKey)) return 'refused';
    if ((this.#known ?? (await this.kind())) === 'pure') return 'pure';
    try {
      return await this.#subtle!.importKey('raw', buf(publicKey), ED25519, false, ['verify']);
    } catch {
      return 'pure';
    }
  }
}
