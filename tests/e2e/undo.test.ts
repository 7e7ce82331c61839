// Undo of a mistaken admission (issue 9), on a real phone against a real server: the
// annulment is a scan this phone makes, offline or not, and the ticket is free again at
// once, here and, once it is uploaded, at every gate. A refusal that an undo made needless
// reaches the inspector who refused as exactly that, not as a double admission.
import { arbitrate } from '@gatekeeper/shared/admission';
import { beforeAll, describe, expect, test } from 'vitest';
import { en } from '../../scanner-pwa/src/lib/i18n/en.ts';
import { ScannerPage, WAIT_MS } from '../support/pages/scanner-page.ts';
import { eventually, login, plain, serverScans, signedInGate, takeTicket, ticketCode, worldForFile } from './fixtures.ts';

const env = worldForFile();

let gateA: ScannerPage;
let gateB: ScannerPage;

beforeAll(async () => {
  [gateA, gateB] = await Promise.all([signedInGate(env, 'inspector'), signedInGate(env, 'inspector2')]);
});

const INGRID = login('inspector').name;

describe('undo on the phone', () => {
  test('online: admit, Undo, the same code again is VALID; the server holds admission, annulment, admission', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: false });

    await gateA.undoVerdict();
    const v = gateA.verdict();
    expect((await gateA.page.getByTestId('verdict-word').textContent())?.trim()).toBe('UNDONE');
    expect(await v.getByTestId('undone-by').textContent()).toContain(INGRID);
    // Undone once: no second Undo on the same screen.
    expect(await v.getByTestId('undo').count()).toBe(0);
    await gateA.dismissVerdict();

    // Right away, without waiting for anything: the annulment went up the socket before this scan.
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: false });
    await gateA.dismissVerdict();

    const scans = await eventually(() => serverScans(env.w, t.id), (s) => s.length === 3);
    const [first, annulment, second] = [...scans].sort((a, b) => (a.hlc < b.hlc ? -1 : 1));
    expect(first).toMatchObject({ outcome: 'valid' });
    expect(annulment).toMatchObject({ kind: 'annul', annuls: first!.id, inspectorId: 'i-inspector' });
    expect(annulment!.quarantine).toBeUndefined();
    expect(second).toMatchObject({ outcome: 'valid' });
    expect(arbitrate(scans).admitted.map((s) => s.id)).toEqual([second!.id]);

    // History says who undid what, and marks the undone admission.
    const rows = (await gateA.historyRows()).filter((r) => r.ticketId === t.id);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(annulment!.id)).toMatchObject({ kind: 'annul' });
    expect(byId.get(annulment!.id)!.outcome).toMatch(new RegExp(`^Undone by ${INGRID} at \\d\\d:\\d\\d:\\d\\d$`));
    expect(byId.get(first!.id)).toMatchObject({ undone: true, undoOffered: false });
    expect(byId.get(second!.id)).toMatchObject({ undone: false, outcome: 'VALID', undoOffered: true });
    expect(byId.get(annulment!.id)).toMatchObject({ undoOffered: false });
  });

  test('from History: Undo on this phone’s admission, confirmed in its row; the ticket is VALID again', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: false });
    await gateA.dismissVerdict();
    const [admission] = (await gateA.historyRows()).filter((r) => r.ticketId === t.id);
    // Another phone's admission is not this inspector's to undo.
    const theirs = takeTicket(env.w);
    await gateB.wedge((await ticketCode(env.w, theirs.id)).code);
    await gateB.expectVerdict('valid', { offline: false });
    await gateB.dismissVerdict();
    await eventually(() => gateA.historyRows(), (rows) => rows.some((r) => r.ticketId === theirs.id && !r.undoOffered));

    await gateA.undoInHistory(admission!.id);
    const rows = await gateA.historyRows();
    expect(rows.find((r) => r.id === admission!.id)).toMatchObject({ undone: true, undoOffered: false });
    expect(rows.find((r) => r.kind === 'annul' && r.ticketId === t.id)?.outcome).toContain(`Undone by ${INGRID}`);
    await gateA.waitPending(0);
    await gateB.wedge(code);
    await gateB.expectVerdict('valid', { offline: false });
    await gateB.dismissVerdict();
  });

  test('offline: admit, Undo, VALID OFFLINE again; back online each goes up once, and the second phone meets the new admission', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gateA.setOffline(true);
    await gateA.waitLink('offline');

    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: true });
    await gateA.undoVerdict();
    await gateA.dismissVerdict();
    await gateA.waitPending(2);
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: true });
    await gateA.dismissVerdict();
    await gateA.waitPending(3);
    const queued = (await gateA.historyRows()).filter((r) => r.ticketId === t.id);
    expect(queued.map((r) => r.kind).sort()).toEqual(['annul', 'scan', 'scan']);
    expect(await serverScans(env.w, t.id)).toHaveLength(0);

    await gateA.setOffline(false);
    await gateA.waitPending(0);
    const scans = await eventually(() => serverScans(env.w, t.id), (s) => s.length >= 3);
    // Exactly once each, with the ids this phone made.
    expect(scans.map((s) => s.id).sort()).toEqual(queued.map((r) => r.id).sort());
    const annulment = scans.find((s) => s.kind === 'annul')!;
    expect(annulment.quarantine).toBeUndefined();
    const [admittedNow] = arbitrate(scans).admitted;
    expect(admittedNow).toBeDefined();
    expect(admittedNow!.id).not.toBe(annulment.annuls);

    // The second admission holds the ticket: the other phone is told ALREADY SCANNED, naming it.
    await gateB.wedge(code);
    await gateB.expectVerdict('already_used', { offline: false });
    expect(await gateB.page.getByTestId('first-scan').getAttribute('data-scan-id')).toBe(admittedNow!.id);
    const named = await gateB.page.getByTestId('first-scan').textContent();
    expect(named).toContain(INGRID);
    expect(named).toContain('Main gate');
    await gateB.dismissVerdict();
    const refusal = (await eventually(() => serverScans(env.w, t.id), (s) => s.length === 4)).find((s) => s.deviceId !== admittedNow!.deviceId)!;
    expect(refusal.outcome).toBe('already_used');
    // No conflict: the undone admission and the new one never both counted.
    const conflicts = (await env.w.supervisor.request('GET', '/api/events/demo-festival/conflicts')).json.conflicts as Array<{ ticketId: string }>;
    expect(conflicts.filter((c) => c.ticketId === t.id)).toEqual([]);
  });

  test('a refusal that an undo made needless: the refusing phone is told so, with all three scans', async () => {
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);
    await gateA.wedge(code);
    await gateA.expectVerdict('valid', { offline: false });
    await gateB.wedge(code);
    await gateB.expectVerdict('already_used', { offline: false });
    await gateB.dismissVerdict();
    await gateA.undoVerdict();

    // Both phones involved hear it at once (the undoing one too, over its own verdict).
    for (const gate of [gateB, gateA]) {
      const alert = gate.page.locator(`[data-testid=conflict-alert][data-ticket-id="${t.id}"]`);
      await alert.waitFor({ timeout: WAIT_MS });
      expect(await alert.getAttribute('data-kind')).toBe('refused_annulled');
      const text = (await alert.innerText()).replace(/\s+/g, ' ');
      expect(text).toContain('refused, then undone');
      expect(text).not.toContain('admitted twice');
      expect(await alert.locator('[data-scan-id]').count()).toBe(3);
      await alert.getByRole('button', { name: 'Dismiss' }).click();
    }
    await gateA.dismissVerdict();
  });

  test('an exit the holder came back in after: Undo, confirmed once the re-entry is heard, is refused with \u201cundo that entry first\u201d', async () => {
    const t = takeTicket(env.w, (x) => plain(x) && x.type === 'VIP');
    const { code } = await ticketCode(env.w, t.id);
    try {
      await Promise.all([moveTo(gateA, 'VIP lounge', 'Exit'), moveTo(gateB, 'VIP lounge', 'Entry')]);
      await gateB.wedge(code);
      await gateB.expectVerdict('valid', { offline: false });
      await gateB.dismissVerdict();
      await gateA.wedge(code);
      await gateA.expectVerdict('exit', { offline: false });
      // Undo asked on the exit while nobody has come back in: offered, waiting for the confirming tap.
      await gateA.verdict().getByTestId('undo').click();

      await gateB.wedge(code);
      await gateB.expectVerdict('valid', { offline: false });
      await gateB.dismissVerdict();
      const scans = await eventually(() => serverScans(env.w, t.id), (s) => s.length === 3);
      const back = scans.reduce((a, b) => (b.hlc > a.hlc ? b : a));
      const exit = scans.find((s) => s.direction === 'exit')!;
      expect(back).toMatchObject({ direction: 'entry', outcome: 'valid' });
      await eventually(() => heard(gateA, back.id), (yes) => yes);

      await gateA.verdict().getByTestId('undo-confirm').click();
      const refused = gateA.verdict().getByTestId('undo-refused');
      await refused.waitFor({ timeout: WAIT_MS });
      expect(await refused.textContent()).toBe(en.undoLaterFirst);
      expect(await gateA.verdict().getAttribute('data-undone')).toBe('false');
      await gateA.dismissVerdict();
      // Nothing recorded: no annulment waits to go up, and History offers no Undo on that exit.
      expect(await gateA.pending()).toBe(0);
      expect((await gateA.historyRows()).find((r) => r.id === exit.id)).toMatchObject({ undone: false, undoOffered: false });
    } finally {
      await Promise.all([moveTo(gateA, 'Main gate', 'Entry'), moveTo(gateB, 'Main gate', 'Entry')]);
    }
  });
});

/** Menu, Change checkpoint, then this checkpoint and direction: the phone scans there next. */
async function moveTo(gate: ScannerPage, checkpoint: string, direction: 'Entry' | 'Exit'): Promise<void> {
  await gate.page.getByRole('button', { name: 'Menu' }).click();
  await gate.page.getByRole('button', { name: 'Change checkpoint' }).click();
  await gate.choose(checkpoint, direction);
}

/** Whether the phone has stored this scan (gossip is kept in memory first, then here). */
function heard(gate: ScannerPage, scanId: string): Promise<boolean> {
  return gate.page.evaluate((id) => new Promise<boolean>((resolve, reject) => {
    const open = indexedDB.open('gatekeeper');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const get = db.transaction('scans').objectStore('scans').get(id);
      get.onerror = () => { db.close(); reject(get.error); };
      get.onsuccess = () => { db.close(); resolve(get.result !== undefined); };
    };
  }), scanId);
}
