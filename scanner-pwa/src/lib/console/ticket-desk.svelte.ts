// The console's Tickets: find a ticket by what is printed on it (its code, id, order,
// barcode) or by its holder's name, and set its status with a reason. The server records
// the change in the audit and tells every phone to fetch it (a manifest delta).
import type { AuditEntry, TicketFound } from '@gatekeeper/shared/api/settings';
import type { Ticket } from '@gatekeeper/shared/domain';
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';

export type TicketDeskApi = Pick<Api, 'findTickets' | 'setTicketStatus' | 'audit'>;

export class TicketDesk {
  #query = $state('');
  #results = $state.raw<TicketFound[]>([]);
  #status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  #selected = $state.raw<TicketFound | null>(null);
  #history = $state.raw<AuditEntry[]>([]);
  #saving = $state(false);
  #error = $state.raw<unknown>(null);
  /** Which search the results belong to: a slow answer for an older one is dropped. */
  #search = 0;
  readonly #api: TicketDeskApi;
  readonly #eventId: EventId;

  constructor(api: TicketDeskApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get query() { return this.#query; }
  get results() { return this.#results; }
  get status() { return this.#status; }
  get selected() { return this.#selected; }
  /** The selected ticket's status changes, newest first. */
  get history() { return this.#history; }
  get saving() { return this.#saving; }
  get error() { return this.#error; }

  async find(text: string): Promise<void> {
    const search = ++this.#search;
    this.#query = text.trim();
    this.#selected = null;
    this.#error = null;
    if (!this.#query) { this.#results = []; this.#status = 'idle'; return; }
    this.#status = 'loading';
    try {
      const found = await this.#api.findTickets(this.#eventId, this.#query);
      if (search !== this.#search) return;
      this.#results = found;
      this.#status = 'ready';
      // One ticket found (a scanned code): open it at once.
      if (found.length === 1) await this.select(found[0]!);
    } catch (e) {
      if (search !== this.#search) return;
      this.#error = e;
      this.#status = 'error';
    }
  }

  async select(ticket: TicketFound): Promise<void> {
    this.#selected = ticket;
    this.#history = [];
    this.#history = await this.#audit(ticket.id).catch(() => []);
  }

  close(): void { this.#selected = null; }

  /** Set the selected ticket's status; the reason is required (the audit keeps it). */
  async setStatus(status: Ticket['status'], reason: string): Promise<boolean> {
    const ticket = this.#selected;
    if (!ticket || this.#saving) return false;
    this.#saving = true;
    try {
      const updated = await this.#api.setTicketStatus(this.#eventId, ticket.id, status, reason.trim());
      this.#results = this.#results.map((t) => (t.id === updated.id ? updated : t));
      if (this.#selected?.id === updated.id) this.#selected = updated;
      this.#error = null;
      this.#history = await this.#audit(updated.id).catch(() => this.#history);
      return true;
    } catch (e) {
      this.#error = e;
      return false;
    } finally {
      this.#saving = false;
    }
  }

  async #audit(id: TicketId): Promise<AuditEntry[]> {
    return (await this.#api.audit(this.#eventId, `action=ticket.status&target=${encodeURIComponent(id)}&limit=20`)).entries;
  }
}
