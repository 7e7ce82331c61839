// The console's box office, beside a ticket found in Tickets (issue 11, measure 6): an admin
// changes who the ticket's order is for (name, e-mail, mobile, with a reason; the server
// re-issues the order's code material and mails the new link) or unbinds the ticket from
// the holder's phone. Supervisors read what was done (the audit), admins act. Each action
// asks for a confirming tap first: both stop codes that work now.
import type { AuditEntry } from '@gatekeeper/shared/api/settings';
import type { HolderChangeReply, HolderReply } from '@gatekeeper/shared/api/verification';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';

export type BoxOfficeApi = Pick<Api, 'orderHolder' | 'changeHolder' | 'revokeTicketPhone' | 'audit'>;

/** The form as typed: empty fields mean "none" (the server clears them). */
export interface HolderForm { buyerName: string; email: string; mobile: string; reason: string }

/** What the last action did, for the line that says so. */
export type BoxOfficeResult = { kind: 'holder'; reply: HolderChangeReply } | { kind: 'phone'; revoked: number };

export type Confirming = 'holder' | 'phone' | null;

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

export class BoxOffice {
  #holder = $state.raw<HolderReply | null>(null);
  #history = $state.raw<AuditEntry[]>([]);
  #confirming = $state<Confirming>(null);
  #saving = $state(false);
  #result = $state.raw<BoxOfficeResult | null>(null);
  #error = $state.raw<unknown>(null);
  readonly #api: BoxOfficeApi;
  readonly #eventId: EventId;
  readonly #ticketId: TicketId;
  readonly #orderId: OrderId | null;

  constructor(api: BoxOfficeApi, eventId: EventId, ticket: { id: TicketId; orderId: OrderId | null }) {
    this.#api = api;
    this.#eventId = eventId;
    this.#ticketId = ticket.id;
    this.#orderId = ticket.orderId;
  }

  /** Who the order is for now (admins only; null until loaded, or for a supervisor). */
  get holder() { return this.#holder; }
  /** The order's holder changes and the ticket's phone unbindings, newest first. */
  get history() { return this.#history; }
  get confirming() { return this.#confirming; }
  get saving() { return this.#saving; }
  get result() { return this.#result; }
  get error() { return this.#error; }
  get hasOrder() { return this.#orderId !== null; }

  /** Read what was done; an admin also gets the order's current holder for the form. */
  async load(isAdmin: boolean): Promise<void> {
    this.#error = null;
    const holder = isAdmin && this.#orderId ? this.#api.orderHolder(this.#eventId, this.#orderId) : Promise.resolve(null);
    try {
      [this.#holder, this.#history] = await Promise.all([holder, this.#audit()]);
    } catch (e) {
      this.#error = e;
    }
  }

  /** The first tap: the form or button asks to be confirmed. */
  ask(what: Exclude<Confirming, null>): void {
    this.#confirming = what;
    this.#result = null;
    this.#error = null;
  }

  cancel(): void { this.#confirming = null; }

  /** Confirmed: change the order's holder. True when done. */
  async changeHolder(form: HolderForm): Promise<boolean> {
    const orderId = this.#orderId;
    if (!orderId) return false;
    return this.#do(async () => {
      const reply = await this.#api.changeHolder(this.#eventId, orderId, {
        buyerName: orNull(form.buyerName), email: orNull(form.email), mobile: orNull(form.mobile)?.replace(/[\s().-]/g, '') ?? null, reason: form.reason.trim(),
      });
      this.#result = { kind: 'holder', reply };
      this.#holder = await this.#api.orderHolder(this.#eventId, orderId).catch(() => this.#holder);
    });
  }

  /** Confirmed: unbind the ticket from the holder's phone. True when done. */
  async revokePhone(reason: string): Promise<boolean> {
    return this.#do(async () => {
      const reply = await this.#api.revokeTicketPhone(this.#eventId, this.#ticketId, reason.trim());
      this.#result = { kind: 'phone', revoked: reply.revoked.length };
    });
  }

  async #do(work: () => Promise<void>): Promise<boolean> {
    if (this.#saving) return false;
    this.#saving = true;
    try {
      await work();
      this.#error = null;
      this.#confirming = null;
      this.#history = await this.#audit().catch(() => this.#history);
      return true;
    } catch (e) {
      // Refused: the form is back as it was, with why, to fix and ask again.
      this.#error = e;
      this.#confirming = null;
      return false;
    } finally {
      this.#saving = false;
    }
  }

  async #audit(): Promise<AuditEntry[]> {
    const q = (action: string, target: string) => this.#api.audit(this.#eventId, `action=${action}&target=${encodeURIComponent(target)}&limit=20`);
    const [holder, phone] = await Promise.all([
      this.#orderId ? q('order.holder', this.#orderId) : Promise.resolve({ entries: [] as AuditEntry[] }),
      q('device_certificates.revoke', this.#ticketId),
    ]);
    return [...holder.entries, ...phone.entries].sort((a, b) => b.at - a.at);
  }
}
