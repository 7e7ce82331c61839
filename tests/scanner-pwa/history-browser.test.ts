// The console's History state: pages by the server's cursor, newest first; a newer search
// wins over an older answer that arrives late; a failed "Load more" keeps what is shown;
// the CSV link names exactly the filters applied.
import { describe, expect, it } from 'vitest';
import type { HistoryEntry, HistoryReply, TicketStoryReply } from '@gatekeeper/shared/api/history';
import { ticketId, type EventId, type TicketId } from '@gatekeeper/shared/ids';
import { HttpApi, NetworkError } from '../../scanner-pwa/src/lib/api/http-api.ts';
import { HistoryBrowser, type HistoryApi } from '../../scanner-pwa/src/lib/console/history-browser.svelte.ts';
import { EVENT, makeScan, T0 } from '../support/factories.ts';

const entry = (n: number, ticket = `T-${n}`): HistoryEntry => ({
  seq: n, receivedAt: T0 + n, holder: `Holder ${n}`, scan: makeScan({ id: `s-${n}` as never, ticketId: ticketId(ticket), at: T0 + n * 1000 }),
});

interface Call { query: string; answer: (r: HistoryReply) => void; fail: (e: unknown) => void }

/** An API whose answers the test gives, in any order it likes. */
function scriptedApi() {
  const calls: Call[] = [];
  const stories: Array<{ ticketId: TicketId; answer: (r: TicketStoryReply) => void }> = [];
  const api: HistoryApi = {
    history: (_event: EventId, query: string) => new Promise((answer, fail) => { calls.push({ query, answer, fail }); }),
    ticketStory: (_event: EventId, id: TicketId) => new Promise((answer) => { stories.push({ ticketId: id, answer }); }),
    historyCsvHref: (event: EventId, query: string) => new HttpApi('').historyCsvHref(event, query),
  };
  return { api, calls, stories };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('History pages', () => {
  it('asks for the first page with the filters, then the next by the cursor it was given, and appends', async () => {
    const { api, calls } = scriptedApi();
    const b = new HistoryBrowser(api, EVENT, { pageSize: 2 });
    const first = b.apply({ outcome: 'valid' });
    expect(b.status).toBe('loading');
    expect(calls[0]!.query).toBe('outcome=valid&limit=2');
    calls[0]!.answer({ scans: [entry(9), entry(8)], next: '8008_8' });
    await first;
    expect(b.status).toBe('ready');
    expect(b.hasMore).toBe(true);

    const more = b.loadMore();
    expect(b.loadingMore).toBe(true);
    // A second tap while the page loads asks for nothing more.
    void b.loadMore();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.query).toBe('outcome=valid&before=8008_8&limit=2');
    calls[1]!.answer({ scans: [entry(7)], next: null });
    await more;
    expect(b.rows.map((r) => r.scan.id)).toEqual(['s-9', 's-8', 's-7']);
    expect(b.hasMore).toBe(false);
    await b.loadMore();
    expect(calls).toHaveLength(2);
  });

  it('a newer search wins: the older answer, arriving last, is dropped', async () => {
    const { api, calls } = scriptedApi();
    const b = new HistoryBrowser(api, EVENT);
    const older = b.apply({ holder: 'Jan' });
    const newer = b.apply({ holder: 'Jansen' });
    calls[1]!.answer({ scans: [entry(2)], next: null });
    await newer;
    calls[0]!.answer({ scans: [entry(1), entry(3)], next: 'x' });
    await older;
    expect(b.filters).toEqual({ holder: 'Jansen' });
    expect(b.rows.map((r) => r.scan.id)).toEqual(['s-2']);
    expect(b.hasMore).toBe(false);
  });

  it('a page of older filters never lands in the newer list', async () => {
    const { api, calls } = scriptedApi();
    const b = new HistoryBrowser(api, EVENT);
    const first = b.apply({});
    calls[0]!.answer({ scans: [entry(5)], next: 'c1' });
    await first;
    const more = b.loadMore();
    const fresh = b.apply({ outcome: 'exit' });
    calls[2]!.answer({ scans: [entry(4)], next: null });
    await fresh;
    calls[1]!.answer({ scans: [entry(1)], next: null });
    await more;
    expect(b.rows.map((r) => r.scan.id)).toEqual(['s-4']);
    expect(b.loadingMore).toBe(false);
  });

  it('a failed first page is an error state; a failed "Load more" keeps the rows and can be tried again', async () => {
    const { api, calls } = scriptedApi();
    const b = new HistoryBrowser(api, EVENT);
    const first = b.apply({});
    calls[0]!.fail(new NetworkError(new TypeError('Failed to fetch')));
    await first;
    expect(b.status).toBe('error');
    expect(b.error).toBeInstanceOf(NetworkError);

    const again = b.apply({});
    calls[1]!.answer({ scans: [entry(3)], next: 'c' });
    await again;
    const more = b.loadMore();
    calls[2]!.fail(new NetworkError(new TypeError('Failed to fetch')));
    await more;
    expect(b.status).toBe('ready');
    expect(b.rows).toHaveLength(1);
    expect(b.error).toBeInstanceOf(NetworkError);
    const retry = b.loadMore();
    calls[3]!.answer({ scans: [entry(2)], next: null });
    await retry;
    expect(b.rows).toHaveLength(2);
    expect(b.error).toBeNull();
  });

  it('the CSV link carries exactly the filters shown, never the paging', async () => {
    const { api, calls } = scriptedApi();
    const b = new HistoryBrowser(api, EVENT, { pageSize: 1 });
    expect(b.csvHref).toBe(`/api/events/${EVENT}/history.csv`);
    const p = b.apply({ holder: 'de Vries', offline: true });
    calls[0]!.answer({ scans: [entry(1)], next: 'c' });
    await p;
    expect(b.csvHref).toBe(`/api/events/${EVENT}/history.csv?holder=de+Vries&offline=true`);
    expect(calls[0]!.query.startsWith(b.query)).toBe(true);
  });
});

