// Minting codes: server side only (it alone holds private keys). Bad input throws: a
// code that cannot be read back must never be printed.
import { toBase64Url } from './base64url.ts';
import { CodeKind, FORMAT_VERSION, codePrefix } from './format.ts';
import type { SigningKey } from './keys.ts';
import { signBytes } from './keys.ts';
import {
  encodeOrderPayload, encodeTicketPayload, zOrderCodeFields, zTicketCodeFields,
  type OrderCodeInput, type TicketCodeInput,
} from './payload.ts';

export function signTicketCode(fields: TicketCodeInput, key: SigningKey): string {
  const payload = encodeTicketPayload({ version: FORMAT_VERSION, keyId: key.keyId }, zTicketCodeFields.parse(fields));
  return seal(CodeKind.ticket, payload, key);
}

export function signOrderCode(fields: OrderCodeInput, key: SigningKey): string {
  const payload = encodeOrderPayload({ version: FORMAT_VERSION, keyId: key.keyId }, zOrderCodeFields.parse(fields));
  return seal(CodeKind.order, payload, key);
}

function seal(kind: CodeKind, payload: Uint8Array, key: SigningKey): string {
  const prefix = codePrefix(FORMAT_VERSION, kind);
  const signature = signBytes(signedMessage(prefix, payload), key.privateKey);
  const body = new Uint8Array(payload.length + signature.length);
  body.set(payload);
  body.set(signature, payload.length);
  return prefix + toBase64Url(body);
}

/** ASCII prefix || payload: the prefix is signed so a payload cannot change kind or version. */
export function signedMessage(prefix: string, payload: Uint8Array): Uint8Array {
  const message = new Uint8Array(prefix.length + payload.length);
  for (let i = 0; i < prefix.length; i++) message[i] = prefix.charCodeAt(i);
  message.set(payload, prefix.length);
  return message;
}
