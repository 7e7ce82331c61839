// The console's Tickets state: an older search answering late never replaces a newer one;
// a search that finds one ticket opens it; a status change replaces the ticket where it is
// shown and reloads its audit; a refused change keeps what was shown and says why.
import { describe, expect, it } from 'vitest';
import type { AuditReply, TicketFound } from '@gatekeeper/shared/api/settings';
import { ticketId, type EventId, type TicketId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { TicketDesk, type TicketDeskApi } from '../../scanner-pwa/src/lib/console/ticket-desk.svelte.ts';
import { EVENT, makeTicket } from '../support/factories.ts';

const found = (id: string, status: TicketFound['status'] = 'paid'): TicketFound => ({ ...makeTicket({ id: ticketId(id), status }), buyerName: null });

function scriptedApi() {
  const searches: Array<{ text: string; answer: (t: TicketFound[]) => void }> = [];
  const changes: Array<{ id: TicketId; status: string; reason: string }> = [];
  const audits: string[] = [];
  let refuse: GkError | null = null;
  const api: TicketDeskApi = {
    findTickets: (_e: EventId, text: string) => new Promise((answer) => { searches.push({ text, answer }); }),
    setTicketStatus: async (_e, id, status, reason) => {
      if (refuse) throw refuse;
      changes.push({ id, status, reason });
      return found(id, status);
    },
    audit: async (_e, query): Promise<AuditReply> => { audits.push(query); return { entries: [], next: null }; },
  };
  return { api, searches, changes, audits, refuseWith: (e: GkError) => { refuse = e; } };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('TicketDesk', () => {
  it('drops an older search\u2019s late answer', async () => {
    const s = scriptedApi();
    const desk = new TicketDesk(s.api, EVENT);
    const first = desk.find('jansen');
    const second = desk.find('muller');
    s.searches[1]!.answer([found('t2'), found('t3')]);
    await second;
    s.searches[0]!.answer([found('t1'), found('t9')]);
    await first;
    expect(desk.query).toBe('muller');
    expect(desk.results.map((t) => t.id)).toEqual(['t2', 't3']);
  });

  it('opens the one ticket a code finds, and sets its status with the reason, trimmed', async () => {
    const s = scriptedApi();
    const desk = new TicketDesk(s.api, EVENT);
    const done = desk.find('GK1T...');
    s.searches[0]!.answer([found('t1')]);
    await done;
    await settle();
    expect(desk.selected?.id).toBe('t1');
    expect(s.audits).toEqual(['action=ticket.status&target=t1&limit=20']);
    expect(await desk.setStatus('blocked', '  reported stolen ')).toBe(true);
    expect(s.changes).toEqual([{ id: 't1', status: 'blocked', reason: 'reported stolen' }]);
    expect(desk.selected?.status).toBe('blocked');
    expect(desk.results.map((t) => t.status)).toEqual(['blocked']);
    expect(s.audits).toHaveLength(2);
  });

  it('keeps the ticket as it was when the server refuses, and says why', async () => {
    const s = scriptedApi();
    const desk = new TicketDesk(s.api, EVENT);
    const done = desk.find('t1');
    s.searches[0]!.answer([found('t1')]);
    await done;
    s.refuseWith(new GkError('forbidden', 'you are not staff of event ev-1'));
    expect(await desk.setStatus('revoked', 'why not')).toBe(false);
    expect(desk.selected?.status).toBe('paid');
    expect(desk.error).toBeInstanceOf(GkError);
    expect(desk.saving).toBe(false);
  });
});
