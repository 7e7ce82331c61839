// Undo (issue 9) against a real server on a loopback port: an annulment is a scan, and
// once it counts the ticket admits again at any gate; one that breaks the rule is kept
// as evidence and changes nothing; a refusal it made needless is shown to supervisors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, newId, scanId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { stamp } from '../support/factories.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const MAIN = checkpointId('main-gate');
let server: TestServer;
let tickets: TicketId[];
let supervisor: HttpSession;
let a: ScannerClient;
let b: ScannerClient;

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 60 });
  const paid = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  tickets = paid.map((t) => t.id);
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
  a = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
  b = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
});
afterAll(async () => { await a?.close(); await b?.close(); await server?.close(); });

/** The phone's own annulment of `target`, stamped `at` (now by default). */
function annulmentBy(phone: ScannerClient, target: Scan, at = Date.now()): Scan {
  return makeAnnulment({
    target, id: scanId(newId('s-')), hlc: stamp(at), at, clockOffset: 0, deviceId: phone.deviceId,
    inspectorId: phone.inspectorId, checkpoint: target, offline: true,
  });
}

/** Admit `ticket` online at `phone`, made `agoMs` ago. */
async function admit(phone: ScannerClient, ticket: TicketId, agoMs = 0): Promise<Scan> {
  const at = Date.now() - agoMs;
  const v = await phone.scan(phone.request(ticket, ticket, { hlc: stamp(at), at }));
  expect(v.verdict.outcome).toBe('valid');
  return v.scan;
}

const annulOverHttp = (who: HttpSession, target: string, headers: Record<string, string> = {}, body: object = {}) =>
  who.request('POST', `/api/events/${DEMO_EVENT}/scans/${target}/annul`, body, headers);

