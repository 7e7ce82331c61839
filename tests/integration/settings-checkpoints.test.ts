// Checkpoints in the console's settings against a real server: rules edited and added,
// each change audited (who, what, when, before and after); the dry run answers what the
// shared rule answers, for the rules as saved or as still being edited; who may do either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zAuditReply } from '@gatekeeper/shared/api/settings';
import type { Checkpoint } from '@gatekeeper/shared/domain';
import { checkpointId, ticketId } from '@gatekeeper/shared/ids';
import { DEMO_EVENT } from '../support/server.ts';
import { settingsWorld, type SettingsWorld } from './settings-support.ts';
import { auditOldestFirst } from '../support/audit.ts';

let w: SettingsWorld;
beforeAll(async () => { w = await settingsWorld(); });
afterAll(async () => { await w?.server.close(); });

const path = (rest: string) => `/api/events/${DEMO_EVENT}${rest}`;
const checkpoint = async (id: string): Promise<Checkpoint> => (await w.server.storage.getCheckpoint(DEMO_EVENT, checkpointId(id)))!;

describe('checkpoint rules', () => {
  it('an edit is stored, answered and audited with the rules before and after, by whom and when', async () => {
    const before = await checkpoint('ice-rink');
    const after = { ...before, allowedTypes: ['Adult'], validFrom: Date.UTC(2026, 5, 1, 17), validUntil: Date.UTC(2026, 5, 1, 23) };
    const t0 = Date.now();
    const r = await w.supervisor.request('PUT', path('/checkpoints/ice-rink'), after);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ checkpoint: after, created: false });
    expect(await checkpoint('ice-rink')).toEqual(after);
    const audit = (await auditOldestFirst(w.server.storage, DEMO_EVENT)).filter((a) => a.target === 'ice-rink');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'i-supervisor', action: 'checkpoint.update', before, after });
    expect(audit[0]!.at).toBeGreaterThanOrEqual(t0);
    // The same rules again change nothing, and the audit says nothing more.
    await w.supervisor.request('PUT', path('/checkpoints/ice-rink'), after);
    expect((await auditOldestFirst(w.server.storage, DEMO_EVENT)).filter((a) => a.target === 'ice-rink')).toHaveLength(1);
  });

  it('a new checkpoint is audited as created, with nothing before', async () => {
    const cp: Checkpoint = { id: checkpointId('north-gate'), eventId: DEMO_EVENT, name: 'North gate', zone: 'grounds', mode: 'once_per_event', allowedTypes: null, validFrom: null, validUntil: null };
    const r = await w.supervisor.request('PUT', path('/checkpoints/north-gate'), cp);
    expect(r.json).toEqual({ checkpoint: cp, created: true });
    const entry = (await auditOldestFirst(w.server.storage, DEMO_EVENT)).find((a) => a.target === 'north-gate');
    expect(entry).toMatchObject({ action: 'checkpoint.create', before: null, after: cp });
    // The console reads it in the one audit, with the person's name, as the shared shape.
    const listed = zAuditReply.parse((await w.supervisor.request('GET', path('/audit?action=checkpoint.create&target=north-gate'))).json);
    expect(listed.entries).toEqual([{ ...entry, actorName: 'Sam Supervisor' }]);
  });

  it('refuses a window that closes before it opens, and stores nothing', async () => {
    const cp = { ...(await checkpoint('bar')), validFrom: 2000, validUntil: 1000 };
    const r = await w.supervisor.request('PUT', path('/checkpoints/bar'), cp);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('bad_request');
    expect((await checkpoint('bar')).validFrom).toBeNull();
  });

  it('refuses an inspector and a supervisor of another event, and audits nothing for them', async () => {
    const cp = { ...(await checkpoint('bar')), name: 'Bar (hijacked)' };
    const count = (await auditOldestFirst(w.server.storage, DEMO_EVENT)).length;
    for (const who of [w.inspector, w.stranger]) {
      const r = await who.request('PUT', path('/checkpoints/bar'), cp);
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('forbidden');
    }
    expect((await checkpoint('bar')).name).toBe('Bar');
    expect(await auditOldestFirst(w.server.storage, DEMO_EVENT)).toHaveLength(count);
  });
});

describe('the dry run', () => {
  const vip = async () => checkpoint('vip-lounge');
  const adultTicket = async () => (await w.server.storage.changesSince(DEMO_EVENT, 0)).tickets.find((t) => t.type !== 'VIP' && t.status === 'paid' && !t.idCheck && t.validFrom === null)!;

  it('answers the shared rule\u2019s refusal for a ticket type the checkpoint does not admit, with the reason as data', async () => {
    const ticket = await adultTicket();
    const r = await w.supervisor.request('POST', path('/dry-run'), { ticketId: ticket.id, checkpoint: await vip(), at: Date.now() });
    expect(r.status).toBe(200);
    expect(r.json.verdict).toMatchObject({ outcome: 'wrong_checkpoint', reason: { kind: 'wrong_type', ticketType: ticket.type, checkpointId: 'vip-lounge' } });
    expect(r.json.verdict.explanation).toBe(`Ticket type ${ticket.type} is not valid at VIP lounge.`);
    expect(r.json.ticket).toMatchObject({ id: ticket.id, type: ticket.type });
  });

  it('judges the rules as edited, unsaved, and stores nothing', async () => {
    const ticket = await adultTicket();
    const draft = { ...(await vip()), allowedTypes: null, validFrom: Date.UTC(2030, 0, 1) };
    const r = await w.supervisor.request('POST', path('/dry-run'), { ticketId: ticket.id, checkpoint: draft, at: Date.UTC(2029, 11, 31) });
    expect(r.json.verdict).toMatchObject({ outcome: 'not_yet_valid', reason: { kind: 'valid_from', from: Date.UTC(2030, 0, 1) } });
    const admitted = await w.supervisor.request('POST', path('/dry-run'), { ticketId: ticket.id, checkpoint: draft, at: Date.UTC(2030, 0, 2) });
    expect(admitted.json.verdict.outcome).toBe('valid');
    expect((await vip()).allowedTypes).toEqual(['VIP']);
    expect(await w.server.storage.ticketScans(DEMO_EVENT, ticket.id)).toEqual([]);
  });

  it('says which ticket it cannot find, refuses a checkpoint of another event, and refuses an inspector and a stranger', async () => {
    const missing = await w.supervisor.request('POST', path('/dry-run'), { ticketId: ticketId('NOPE-1'), checkpoint: await vip(), at: 0 });
    expect(missing.status).toBe(404);
    const elsewhere = await w.supervisor.request('POST', path('/dry-run'), { ticketId: (await adultTicket()).id, checkpoint: { ...(await vip()), eventId: 'other-festival' }, at: 0 });
    expect(elsewhere.status).toBe(400);
    for (const who of [w.inspector, w.stranger]) {
      const r = await who.request('POST', path('/dry-run'), { ticketId: (await adultTicket()).id, checkpoint: await vip(), at: 0 });
      expect(r.status).toBe(403);
    }
  });
});
