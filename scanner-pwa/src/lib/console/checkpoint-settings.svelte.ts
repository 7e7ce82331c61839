// The console's Checkpoints: the event's checkpoints, the one being edited (or a new one),
// saving it, and the dry run against the rules as they stand in the form, saved or not.
import type { DryRunReply } from '@gatekeeper/shared/api/checkpoints';
import type { Checkpoint, Direction } from '@gatekeeper/shared/domain';
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';
import type { LoadStatus } from './history-browser.svelte.ts';

export type CheckpointApi = Pick<Api, 'eventDetails' | 'saveCheckpoint' | 'dryRun'>;

export interface DryRunState { status: 'running' | 'ready' | 'error'; reply: DryRunReply | null; error: unknown }

export class CheckpointSettings {
  #list = $state.raw<Checkpoint[]>([]);
  #status = $state<LoadStatus>('idle');
  #error = $state.raw<unknown>(null);
  /** The checkpoint open in the form; 'new' for one being added. */
  #open = $state<string | null>(null);
  #saving = $state(false);
  #saveError = $state.raw<unknown>(null);
  #saved = $state<string | null>(null);
  #dry = $state.raw<DryRunState | null>(null);
  #dryRequest = 0;
  readonly #api: CheckpointApi;
  readonly #eventId: EventId;

  constructor(api: CheckpointApi, eventId: EventId) {
    this.#api = api;
    this.#eventId = eventId;
  }

  get list() { return this.#list; }
  get status() { return this.#status; }
  get error() { return this.#error; }
  get open() { return this.#open; }
  get openCheckpoint(): Checkpoint | null { return this.#list.find((c) => c.id === this.#open) ?? null; }
  get saving() { return this.#saving; }
  get saveError() { return this.#saveError; }
  /** The id of the checkpoint just saved, until the form changes or another opens. */
  get saved() { return this.#saved; }
  get dryRun() { return this.#dry; }

  async load(): Promise<void> {
    this.#status = 'loading';
    try {
      this.#list = (await this.#api.eventDetails(this.#eventId)).checkpoints;
      this.#status = 'ready';
      this.#error = null;
      if (this.#open === null && this.#list.length) this.#open = this.#list[0]!.id;
    } catch (e) {
      this.#error = e;
      this.#status = 'error';
    }
  }

  select(id: string | 'new'): void {
    this.#open = id;
    this.#saveError = null;
    this.#saved = null;
    this.#dry = null;
    this.#dryRequest++;
  }

  edited(): void { this.#saved = null; }

  async save(checkpoint: Checkpoint): Promise<boolean> {
    this.#saving = true;
    this.#saveError = null;
    try {
      const { checkpoint: stored } = await this.#api.saveCheckpoint(checkpoint);
      const rest = this.#list.filter((c) => c.id !== stored.id);
      this.#list = [...rest, stored].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
      this.#open = stored.id;
      this.#saved = stored.id;
      return true;
    } catch (e) {
      this.#saveError = e;
      return false;
    } finally {
      this.#saving = false;
    }
  }

  /** What a scanner with these rules would answer for the ticket at `at`; a later run replaces an earlier one. */
  async runDryRun(ticketId: TicketId, checkpoint: Checkpoint, at: number, direction: Direction = 'entry'): Promise<void> {
    const request = ++this.#dryRequest;
    this.#dry = { status: 'running', reply: this.#dry?.reply ?? null, error: null };
    try {
      const reply = await this.#api.dryRun(this.#eventId, { ticketId, checkpoint, at, direction });
      if (request === this.#dryRequest) this.#dry = { status: 'ready', reply, error: null };
    } catch (e) {
      if (request === this.#dryRequest) this.#dry = { status: 'error', reply: null, error: e };
    }
  }
}
