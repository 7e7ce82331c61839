// What SMS codes and mailed links have in common: a secret sent to the holder, kept only as
// a keyed hash (HMAC with a key of the server's, not a bare SHA-256: a 6-digit code's hash
// is reversed by trying a million codes), bound to one order on one device, valid for a
// while and single use. The device is the SHA-256 of the secret its wallet keeps and sends
// with every request (header x-wallet-device): whoever lacks that secret is another device.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { WALLET_DEVICE_HEADER, zWalletDeviceSecret, type VerifyRefusal } from '@gatekeeper/shared/api/verification';
import { GkError, type ErrorCode } from '@gatekeeper/shared/protocol/index';
import type { Storage } from '../storage/types.ts';

/** The device a request speaks for: the hash of its wallet's secret; bad_request without one. */
export function deviceHashOf(header: string | undefined): string {
  const parsed = zWalletDeviceSecret.safeParse(header ?? '');
  if (!parsed.success) throw new GkError('bad_request', `${WALLET_DEVICE_HEADER}: send the device secret your wallet keeps`);
  return createHash('sha256').update(parsed.data).digest('base64url');
}

export class ChallengeKey {
  #key: Promise<Buffer> | null = null;
  constructor(private readonly storage: Storage) {}

  /** The keyed hash of a secret in its context (kind, order, device): a code means nothing outside it. */
  async hash(...parts: string[]): Promise<string> {
    this.#key ??= this.storage.serverSecret('wallet-challenges');
    return createHmac('sha256', await this.#key).update(parts.join('\u0000')).digest('base64url');
  }
}

export const sameHash = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A refusal the wallet can say in the holder's words (details.reason). */
export const refusal = (code: ErrorCode, reason: VerifyRefusal, message: string, extra: Record<string, number> = {}): GkError =>
  new GkError(code, message, { reason, ...extra });
