// The console's Mail section (admins): when the event's codes may leave the server (just-
// in-time access), sending the order mails with the holders' wallet links, and the outbox
// a server without GK_SMTP_HOST keeps instead of sending.
import type { CodeWindowReply, OrderMailsReply, OutboxMail } from '@gatekeeper/shared/api/wallet';
import type { EventId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';

export type MailApi = Pick<Api, 'codeWindow' | 'setCodeWindow' | 'sendOrderMails' | 'outbox'>;

export class MailDesk {
  #window = $state.raw<CodeWindowReply | null>(null);
  #outbox = $state.raw<OutboxMail[]>([]);
  #sent = $state.raw<OrderMailsReply | null>(null);
  #status = $state<'loading' | 'ready' | 'error'>('loading');
  #busy = $state(false);
  #error = $state.raw<unknown>(null);
  readonly #api: MailApi;
  readonly #eventId: EventId;

  constructor(api: MailApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get window() { return this.#window; }
  get outbox() { return this.#outbox; }
  /** What the last send did. */
  get sent() { return this.#sent; }
  get status() { return this.#status; }
  get busy() { return this.#busy; }
  get error() { return this.#error; }

  async load(): Promise<void> {
    try {
      const [window, outbox] = await Promise.all([this.#api.codeWindow(this.#eventId), this.#api.outbox()]);
      this.#window = window;
      this.#outbox = outbox;
      this.#status = 'ready';
      this.#error = null;
    } catch (e) {
      this.#error = e;
      if (!this.#window) this.#status = 'error';
    }
  }

  /** Minutes before the start from which codes may leave; null: whenever asked. */
  setLead(minutes: number | null): Promise<boolean> {
    return this.#do(async () => { this.#window = await this.#api.setCodeWindow(this.#eventId, minutes); });
  }

  send(again: boolean): Promise<boolean> {
    return this.#do(async () => {
      this.#sent = await this.#api.sendOrderMails(this.#eventId, again);
      this.#outbox = await this.#api.outbox();
    });
  }

  async #do(work: () => Promise<void>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    try {
      await work();
      this.#error = null;
      return true;
    } catch (e) {
      this.#error = e;
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
