// The code a holder's wallet shows for a ticket. For now the ticket's static signed code;
// the rotating device-bound codes (issue 11, measure 2) replace this one function.
import type { Ticket } from '@gatekeeper/shared/domain';
import type { Issuer } from '../issuer.ts';

export async function walletCode(issuer: Issuer, ticket: Ticket): Promise<string> {
  return (await issuer.ticketCode(ticket)).code;
}
