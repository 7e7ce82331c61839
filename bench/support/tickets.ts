// The demo tickets a benchmark server is seeded with. demoTickets is deterministic, so
// the load generator computes the same set the server imported without asking for it.
import { fromBase64Url } from '@gatekeeper/shared/codec/base64url';
import { signTicketCode } from '@gatekeeper/shared/codec/index';
import type { TicketId } from '@gatekeeper/shared/ids';
import { demoTickets } from '../../sync-server/src/seed/demo.ts';
import { HttpSession } from '../../tests/support/scanner-client.ts';
import { DEMO_EVENT, login } from '../../tests/support/server.ts';

/** Every ticket id of a server seeded with `count` demo tickets. */
export function allTickets(count: number): TicketId[] {
  return demoTickets(DEMO_EVENT, count).tickets.map((t) => t.id);
}

/** Tickets that the main gate admits on a first scan: paid, no ID check, no validity window. */
export function admissibleTickets(count: number): TicketId[] {
  return demoTickets(DEMO_EVENT, count).tickets
    .filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null)
    .map((t) => t.id);
}

/** hands out each ticket once; throws when they run out rather than silently reusing one. */
export class TicketPool {
  private next = 0;
  constructor(private readonly ids: readonly TicketId[]) {}
  take(): TicketId {
    const id = this.ids[this.next++];
    if (id === undefined) throw new Error(`ran out of tickets after ${this.ids.length}`);
    return id;
  }
  get left(): number { return this.ids.length - this.next; }
}

/**
 * Signed ticket codes (what a QR code on a ticket holds) for the given tickets, made with
 * the event's key exactly as the server's issuer makes them.
 */
export function signedCodes(count: number, ids: readonly TicketId[], key: { keyId: string; privateKey: string }): Map<TicketId, string> {
  const privateKey = fromBase64Url(key.privateKey);
  if (!privateKey) throw new Error('unreadable signing key');
  const wanted = new Set(ids);
  const issuedAt = Date.now() - 3600_000;
  const codes = new Map<TicketId, string>();
  for (const t of demoTickets(DEMO_EVENT, count).tickets) {
    if (!wanted.has(t.id)) continue;
    codes.set(t.id, signTicketCode({
      eventId: t.eventId, ticketId: t.id, orderId: t.orderId, ticketType: t.type, validFrom: t.validFrom, validUntil: t.validUntil, issuedAt,
    }, { keyId: key.keyId, privateKey }));
  }
  return codes;
}

/**
 * `want` codes, as the server issues them, of tickets spread evenly over a server's
 * `total` demo tickets (every kind the demo has, and lookups that reach every part of a
 * phone's index). Asked of the server by a supervisor, as the demo sheet does.
 */
export async function spreadTicketCodes(server: { url: string }, total: number, want: number): Promise<string[]> {
  const sup = await HttpSession.login(server.url, login('supervisor').username, login('supervisor').password);
  const codes: string[] = [];
  const step = Math.floor(total / (want + 10));
  for (let i = 0; codes.length < want && i * step < total; i++) {
    const id = `T${String(1 + i * step).padStart(5, '0')}`;
    const r = await sup.request('GET', `/api/events/${DEMO_EVENT}/tickets/${id}/code`);
    if (r.status === 200) codes.push(r.json.code as string);
  }
  return codes;
}
