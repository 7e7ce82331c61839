// Ed25519 verification for the server through Node's crypto (OpenSSL): about 0.06 ms a
// signature against 0.9 ms for the pure-JS verifier (which scanners fall back to where the
// browser has no WebCrypto Ed25519), which at a stadium's peak of signed scans would be
// most of the server's CPU. The rules stay those of
// `verifyBytes` (shared/src/codec/keys.ts). OpenSSL alone is looser: with the identity as
// public key, R the identity and S = 0 it accepts any message (OpenSSL 3.0, Node 20; see
// tests/sync-server/ed25519-node.test.ts), so keys go through the shared strict check
// first; and its S < L check has varied between versions, so S is checked here too.
//
// Why this refuses whatever the strict pure verifier refuses: the key is checked with the
// same code (isStrictPublicKey); S < L and R's encoding are checked with the same code
// (isStrictSignatureShape); OpenSSL recomputes R from S and the key and compares its
// canonical encoding byte for byte, so an off-curve R cannot match either; and OpenSSL's
// equation is the cofactorless one, which holds only where the cofactored one
// `verifyBytes` uses also holds. The scanners' WebCrypto verifier rests on the same checks
// (scanner-pwa/src/lib/scan/signature-verifier.ts). A rotating code's device key skips
// the key check: the certificate's event signature vouches for it (KeyStanding, keys.ts).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isStrictPublicKey, isStrictSignatureShape, type SignatureVerifier } from '@gatekeeper/shared/codec/index';

/** DER SubjectPublicKeyInfo header for a raw 32-byte Ed25519 key (RFC 8410). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** An event has a handful of keys; the bound only keeps a stream of junk keys from growing the map. */
const MAX_CACHED_KEYS = 256;

/** A verifier with its own cache of parsed keys (each key is checked and parsed once). */
export function nodeEd25519Verifier(): SignatureVerifier {
  const keys = new Map<string, KeyObject | null>();
  const keyObject = (publicKey: Uint8Array, vouched: boolean): KeyObject | null => {
    // Apart from keys checked here, so that a key once vouched for is never trusted unvouched.
    const id = (vouched ? 'v.' : '') + Buffer.from(publicKey).toString('hex');
    let key = keys.get(id);
    if (key === undefined) {
      key = vouched || isStrictPublicKey(publicKey)
        ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
        : null;
      if (keys.size >= MAX_CACHED_KEYS) keys.clear();
      keys.set(id, key);
    }
    return key;
  };
  return (signature, message, publicKey, standing) => {
    if (!isStrictSignatureShape(signature) || publicKey.length !== 32) return false;
    try {
      const key = keyObject(publicKey, standing?.vouched === true);
      return key !== null && verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}
