// The Api port over fetch, same origin as the app (the sync server serves both). Every
// answer is parsed; every error arrives as the one error body and leaves as a GkError.
import { zHolderChangeReply, zHolderReply, zMeasures, type HolderChangeBody, type HolderChangeReply, type HolderReply, type Measures } from '@gatekeeper/shared/api/verification';
import { zRevokeCertificatesReply, type RevokeCertificatesReply } from '@gatekeeper/shared/api/certificates';
import { zHistoryReply, zTicketStoryReply, type HistoryReply, type TicketStoryReply } from '@gatekeeper/shared/api/history';
import { zConflictListReply, zQuarantineReply, zReviewReply, type ConflictEntry, type ConflictListReply, type QuarantineReply } from '@gatekeeper/shared/api/live';
import {
  zClaimedDeviceReply, zEventDetailsReply, zOrderCodeReply, zRegisteredDeviceReply, zSessionReply, zTicketCodeReply,
} from '@gatekeeper/shared/api/index';
import { zFleetChange, zFleetReply, type FleetChange, type FleetReply } from '@gatekeeper/shared/api/fleet';
import { zCheckpointReply, zDryRunReply, type DryRunReply, type DryRunRequest } from '@gatekeeper/shared/api/checkpoints';
import {
  zImportPreviewReply, zImportReply, zMappingListReply, zMappingReply, type ImportMapping, type ImportPreviewReply, type ImportReply, type MappingBody,
} from '@gatekeeper/shared/api/imports';
import {
  zAuditReply, zCodeWordReply, zStaffListReply, zStaffReply, zTicketSearchReply, zTicketStatusReply,
  type AuditReply, type CodeWordBody, type CodeWordReply, type CreateStaffBody, type StaffInfo, type TicketFound,
} from '@gatekeeper/shared/api/settings';
import {
  zCodeWindowReply, zOrderMailsReply, zOutboxReply, type CodeWindowReply, type OrderMailsReply, type OutboxMail,
} from '@gatekeeper/shared/api/wallet';
import type { Checkpoint, Ticket } from '@gatekeeper/shared/domain';
import type { ColumnMap } from '@gatekeeper/shared/import-mapping';
import type { DeviceId, EventId, InspectorId, OrderId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import type { Role } from '@gatekeeper/shared/protocol/index';
import { zManifest, type Manifest } from '@gatekeeper/shared/manifest';
import { GkError, zErrorBody } from '@gatekeeper/shared/protocol/index';
import { z } from 'zod';
import type { Api, EventDetails, ImportFile, SessionInfo, SignedCode } from '../ports.ts';

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

/** A body sent as it is, with its own content type (a ticket file), rather than as JSON. */
class RawBody {
  readonly raw: string;
  readonly type: string;
  constructor(raw: string, type: string) { this.raw = raw; this.type = type; }
}
const isRaw = (b: unknown): b is RawBody => b instanceof RawBody;

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
  async conflicts(eventId: EventId): Promise<ConflictListReply> {
    return zConflictListReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/conflicts`));
  }
  async reviewConflict(eventId: EventId, conflictId: ScanId, note: string): Promise<ConflictEntry> {
    return zReviewReply.parse(await this.#json('POST', `/api/events/${enc(eventId)}/conflicts/${enc(conflictId)}/review`, { note })).conflict;
  }
  async quarantine(eventId: EventId): Promise<QuarantineReply> {
    return zQuarantineReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/quarantine`));
  }

  async fleet(eventId: EventId): Promise<FleetReply> {
    return zFleetReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/fleet`));
  }
  watchFleet(eventId: EventId, on: { change(c: FleetChange): void; reopened(): void }): () => void {
    if (typeof EventSource === 'undefined') return () => {};
    const source = new EventSource(`${this.#base}/api/events/${enc(eventId)}/fleet/stream`);
    let opened = false;
    source.addEventListener('open', () => { if (opened) on.reopened(); opened = true; });
    source.addEventListener('device', (e) => {
      let json: unknown;
      try { json = JSON.parse((e as MessageEvent<string>).data); } catch { return; }
      const parsed = zFleetChange.safeParse(json);
      if (parsed.success) on.change(parsed.data); else console.warn('ignored a fleet change that does not parse', parsed.error);
    });
    return () => source.close();
  }
  async revokeDevice(id: DeviceId): Promise<void> {
    await this.#json('POST', `/api/devices/${enc(id)}/revoke`, {});
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<{ checkpoint: Checkpoint; created: boolean }> {
    return zCheckpointReply.parse(await this.#json('PUT', `/api/events/${enc(checkpoint.eventId)}/checkpoints/${enc(checkpoint.id)}`, checkpoint));
  }
  async dryRun(eventId: EventId, request: DryRunRequest): Promise<DryRunReply> {
    return zDryRunReply.parse(await this.#json('POST', `/api/events/${enc(eventId)}/dry-run`, request));
  }
  async importMappings(eventId: EventId): Promise<ImportMapping[]> {
    return zMappingListReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/import/mappings`)).mappings;
  }
  async saveImportMapping(eventId: EventId, id: string, body: MappingBody): Promise<ImportMapping> {
    return zMappingReply.parse(await this.#json('PUT', `/api/events/${enc(eventId)}/import/mappings/${enc(id)}`, body)).mapping;
  }
  importTickets(eventId: EventId, file: ImportFile, opts: { columns: readonly ColumnMap[]; preview: true }): Promise<ImportPreviewReply>;
  importTickets(eventId: EventId, file: ImportFile, opts: { columns: readonly ColumnMap[]; preview: false }): Promise<ImportReply>;
  async importTickets(eventId: EventId, file: ImportFile, opts: { columns: readonly ColumnMap[]; preview: boolean }): Promise<ImportPreviewReply | ImportReply> {
    const q = [opts.preview ? 'preview=1' : '', opts.columns.length ? `columns=${enc(JSON.stringify(opts.columns))}` : ''].filter(Boolean).join('&');
    const type = file.format === 'csv' ? 'text/csv' : 'application/json';
    const reply = await this.#json('POST', `/api/events/${enc(eventId)}/import${q ? `?${q}` : ''}`, new RawBody(file.text, type));
    return opts.preview ? zImportPreviewReply.parse(reply) : zImportReply.parse(reply);
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
  async codeWindow(eventId: EventId): Promise<CodeWindowReply> {
    return zCodeWindowReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/code-window`));
  }
  async setCodeWindow(eventId: EventId, leadMinutes: number | null): Promise<CodeWindowReply> {
    return zCodeWindowReply.parse(await this.#json('PUT', `/api/events/${enc(eventId)}/code-window`, { leadMinutes }));
  }
  async measures(eventId: EventId): Promise<Measures> {
    return zMeasures.parse(await this.#json('GET', `/api/events/${enc(eventId)}/measures`));
  }
  async setMeasures(eventId: EventId, measures: Measures): Promise<Measures> {
    return zMeasures.parse(await this.#json('PUT', `/api/events/${enc(eventId)}/measures`, measures));
  }
  async orderHolder(eventId: EventId, orderId: OrderId): Promise<HolderReply> {
    return zHolderReply.parse(await this.#json('GET', `/api/events/${enc(eventId)}/orders/${enc(orderId)}/holder`));
  }
  async changeHolder(eventId: EventId, orderId: OrderId, body: HolderChangeBody): Promise<HolderChangeReply> {
    return zHolderChangeReply.parse(await this.#json('PUT', `/api/events/${enc(eventId)}/orders/${enc(orderId)}/holder`, body));
  }
  async revokeTicketPhone(eventId: EventId, ticketId: TicketId, reason: string): Promise<RevokeCertificatesReply> {
    return zRevokeCertificatesReply.parse(await this.#json('POST', `/api/events/${enc(eventId)}/tickets/${enc(ticketId)}/device-certificates/revoke`, { reason }));
  }
  async sendOrderMails(eventId: EventId, again: boolean): Promise<OrderMailsReply> {
    return zOrderMailsReply.parse(await this.#json('POST', `/api/events/${enc(eventId)}/order-mails`, { again }));
  }
  async outbox(): Promise<OutboxMail[]> {
    return zOutboxReply.parse(await this.#json('GET', '/api/mail/outbox')).mails;
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

  /** `body`: sent as JSON, or as it is with its own type (`raw`: a ticket file). */
  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    const raw = isRaw(body) ? body : null;
    try {
      res = await this.#fetch(this.#base + path, {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': raw?.type ?? 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : raw ? raw.raw : JSON.stringify(body),
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
