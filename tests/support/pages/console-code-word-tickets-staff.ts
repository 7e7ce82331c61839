// What a supervisor or admin does in the console's Settings sections (Code word, Tickets,
// Staff), on a ConsolePage: tests read like the issue.
import type { Locator } from 'playwright-core';
import type { ConsolePage } from './console-page.ts';
import { WAIT_MS } from './scanner-page.ts';

/** Open a section from the console's navigation and wait for it to be loaded. */
export async function openSection(c: ConsolePage, name: 'Code word' | 'Tickets' | 'Staff' | 'Mail', testId: string): Promise<Locator> {
  await c.page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name, exact: true }).click();
  const section = c.page.getByTestId(testId);
  await section.locator('xpath=self::*[@data-status="ready" or @data-status="idle"]').waitFor({ timeout: WAIT_MS });
  return section;
}

export async function setCodeWordByHand(c: ConsolePage, word: string): Promise<void> {
  const form = c.page.getByTestId('code-word-by-hand');
  await form.getByLabel('Code word').fill(word);
  await form.getByRole('button', { name: 'Set code word' }).click();
  await c.page.locator(`[data-testid=console-code-word]:text-is("${word}")`).waitFor({ timeout: WAIT_MS });
}

export async function setCodeWordList(c: ConsolePage, words: string[], changeAt: string): Promise<string> {
  const form = c.page.getByTestId('code-word-daily');
  await form.getByLabel('Words, one a line').fill(words.join('\n'));
  await form.getByLabel('New word each day at (event time)').fill(changeAt);
  await form.getByRole('button', { name: 'Draw from this list' }).click();
  await c.page.getByText(`Drawn each day from ${words.length} words`).waitFor({ timeout: WAIT_MS });
  return ((await c.page.getByTestId('console-code-word').textContent()) ?? '').trim();
}

/** Find a ticket by what is printed on it; the one found opens at once. */
export async function findTicket(c: ConsolePage, text: string, ticketId: string): Promise<Locator> {
  await c.page.getByTestId('ticket-query').fill(text);
  await c.page.getByRole('button', { name: 'Find', exact: true }).click();
  const card = c.page.locator(`[data-testid=ticket-card][data-ticket="${ticketId}"]`);
  await card.waitFor({ timeout: WAIT_MS });
  return card;
}

export async function setTicketStatus(card: Locator, status: string, reason: string): Promise<void> {
  await card.getByLabel('New status').selectOption(status);
  await card.getByLabel('Reason (kept in the audit)').fill(reason);
  await card.getByRole('button', { name: 'Change status' }).click();
  await card.locator(`xpath=self::*[@data-status="${status}"]`).waitFor({ timeout: WAIT_MS });
  await card.locator(`[data-testid=audit-entry][data-action="ticket.status"]`).first().waitFor({ timeout: WAIT_MS });
}
