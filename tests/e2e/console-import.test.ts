// The console's settings (issue 10, part B) in Chromium against a real server: an admin
// imports another system's export through a column mapping, saves the mapping and uses it
// again for the next file, imports a JSON file (which needs no mapping), and a scanner then
// admits imported tickets by their plain barcodes; a supervisor's dry run shows the
// refusal, in the scanner's own words, for a ticket type a checkpoint does not admit, and
// the same dry run against rules being edited, before they are saved.
import { checkpointId } from '@gatekeeper/shared/ids';
import { describe, expect, test } from 'vitest';
import { newScanner } from '../support/browser.ts';
import { ConsolePage } from '../support/pages/console-page.ts';
import { SettingsConsole } from '../support/pages/console-checkpoints-import.ts';
import { DEMO_EVENT, login, plain, signedInGate, takeTicket, worldForFile } from './fixtures.ts';
import { auditOldestFirst } from '../support/audit.ts';

const env = worldForFile();

const HEADER = 'Order ref,Barcode,Category,Guest,Sales channel';
const FIRST = `${HEADER}\nBX-1001,BOX-7731-0001,Adult,Nora Bakker,web\nBX-1002,BOX-7731-0002,Adult,Pim de Wit,box office\n`;
const SECOND = `${HEADER}\nBX-2001,BOX-7731-0101,Child,Sam Bakker,web\n`;
const JSON_FILE = JSON.stringify({ tickets: [{ id: 'JS-1', type: 'Adult', holderName: 'Lotte Jansen', importedCode: 'BOX-JSON-0001' }] });

async function signIn(username: 'admin' | 'supervisor', width: number): Promise<SettingsConsole> {
  const c = await ConsolePage.signIn(await newScanner(env.browser, { viewport: { width, height: 900 } }), env.w.server.url, username, login(username).password);
  return new SettingsConsole(c);
}

describe('the console\u2019s ticket import', () => {
  test('an import with a mapped column list imports; the mapping is saved and reused; a scanner admits an imported ticket', async () => {
    const admin = await signIn('admin', 1280);
    await admin.openSection('Import');
    await admin.chooseFile('box-office.csv', FIRST);
    // None of these names is ours: nothing can be imported until they are mapped.
    expect((await admin.previewCounts()).tickets).toBe(0);
    expect(await admin.page.getByTestId('import-errors').innerText()).toContain('missing required columns ticket_id, type');
    expect(await admin.page.getByTestId('import-confirm').isDisabled()).toBe(true);

    await admin.mapColumn('Order ref', 'ticket_id');
    await admin.mapColumn('Barcode', 'imported_code');
    await admin.mapColumn('Category', 'type');
    await admin.mapColumn('Guest', 'holder_name');
    expect(await admin.previewCounts()).toEqual({ tickets: 2, errors: 0 });
    const sample = await admin.page.getByTestId('import-preview').locator('tbody tr').allInnerTexts();
    expect(sample.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['BX-1001 Adult Nora Bakker', 'BX-1002 Adult Pim de Wit']);

    await admin.page.getByLabel('Name for this mapping').fill('Box office export');
    await admin.page.getByTestId('save-mapping').click();
    await admin.page.getByTestId('saved-mappings').waitFor();
    await admin.page.getByTestId('import-confirm').click();
    await admin.page.getByTestId('import-done').waitFor();
    expect(await admin.page.getByTestId('import-done').innerText()).toContain('Imported 2 tickets');

    // The next export of the same system: the saved mapping is chosen, nothing to map again.
    await admin.chooseFile('box-office-2.csv', SECOND);
    expect(await admin.page.getByTestId('saved-mappings').inputValue()).toBe('box-office-export');
    expect(await admin.page.getByTestId('map-Barcode').inputValue()).toBe('imported_code');
    expect(await admin.previewCounts()).toEqual({ tickets: 1, errors: 0 });
    await admin.console.photograph('35-console-import');
    await admin.page.getByTestId('import-confirm').click();
    await admin.page.getByTestId('import-done').waitFor();

    // A JSON file names our fields itself: previewed and imported with no mapping asked for.
    await admin.chooseFile('tickets.json', JSON_FILE, 'application/json');
    expect(await admin.previewCounts()).toEqual({ tickets: 1, errors: 0 });
    expect(await admin.page.locator('[data-testid^=map-]').count()).toBe(0);
    await admin.page.getByTestId('import-confirm').click();
    await admin.page.getByTestId('import-done').waitFor();
    expect(await admin.page.getByTestId('import-done').innerText()).toContain('Imported 1 ticket');

    const stored = await env.w.server.storage.listImportMappings(DEMO_EVENT);
    expect(stored.map((m) => [m.id, m.name])).toEqual([['box-office-export', 'Box office export']]);
    const audit = (await auditOldestFirst(env.w.server.storage, DEMO_EVENT)).map((a) => [a.action, a.actor]);
    expect(audit).toEqual([['import_mapping.save', 'i-admin'], ['tickets.import', 'i-admin'], ['tickets.import', 'i-admin'], ['tickets.import', 'i-admin']]);
    await admin.page.context().close();

    // A gate opened after the import holds the new tickets: the plain barcode admits.
    const gate = await signedInGate(env, 'inspector');
    await gate.wedge('BOX-7731-0001');
    await gate.expectVerdict('valid', { offline: false });
    await gate.dismissVerdict();
    await gate.wedge('BOX-7731-0001');
    await gate.expectVerdict('already_used', { offline: false });
    await gate.dismissVerdict();
    await gate.wedge('BOX-JSON-0001');
    await gate.expectVerdict('valid', { offline: false });
    await gate.page.context().close();
  });
});

