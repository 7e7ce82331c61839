// Password hashing with scrypt (Node's own, memory-hard). Stored as
// `scrypt$N$r$p$salt$hash` so the cost can rise later without breaking old hashes.
//
// Where the scrypt itself runs is the caller's choice (`Scrypt`): libuv's thread pool by
// default (the CLI, seeding, tests), threads of their own at the lowest CPU priority in
// the server (scrypt-threads.ts, through the hash gate).
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

export interface ScryptParams { N: number; r: number; p: number; maxmem: number }

/** Derives `keylen` bytes from `password` and `salt`. */
export type Scrypt = (password: string, salt: Buffer, keylen: number, params: ScryptParams) => Promise<Buffer>;

/** Scrypt on libuv's thread pool. */
export const poolScrypt: Scrypt = (password, salt, keylen, params) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, params, (err, key) => (err ? reject(err) : resolve(key))));

// N=2^15, r=8: ~32 MiB and ~50 ms per hash on this class of machine; OWASP's minimum is 2^17
// with r=8,p=1 for interactive logins on servers; we stay lower for 2-core venue boxes but
// rate-limit logins hard (see rate-limit.ts).
const PARAMS = { N: 1 << 15, r: 8, p: 1 };
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export async function hashPassword(password: string, scrypt: Scrypt = poolScrypt): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...PARAMS, maxmem: MAXMEM });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string, scrypt: Scrypt = poolScrypt): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to verify against when the account does not exist, so timing does not tell. */
export const DUMMY_HASH_PROMISE = hashPassword('not-a-real-password');
