// The Api port over fetch, same origin as the app (the sync server serves both). Every
// answer is parsed; every error arrives as the one error body and leaves as a GkError.
import { zHistoryReply, zTicketStoryReply, type HistoryReply, type TicketStoryReply } from '@gatekeeper/shared/api/history';
import {
  zClaimedDeviceReply, zEventDetailsReply, zOrderCodeReply, zRegisteredDeviceReply, zSessionReply, zTicketCodeReply,
} from '@gatekeeper/shared/api/index';
import {
  zAuditReply, zCodeWordReply, zStaffListReply, zStaffReply, zTicketSearchReply, zTicketStatusReply,
  type AuditReply, type CodeWordBody, type CodeWordReply, type CreateStaffBody, type StaffInfo, type TicketFound,
} from '@gatekeeper/shared/api/settings';
import type { Ticket } from '@gatekeeper/shared/domain';
import type { DeviceId, EventId, InspectorId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import type { Role } from '@gatekeeper/shared/protocol/index';
import { zManifest, type Manifest } from '@gatekeeper/shared/manifest';
import { GkError, zErrorBody } from '@gatekeeper/shared/protocol/index';
import { z } from 'zod';
import type { Api, EventDetails, SessionInfo, SignedCode } from '../ports.ts';

// Rows are checked by a typed loop in ticket-rows.ts: a zod union per cell is too slow
// for 100,000 tickets.
const zManifestHead = zManifest.omit({ tickets: true }).extend({ tickets: z.array(z.array(z.unknown())) });

/** Raised when the network itself failed (offline, server down), as opposed to an answer. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(`network: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NetworkError';
  }
}

export class HttpApi implements Api {
  readonly #base: string;
  readonly #fetch: typeof fetch;

  constructor(base = '', fetchImpl: typeof fetch = (...a) => globalThis.fetch(...a)) {
    this.#base = base;
    this.#fetch = fetchImpl;
  }

  async login(username: string, password: string): Promise<SessionInfo> {
    return zSessionReply.parse(await this.#json('POST', '/api/login', { username, password }));
  }
  async logout(): Promise<void> {
    await this.#json('POST', '/api/logout', {});
  }
  async me(): Promise<SessionInfo> {
    return zSessionReply.parse(await this.#json('GET', '/api/me'));
  }
  async registerDevice(name: string): Promise<{ id: DeviceId; name: string; secret: string }> {
    return zRegisteredDeviceReply.parse(await this.#json('POST', '/api/devices', { name })).device;
  }
  async claimDevice(id: DeviceId, secret: string): Promise<{ id: DeviceId; name: string }> {
    return zClaimedDeviceReply.parse(await this.#json('POST', '/api/devices/claim', { deviceId: id, secret })).device;
  }
  async eventDetails(eventId: EventId): Promise<EventDetails> {
    return zEventDetailsReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}`));
  }
  async manifest(eventId: EventId, since: number): Promise<Manifest> {
    const body = zManifestHead.parse(await this.#json('GET', `/api/events/${enc(eventId)}/manifest?since=${since}`));
    return body as Manifest;
  }
  async ticketCode(eventId: EventId, ticketId: TicketId): Promise<SignedCode> {
    return zTicketCodeReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/tickets/${enc(ticketId)}/code`));
  }
  async orderCode(eventId: EventId, orderId: OrderId): Promise<SignedCode> {
    return zOrderCodeReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/orders/${enc(orderId)}/code`));
  }

  async history(eventId: EventId, query: string): Promise<HistoryReply> {
    return zHistoryReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/history${query ? `?${query}` : ''}`));
  }
  async ticketStory(eventId: EventId, ticketId: TicketId): Promise<TicketStoryReply> {
    return zTicketStoryReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/tickets/${enc(ticketId)}/story`));
  }
  historyCsvHref(eventId: EventId, query: string): string {
    return `${this.#base}/api/events/${enc(eventId)}/history.csv${query ? `?${query}` : ''}`;
  }

  async codeWord(eventId: EventId): Promise<CodeWordReply> {
    return zCodeWordReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/code-word`));
  }
  async setCodeWord(eventId: EventId, body: CodeWordBody): Promise<CodeWordReply> {
    return zCodeWordReply.parse(await this.#json('PUT', `/api/events/${enc(eventId)}/code-word`, body));
  }
  async findTickets(eventId: EventId, text: string): Promise<TicketFound[]> {
    return zTicketSearchReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/tickets?q=${enc(text)}`)).tickets;
  }
  async setTicketStatus(eventId: EventId, ticketId: TicketId, status: Ticket['status'], reason: string): Promise<TicketFound> {
    return zTicketStatusReply.parse(await this.#json('POST', `/api/events/${enc(eventId)}/tickets/${enc(ticketId)}/status`, { status, reason })).ticket;
  }
  async audit(eventId: EventId, query: string): Promise<AuditReply> {
    return zAuditReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/audit${query ? `?${query}` : ''}`));
  }
  async staff(): Promise<StaffInfo[]> {
    return zStaffListReply.parse(await this.#json('GET', '/api/staff')).staff;
  }
  async createStaff(body: CreateStaffBody): Promise<StaffInfo> {
    return zStaffReply.parse(await this.#json('POST', '/api/staff', body)).staff;
  }
  async setStaffRole(id: InspectorId, role: Role): Promise<StaffInfo> {
    return zStaffReply.parse(await this.#json('POST', `/api/staff/${enc(id)}/role`, { role })).staff;
  }
  async setStaffEvents(id: InspectorId, events: EventId[]): Promise<StaffInfo> {
    return zStaffReply.parse(await this.#json('PUT', `/api/staff/${enc(id)}/events`, { events })).staff;
  }
  async setStaffDisabled(id: InspectorId, disabled: boolean): Promise<StaffInfo> {
    return zStaffReply.parse(await this.#json('POST', `/api/staff/${enc(id)}/${disabled ? 'disable' : 'enable'}`)).staff;
  }
  async resetStaffPassword(id: InspectorId, newPassword: string): Promise<void> {
    await this.#json('POST', `/api/staff/${enc(id)}/password`, { newPassword });
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.#fetch(this.#base + path, {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new NetworkError(e);
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let json: unknown = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* handled below */ }
    if (!res.ok) {
      const err = zErrorBody.safeParse(json);
      if (err.success) throw new GkError(err.data.error.code, err.data.error.message, err.data.error.details);
      throw new GkError(res.status >= 500 ? 'internal' : 'bad_request', `HTTP ${res.status} from ${path}`);
    }
    if (json === null && text) throw new GkError('malformed_message', `${path} answered something that is not JSON`);
    return json;
  }
}

const enc = encodeURIComponent;