describe('the console\u2019s checkpoints', () => {
  test('a dry run shows the refusal and its reason for a ticket type the checkpoint does not admit; edited rules are tried before they are saved', async () => {
    const adult = takeTicket(env.w, (t) => plain(t) && t.type !== 'VIP');
    const sup = await signIn('supervisor', 1280);
    await sup.openSection('Checkpoints');
    await sup.pickCheckpoint('vip-lounge');
    const refused = await sup.dryRun(adult.id);
    expect(refused).toEqual({ outcome: 'wrong_checkpoint', word: 'WRONG CHECKPOINT', why: `Ticket type ${adult.type} is not valid at VIP lounge.` });
    // On a phone the answer is below the rules: photographed scrolled to it.
    await sup.page.setViewportSize({ width: 390, height: 844 });
    await sup.console.photograph('34-console-checkpoints', { scrolledTo: 'dry-run' });

    // The same ticket against the rules as being edited: admitted, and nothing is saved yet.
    const types = sup.page.getByLabel('Ticket types admitted', { exact: false });
    await types.fill(`VIP, ${adult.type}`);
    expect((await sup.dryRun(adult.id)).outcome).toBe('valid');
    expect((await env.w.server.storage.getCheckpoint(DEMO_EVENT, checkpointId('vip-lounge')))!.allowedTypes).toEqual(['VIP']);

    await sup.page.getByTestId('checkpoint-save').click();
    await sup.page.getByTestId('checkpoint-saved').waitFor();
    expect((await env.w.server.storage.getCheckpoint(DEMO_EVENT, checkpointId('vip-lounge')))!.allowedTypes).toEqual(['VIP', adult.type]);
    const audit = (await auditOldestFirst(env.w.server.storage, DEMO_EVENT)).filter((a) => a.target === 'vip-lounge');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'checkpoint.update', actor: 'i-supervisor', before: { allowedTypes: ['VIP'] }, after: { allowedTypes: ['VIP', adult.type] } });
    // No scan was made by either dry run.
    expect(await env.w.server.storage.ticketScans(DEMO_EVENT, adult.id)).toEqual([]);
    await sup.page.context().close();
  });
});