describe('an inspector undoes an admission', () => {
  it('from the same phone within the window: the ticket admits again at another gate, and every phone hears it', async () => {
    const ticket = tickets[0]!;
    const admitted = await admit(a, ticket);
    const x = annulmentBy(a, admitted);
    const heard = b.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.id === x.id));
    const ack = await a.upload([x]);
    expect(ack.results[0]).toMatchObject({ status: 'accepted', quarantine: null });
    expect((await heard).scans.find((s) => s.id === x.id)).toMatchObject({ kind: 'annul', annuls: admitted.id, ticketId: ticket });
    const again = await b.scan(b.request(ticket, ticket));
    expect(again.verdict.outcome).toBe('valid');
  });

  it('over HTTP from the same phone: 201 with the stored annulment', async () => {
    const ticket = tickets[1]!;
    const admitted = await admit(a, ticket);
    const r = await annulOverHttp(a.http, admitted.id, { 'x-device-id': a.deviceId });
    expect(r.status).toBe(201);
    expect(r.json.scan).toMatchObject({ kind: 'annul', annuls: admitted.id, deviceId: a.deviceId, inspectorId: a.inspectorId, code: '' });
    expect((await b.scan(b.request(ticket, ticket))).verdict.outcome).toBe('valid');
  });

  it('made offline and uploaded later, it counts as if sent at once', async () => {
    const ticket = tickets[2]!;
    const admitted = await admit(a, ticket, 30_000);
    const x = annulmentBy(a, admitted, Date.now() - 20_000);
    // Meanwhile the ticket is still used; once the annulment is in, it is not.
    expect((await b.scan(b.request(ticket, ticket))).verdict.outcome).toBe('already_used');
    expect((await a.upload([x])).results[0]!.quarantine).toBeNull();
    expect((await b.scan(b.request(ticket, ticket))).verdict.outcome).toBe('valid');
  });

  it('outside the window, or from another phone, is stored as evidence and does not count', async () => {
    const ticket = tickets[3]!;
    const admitted = await admit(a, ticket, 5 * 60_000);
    const late = annulmentBy(a, admitted);
    const other = annulmentBy(b, admitted);
    expect((await a.upload([late])).results[0]).toMatchObject({ status: 'accepted', quarantine: 'annul_outside_window' });
    expect((await b.upload([other])).results[0]).toMatchObject({ status: 'accepted', quarantine: 'annul_other_device' });
    expect((await b.scan(b.request(ticket, ticket))).verdict.outcome).toBe('already_used');
    const q = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/quarantine`);
    expect(q.json.scans.filter((s: { scan: Scan }) => s.scan.annuls === admitted.id).map((s: { reason: string }) => s.reason).sort())
      .toEqual(['annul_other_device', 'annul_outside_window']);
    // Over HTTP it is refused outright, with the reason.
    const http = await annulOverHttp(a.http, admitted.id, { 'x-device-id': a.deviceId });
    expect(http).toMatchObject({ status: 403, json: { error: { code: 'forbidden', details: { reason: 'outside_window' } } } });
    const fresh = await admit(a, tickets[4]!);
    const byOther = await annulOverHttp(b.http, fresh.id, { 'x-device-id': b.deviceId });
    expect(byOther).toMatchObject({ status: 403, json: { error: { details: { reason: 'other_device' } } } });
  });

  it('answers typed errors: unknown scan, not an admission, already annulled', async () => {
    const unknown = await annulOverHttp(supervisor, 's-nothing-here');
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'not_found', details: { reason: 'unknown_scan' } } } });
    const ticket = tickets[5]!;
    const admitted = await admit(a, ticket);
    const refused = await b.scan(b.request(ticket, ticket));
    const notAdmission = await annulOverHttp(supervisor, refused.scanId);
    expect(notAdmission).toMatchObject({ status: 409, json: { error: { code: 'annul_refused', details: { reason: 'not_admission' } } } });
    expect((await annulOverHttp(supervisor, admitted.id)).status).toBe(201);
    const twice = await annulOverHttp(supervisor, admitted.id);
    expect(twice).toMatchObject({ status: 409, json: { error: { code: 'annul_refused', details: { reason: 'already_annulled' } } } });
  });
});

describe('a supervisor undoes an admission', () => {
  it('of any phone, any time later, seen in the history with who and when; a retry with the same id is a duplicate', async () => {
    const ticket = tickets[6]!;
    const admitted = await admit(a, ticket, 9 * 60_000);
    const id = newId('s-');
    const r = await annulOverHttp(supervisor, admitted.id, {}, { id });
    expect(r.status).toBe(201);
    expect(r.json.scan).toMatchObject({ id, kind: 'annul', annuls: admitted.id, inspectorId: supervisor.inspector!.id, deviceId: 'server' });
    expect((await annulOverHttp(supervisor, admitted.id, {}, { id })).json.status).toBe('duplicate');
    expect((await b.scan(b.request(ticket, ticket))).verdict.outcome).toBe('valid');
    const h = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/history?ticket=${ticket}`);
    const annulment = h.json.scans.find((s: { scan: Scan }) => s.scan.kind === 'annul');
    expect(annulment.scan).toMatchObject({ annuls: admitted.id, inspectorId: supervisor.inspector!.id, at: expect.any(Number) });
  });

  it('after a later scan was refused ALREADY SCANNED: the refusal is listed for supervisors, and pushed to them', async () => {
    const sup = await ScannerClient.connect(server.url, 'supervisor', login('supervisor').password, DEMO_EVENT, MAIN);
    try {
      const ticket = tickets[7]!;
      const admitted = await admit(a, ticket);
      const refused = await b.scan(b.request(ticket, ticket));
      expect(refused.verdict.outcome).toBe('already_used');
      const pushed = sup.waitFor<DownOf<'conflict'>>((m) => m.type === 'conflict' && m.conflict.ticketId === ticket);
      const r = await annulOverHttp(supervisor, admitted.id);
      expect(r.json).toMatchObject({ status: 'conflict', conflicts: [{ kind: 'refused_annulled' }] });
      expect((await pushed).conflict).toMatchObject({
        kind: 'refused_annulled', winner: { scanId: admitted.id }, loser: { scanId: refused.scanId, deviceId: b.deviceId },
        annulment: { scanId: r.json.scan.id, inspectorId: supervisor.inspector!.id },
      });
      const list = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`);
      expect(list.json.conflicts.filter((c: { ticketId: string }) => c.ticketId === ticket)).toEqual([
        expect.objectContaining({ kind: 'refused_annulled', annulment: expect.objectContaining({ inspectorId: supervisor.inspector!.id }) }),
      ]);
    } finally { await sup.close(); }
  });
});

describe('an exit that a later entry stands on', () => {
  // Entry, exit, entry again at an entry-exit zone (the VIP lounge): undoing the exit while
  // the second entry stands would leave two entries, a double admission.
  const LOUNGE = { checkpointId: checkpointId('vip-lounge'), zone: 'vip', mode: 'entry_exit' as const };

  it('is not undone over HTTP, and an offline undo of it is quarantined (an older phone reads the nearest older reason)', async () => {
    const vip = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets
      .find((t) => t.type === 'VIP' && t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null)!;
    const old = await ScannerClient.connect(server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, LOUNGE.checkpointId, { version: 11 });
    try {
      const at = Date.now() - 10_000;
      const step = async (ms: number, direction: 'entry' | 'exit') =>
        (await a.scan(a.request(vip.id, vip.id, { ...LOUNGE, direction, hlc: stamp(at + ms), at: at + ms }))).scan;
      const inside = await step(0, 'entry');
      const out = await step(1000, 'exit');
      const back = await step(2000, 'entry');
      expect([inside.outcome, out.outcome, back.outcome]).toEqual(['valid', 'exit', 'valid']);

      const refused = await annulOverHttp(supervisor, out.id);
      expect(refused).toMatchObject({ status: 409, json: { error: { code: 'annul_refused', details: { reason: 'later_admission' } } } });

      const x = annulmentBy(a, out);
      const heardOld = old.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.id === x.id));
      expect((await a.upload([x])).results[0]).toMatchObject({ status: 'accepted', quarantine: 'annul_later_admission' });
      expect((await heardOld).scans.find((s) => s.id === x.id)).toMatchObject({ quarantine: 'annul_not_admission', annuls: out.id });
      expect(a.heard.get(x.id) ?? (await a.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.id === x.id))).scans.find((s) => s.id === x.id))
        .toMatchObject({ quarantine: 'annul_later_admission' });

      // Still inside: a third entry is a pass-back.
      expect((await a.scan(a.request(vip.id, vip.id, { ...LOUNGE, direction: 'entry' }))).verdict.outcome).toBe('already_used');
      // Undone in order, the later entry first, both go through and nothing is admitted twice.
      expect((await annulOverHttp(supervisor, back.id)).status).toBe(201);
      expect((await annulOverHttp(supervisor, out.id)).status).toBe(201);
      const list = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/conflicts`);
      expect(list.json.conflicts.filter((c: { ticketId: string; kind?: string }) => c.ticketId === vip.id && !c.kind)).toEqual([]);
    } finally {
      await old.close();
    }
  });
});