describe('a ticket\u2019s story', () => {
  it('loading, then the story; one opened after it wins, and a closed one stays closed', async () => {
    const { api, stories } = scriptedApi();
    const b = new HistoryBrowser(api, EVENT);
    const story = (id: string): TicketStoryReply => ({ ticket: null, scans: [entry(1, id)], next: null, conflicts: [], statusChanges: [] });
    const a = b.openStory(ticketId('T-a'));
    expect(b.story).toMatchObject({ ticketId: 'T-a', status: 'loading' });
    const c = b.openStory(ticketId('T-c'));
    stories[1]!.answer(story('T-c'));
    await c;
    stories[0]!.answer(story('T-a'));
    await a;
    expect(b.story).toMatchObject({ ticketId: 'T-c', status: 'ready' });

    const d = b.openStory(ticketId('T-d'));
    b.closeStory();
    stories[2]!.answer(story('T-d'));
    await d;
    await settle();
    expect(b.story).toBeNull();
  });
});

describe('HttpApi: the history routes', () => {
  it('asks for the query it is given and parses the answer with the shared shapes', async () => {
    const asked: string[] = [];
    const api = new HttpApi('', async (url) => {
      asked.push(String(url));
      return new Response(JSON.stringify({ scans: [entry(1)], next: null }), { status: 200 });
    });
    await expect(api.history(EVENT, 'outcome=valid&limit=5')).resolves.toMatchObject({ scans: [{ seq: 1 }], next: null });
    expect(asked).toEqual([`/api/events/${EVENT}/history?outcome=valid&limit=5`]);
  });

  it('refuses an answer of another shape', async () => {
    const api = new HttpApi('', async () => new Response(JSON.stringify({ rows: [] }), { status: 200 }));
    await expect(api.history(EVENT, '')).rejects.toThrow();
    await expect(api.ticketStory(EVENT, ticketId('T-1'))).rejects.toThrow();
  });
});
