// Branded ids: a TicketId cannot be passed where a ScanId is expected, and every id that
// crosses a trust boundary goes through its parsing constructor first.
import { z } from 'zod';

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type EventId = Brand<string, 'EventId'>;
export type TicketId = Brand<string, 'TicketId'>;
export type OrderId = Brand<string, 'OrderId'>;
export type CheckpointId = Brand<string, 'CheckpointId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type ScanId = Brand<string, 'ScanId'>;
export type InspectorId = Brand<string, 'InspectorId'>;

// Ids are short printable tokens: they travel inside QR codes and CSV files, so no spaces,
// no control characters, nothing a spreadsheet would mangle.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export class IdError extends Error {
  constructor(kind: string, value: unknown) {
    super(`not a valid ${kind}: ${JSON.stringify(value)?.slice(0, 80)}`);
    this.name = 'IdError';
  }
}

function idParser<T extends string>(kind: string) {
  return (value: unknown): T => {
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw new IdError(kind, value);
    return value as T;
  };
}

export const eventId = idParser<EventId>('event id');
export const ticketId = idParser<TicketId>('ticket id');
export const orderId = idParser<OrderId>('order id');
export const checkpointId = idParser<CheckpointId>('checkpoint id');
export const deviceId = idParser<DeviceId>('device id');
export const scanId = idParser<ScanId>('scan id');
export const inspectorId = idParser<InspectorId>('inspector id');

export const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);

/** Zod schema for a branded id, used in protocol schemas so parsing yields the brand. */
export const zId = <T extends string>() =>
  z.string().regex(ID_PATTERN, 'not a valid id').transform((s) => s as T);

/** A fresh random id (scan ids are made on the phone, so they must never collide). */
export function newId(prefix = ''): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return prefix + s;
}
