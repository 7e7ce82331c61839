// The wallet's side of rotating codes (docs/codes.md, kind R): the certificates the server
// gave this phone's key, and the code of a step signed with that key. The key never leaves
// the phone (a non-extractable WebCrypto key, device-key.ts); a code is only ever made here.
import type { BindDeviceReply } from '@gatekeeper/shared/api/certificates';
import { assembleRotatingCode, rotatingCodeMessage } from '@gatekeeper/shared/codec/rotating';
import { fromBase64Url } from '@gatekeeper/shared/codec/base64url';

/** The phone's signing key: its public half (raw Ed25519, base64url) and a way to sign with the private half. */
export interface DeviceKey {
  publicKey: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export type TicketCertificate = BindDeviceReply['certificates'][number];

/** The order's tickets bound to one key: kept with the order, so codes are made offline. */
export interface Binding {
  publicKey: string;
  certificates: TicketCertificate[];
}

/** The binding serves this key and every one of these tickets. */
export const bindingCovers = (b: Binding | undefined, key: DeviceKey | null, ticketIds: readonly string[]): boolean =>
  !!b && !!key && b.publicKey === key.publicKey && ticketIds.every((id) => b.certificates.some((c) => c.ticketId === id));

/** The code for `step` under `cert`, signed by the phone's key. */
export async function rotatingCode(cert: TicketCertificate, step: number, key: DeviceKey): Promise<string> {
  const certificate = fromBase64Url(cert.certificate);
  if (!certificate) throw new Error(`the certificate of ${cert.ticketId} is not base64url`);
  return assembleRotatingCode(certificate, step, await key.sign(rotatingCodeMessage(certificate, step)));
}
