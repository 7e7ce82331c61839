// The console's box office in Chromium (issue 11, measure 6): on a ticket found in Tickets,
// an admin changes who its order is for (with a reason, after a confirming tap) and revokes
// the ticket's phone; the results say what happened, a refused change says why, and a
// supervisor reads what was done without the forms. Screenshots 45 at 390 and 1280 wide.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { EventId, OrderId, TicketId } from '@gatekeeper/shared/ids';
import { newScanner } from '../support/browser.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import { findTicket, openSection } from '../support/pages/console-code-word-tickets-staff.ts';
import { WAIT_MS } from '../support/pages/scanner-page.ts';
import { login, takeOrder, worldForFile } from './fixtures.ts';

const env = worldForFile({ tickets: 12 });
const OUT = join(process.cwd(), 'docs/screenshots');

async function signIn(who: 'admin' | 'supervisor', width: number): Promise<ConsolePage> {
  return ConsolePage.signIn(await newScanner(env.browser, { viewport: { width, height: width < 600 ? 844 : 800 } }), env.w.server.url,
    login(who).username, login(who).password);
}

describe('the console\u2019s box office', () => {
  test('an admin changes the order\u2019s holder and revokes the ticket\u2019s phone, each confirmed; a supervisor reads what was done', async () => {
    const { orderId, tickets } = takeOrder(env.w, 1);
    const ticket = tickets[0]!;
    const eventId = ticket.eventId as EventId;
    const { storage } = env.w.server;
    await storage.addDeviceCertificate({
      eventId, id: 'AQIDBAUGBwg', ticketId: ticket.id as TicketId, devicePublicKey: 'C7w0aldmfDgBIL2cf9flHSxf3-o3zS9b9AWyxr9vLXg', stepSeconds: 20, issuedAt: Date.now(),
    });

    const admin = await signIn('admin', 390);
    await openSection(admin, 'Tickets', 'console-tickets');
    const card = await findTicket(admin, ticket.id, ticket.id);
    const office = card.getByTestId('box-office');
    const form = office.getByTestId('holder-form');
    // Starts from who the order is for now.
    const before = (await storage.getOrder(eventId, orderId as OrderId))!;
    await until(async () => (await form.getByLabel('Name').inputValue()) === (before.buyerName ?? ''));

    // A number that is not one: refused, and the error says so; nothing changed.
    await form.getByLabel('Mobile (for the SMS code)').fill('call me');
    await form.getByLabel('Why (kept in the audit)').fill('typo');
    await form.getByRole('button', { name: 'Change holder\u2026' }).click();
    await form.getByTestId('holder-confirm').click();
    await office.getByTestId('box-office-error').waitFor({ timeout: WAIT_MS });
    expect((await storage.getOrder(eventId, orderId as OrderId))!.mobile ?? null).toBeNull();

    await form.getByLabel('Name').fill('Noor Visser');
    await form.getByLabel('Mobile (for the SMS code)').fill('+31 6 1234 5678');
    await form.getByLabel('Why (kept in the audit)').fill('Sold on at the box office, ID seen');
    await form.getByRole('button', { name: 'Change holder\u2026' }).click();
    // Nothing happens before the confirming tap; cancel leaves it as it was.
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect((await storage.getOrder(eventId, orderId as OrderId))!.buyerName).toBe(before.buyerName);
    await form.getByRole('button', { name: 'Change holder\u2026' }).click();
    await form.getByText('The old link stops working').waitFor();
    await form.getByTestId('holder-confirm').click();
    await office.getByTestId('box-office-done').getByText('Holder changed').waitFor({ timeout: WAIT_MS });
    expect(await storage.getOrder(eventId, orderId as OrderId)).toMatchObject({ buyerName: 'Noor Visser', mobile: '+31612345678' });
    await office.locator('[data-testid=audit-entry][data-action="order.holder"]').getByText('Noor Visser').waitFor({ timeout: WAIT_MS });

    // The holder change revoked the phone already: nothing left, and the result says so.
    const phone = office.getByTestId('phone-form');
    await phone.getByLabel('Why (kept in the audit)').fill('Phone reported lost');
    await phone.getByRole('button', { name: 'Revoke this ticket\u2019s phone\u2026' }).click();
    await phone.getByTestId('phone-confirm').click();
    await office.getByTestId('box-office-done').getByText('bound to no phone').waitFor({ timeout: WAIT_MS });
    // Bound again, then revoked: one binding.
    await storage.addDeviceCertificate({
      eventId, id: 'CQoLDA0ODxA', ticketId: ticket.id as TicketId, devicePublicKey: 'C7w0aldmfDgBIL2cf9flHSxf3-o3zS9b9AWyxr9vLXg', stepSeconds: 20, issuedAt: Date.now(),
    });
    await phone.getByLabel('Why (kept in the audit)').fill('Phone reported lost');
    await phone.getByRole('button', { name: 'Revoke this ticket\u2019s phone\u2026' }).click();
    await phone.getByTestId('phone-confirm').click();
    await office.getByTestId('box-office-done').getByText('Revoked: 1 phone binding.').waitFor({ timeout: WAIT_MS });
    expect((await storage.getDeviceCertificate(eventId, 'CQoLDA0ODxA'))!.revokedAt).not.toBeNull();
    await office.locator('[data-testid=audit-entry][data-action="device_certificates.revoke"]').first().waitFor({ timeout: WAIT_MS });
    await office.scrollIntoViewIfNeeded();
    await admin.page.screenshot({ path: join(OUT, '45-console-box-office.png'), fullPage: true });
    await admin.page.setViewportSize({ width: 1280, height: 800 });
    await office.scrollIntoViewIfNeeded();
    await admin.page.screenshot({ path: join(OUT, '45-console-box-office-laptop.png') });
    await admin.page.context().close();

    // A supervisor sees the ticket and what was done, and no forms.
    const sup = await signIn('supervisor', 390);
    await openSection(sup, 'Tickets', 'console-tickets');
    const seen = (await findTicket(sup, ticket.id, ticket.id)).getByTestId('box-office');
    await seen.getByTestId('box-office-read-only').waitFor({ timeout: WAIT_MS });
    await seen.locator('[data-testid=audit-entry][data-action="order.holder"]').first().waitFor({ timeout: WAIT_MS });
    expect(await seen.getByTestId('holder-form').count()).toBe(0);
    expect(await seen.getByTestId('phone-form').count()).toBe(0);
    await sup.page.context().close();
  });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  const { until: poll } = await import('../support/until.ts');
  await poll(check, 'the form filled from the order', WAIT_MS);
}
