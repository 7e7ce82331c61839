// The order mail: the holder's link, in English and then Dutch in one mail (an order has
// no language of its own, and a holder who reads one of the two finds it at once).
import type { Order, Ticket } from '@gatekeeper/shared/domain';
import type { GkEvent } from '@gatekeeper/shared/manifest';
import type { Mail } from './mailer.ts';

export interface OrderMailInput { event: GkEvent; order: Order & { email: string }; tickets: Ticket[]; link: string }

const when = (event: GkEvent, locale: string): string | null =>
  event.startsAt === null ? null : new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: event.timeZone }).format(event.startsAt);

function paragraphs(input: OrderMailInput, lang: 'en' | 'nl'): string[] {
  const { event, order, tickets, link } = input;
  const at = when(event, lang === 'en' ? 'en-GB' : 'nl-NL');
  const name = order.buyerName ?? (lang === 'en' ? 'ticket holder' : 'tickethouder');
  const count = tickets.length;
  if (lang === 'en') {
    return [
      `Dear ${name},`,
      `Your ${count === 1 ? 'ticket' : `${count} tickets`} for ${event.name}${event.venue ? ` at ${event.venue}` : ''}${at ? `, ${at}` : ''} ${count === 1 ? 'is' : 'are'} in your wallet:`,
      link,
      'Open the link on the phone you will bring and add it to your home screen. The code to show at the gate appears there shortly before the start; the ticket stays on the phone without a network.',
      'This link is yours alone: anyone who has it can open your tickets.',
    ];
  }
  return [
    `Beste ${name},`,
    `Je ${count === 1 ? 'ticket' : `${count} tickets`} voor ${event.name}${event.venue ? ` in ${event.venue}` : ''}${at ? `, ${at}` : ''} ${count === 1 ? 'staat' : 'staan'} in je wallet:`,
    link,
    'Open de link op de telefoon die je meeneemt en zet hem op je beginscherm. De code voor de ingang verschijnt daar kort voor de aanvang; het ticket blijft zonder netwerk op de telefoon.',
    'Deze link is alleen voor jou: wie hem heeft, kan je tickets openen.',
  ];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function orderMail(input: OrderMailInput): Mail {
  const en = paragraphs(input, 'en');
  const nl = paragraphs(input, 'nl');
  const html = (ps: string[], lang: string) => `<div lang="${lang}">${ps.map((p) => (p === input.link
    ? `<p><a href="${escape(p)}">${escape(p)}</a></p>`
    : `<p>${escape(p)}</p>`)).join('')}</div>`;
  return {
    to: input.order.email,
    subject: `${input.event.name}: your tickets / je tickets`,
    text: `${en.join('\n\n')}\n\n---\n\n${nl.join('\n\n')}\n`,
    html: `${html(en, 'en')}<hr>${html(nl, 'nl')}`,
  };
}
