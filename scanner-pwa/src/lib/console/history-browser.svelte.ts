// The History screen's state: the filters applied, the rows loaded so far (newest first),
// the cursor of the next page, and the ticket whose story is open. Pages come from the
// server (GET …/history); the screen only lays them out.
import type { HistoryEntry, HistoryFilters, TicketStoryReply } from '@gatekeeper/shared/api/history';
import type { EventId, TicketId } from '@gatekeeper/shared/ids';
import type { Api } from '../ports.ts';
import { historyQuery } from './history-filters.ts';

export type HistoryApi = Pick<Api, 'history' | 'ticketStory' | 'historyCsvHref'>;

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface StoryState {
  ticketId: TicketId;
  status: LoadStatus;
  story: TicketStoryReply | null;
  error: unknown;
}

export class HistoryBrowser {
  #filters = $state.raw<HistoryFilters>({});
  #rows = $state.raw<HistoryEntry[]>([]);
  #next = $state<string | null>(null);
  #status = $state<LoadStatus>('idle');
  #loadingMore = $state(false);
  #error = $state.raw<unknown>(null);
  #story = $state.raw<StoryState | null>(null);
  /**
   * Which search the rows belong to: an answer for filters since replaced (a slow page, a
   * story opened before another) is dropped, never mixed into the newer one.
   */
  #search = 0;
  #storyRequest = 0;
  readonly #api: HistoryApi;
  readonly #eventId: EventId;
  readonly #pageSize: number;

  constructor(api: HistoryApi, eventId: EventId, opts: { pageSize?: number } = {}) {
    this.#api = api;
    this.#eventId = eventId;
    this.#pageSize = opts.pageSize ?? 100;
  }

  get filters() { return this.#filters; }
  get rows() { return this.#rows; }
  get status() { return this.#status; }
  get error() { return this.#error; }
  get loadingMore() { return this.#loadingMore; }
  /** More rows match than are loaded. */
  get hasMore(): boolean { return this.#next !== null; }
  get story() { return this.#story; }
  /** The filters as the server reads them ('' for none). */
  get query(): string { return historyQuery(this.#filters); }
  get filtered(): boolean { return this.query !== ''; }
  /** Downloads exactly the filtered set, every page of it. */
  get csvHref(): string { return this.#api.historyCsvHref(this.#eventId, this.query); }

  /** Show the first page for these filters (the rows of any earlier filters go). */
  async apply(filters: HistoryFilters): Promise<void> {
    const search = ++this.#search;
    this.#filters = filters;
    this.#rows = [];
    this.#next = null;
    this.#loadingMore = false;
    this.#status = 'loading';
    this.#error = null;
    await this.#page(search, null);
  }

  /** Load the page after the last row, by the server's cursor. */
  async loadMore(): Promise<void> {
    if (this.#next === null || this.#loadingMore || this.#status !== 'ready') return;
    this.#loadingMore = true;
    await this.#page(this.#search, this.#next);
  }

  async #page(search: number, before: string | null): Promise<void> {
    const q = [this.query, before === null ? '' : `before=${encodeURIComponent(before)}`, `limit=${this.#pageSize}`].filter(Boolean).join('&');
    try {
      const reply = await this.#api.history(this.#eventId, q);
      if (search !== this.#search) return;
      this.#rows = before === null ? reply.scans : [...this.#rows, ...reply.scans];
      this.#next = reply.next;
      this.#status = 'ready';
      this.#error = null;
    } catch (e) {
      if (search !== this.#search) return;
      // A failed "Load more" keeps the rows shown and says why; a failed first page has none.
      this.#error = e;
      if (before === null) this.#status = 'error';
    } finally {
      if (search === this.#search) this.#loadingMore = false;
    }
  }

  /** Everything that happened to one ticket: its scans, undos and conflicts. */
  async openStory(ticketId: TicketId): Promise<void> {
    const request = ++this.#storyRequest;
    this.#story = { ticketId, status: 'loading', story: null, error: null };
    try {
      const story = await this.#api.ticketStory(this.#eventId, ticketId);
      if (request === this.#storyRequest) this.#story = { ticketId, status: 'ready', story, error: null };
    } catch (e) {
      if (request === this.#storyRequest) this.#story = { ticketId, status: 'error', story: null, error: e };
    }
  }

  closeStory(): void {
    this.#storyRequest++;
    this.#story = null;
  }
}
