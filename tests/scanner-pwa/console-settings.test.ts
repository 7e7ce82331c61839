// The console's settings, the pure parts: a checkpoint's rules to and from the form (times
// in the event's zone), and the dry run's answer worded as the scanner words a verdict.
import { describe, expect, it } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { DryRunReply } from '@gatekeeper/shared/api/checkpoints';
import type { Checkpoint } from '@gatekeeper/shared/domain';
import { checkpointId, eventId, ticketId } from '@gatekeeper/shared/ids';
import { I18n } from '../../scanner-pwa/src/lib/i18n/i18n.svelte.ts';
import { checkpointOfForm, formOfCheckpoint, idFromName, NEW_CHECKPOINT } from '../../scanner-pwa/src/lib/console/checkpoint-form.ts';
import { dryRunView } from '../../scanner-pwa/src/lib/console/dry-run-view.ts';
import { fileFormat } from '../../scanner-pwa/src/lib/console/ticket-import.svelte.ts';
import { consoleRoute } from '../../scanner-pwa/src/lib/console/route.ts';
import { makeTicket } from '../support/factories.ts';

const EVENT = eventId('ev-settings');
const TZ = 'Europe/Amsterdam';
const VIP: Checkpoint = { id: checkpointId('vip'), eventId: EVENT, name: 'VIP lounge', zone: 'vip', mode: 'entry_exit', allowedTypes: ['VIP'], validFrom: null, validUntil: null };

describe('the checkpoint form', () => {
  it('round-trips a checkpoint, with its window as wall times in the event\u2019s zone', () => {
    const cp = { ...VIP, validFrom: Date.UTC(2026, 5, 12, 17, 30), validUntil: Date.UTC(2026, 5, 12, 21, 59, 59, 999) };
    const form = formOfCheckpoint(cp, TZ);
    expect(form).toMatchObject({ types: 'VIP', from: '2026-06-12T19:30', until: '2026-06-12T23:59' });
    expect(checkpointOfForm(form, EVENT, TZ)).toEqual({ ok: true, checkpoint: cp });
  });

  it('makes a new checkpoint\u2019s id from its name, reads types loosely, and says what is missing or backwards', () => {
    const r = checkpointOfForm({ ...NEW_CHECKPOINT, name: 'Noord-ingang 2 (Ü)', zone: 'grounds', types: ' Adult, ,VIP,Adult ' }, EVENT, TZ);
    expect(r).toMatchObject({ ok: true, checkpoint: { id: 'noord-ingang-2-u', allowedTypes: ['Adult', 'VIP'], validFrom: null, validUntil: null } });
    expect(idFromName('  ')).toBe('');
    expect(checkpointOfForm({ ...NEW_CHECKPOINT, zone: 'x' }, EVENT, TZ)).toEqual({ ok: false, problem: 'cpNeedsName' });
    expect(checkpointOfForm({ ...NEW_CHECKPOINT, name: 'Door' }, EVENT, TZ)).toEqual({ ok: false, problem: 'cpNeedsZone' });
    const backwards = { ...NEW_CHECKPOINT, name: 'Door', zone: 'x', from: '2026-06-12T20:00', until: '2026-06-12T19:00' };
    expect(checkpointOfForm(backwards, EVENT, TZ)).toEqual({ ok: false, problem: 'cpWindowBackwards' });
    expect(checkpointOfForm({ ...backwards, until: '2026-13-45T19:00' }, EVENT, TZ)).toEqual({ ok: false, problem: 'cpBadTime' });
  });
});

describe('the dry run\u2019s answer', () => {
  const reply = (checkpoint: Checkpoint, at: number, type = 'Adult'): DryRunReply => {
    const ticket = makeTicket({ id: ticketId('T-1'), eventId: EVENT, type, validFrom: null, validUntil: null, status: 'paid', idCheck: false });
    const verdict = decideAdmission(ticket, checkpoint, [], at, { direction: 'entry', idChecked: false, offline: false });
    return { verdict, ticket, priorScans: 0 };
  };
  const where = { timeZone: TZ, checkpointName: (id: string) => (id === 'vip' ? 'VIP lounge' : id) };

  it('words a refused ticket type as the scanner does, in either language, in the refusal\u2019s colour', () => {
    expect(dryRunView(reply(VIP, 0), new I18n('en'), where)).toEqual({ outcome: 'wrong_checkpoint', tone: 'deny', word: 'WRONG CHECKPOINT', why: 'Ticket type Adult is not valid at VIP lounge.' });
    const nl = dryRunView(reply(VIP, 0), new I18n('nl'), where);
    expect(nl.tone).toBe('deny');
    expect(nl.why).toContain('VIP lounge');
    expect(nl.why).not.toBe('Ticket type Adult is not valid at VIP lounge.');
  });

  it('gives the window\u2019s time in the event\u2019s zone, and the outcome\u2019s own text when there is no more to say', () => {
    const late = dryRunView(reply({ ...VIP, allowedTypes: null, validUntil: Date.UTC(2026, 5, 12, 21, 0) }, Date.UTC(2026, 5, 12, 22, 0)), new I18n('en'), where);
    expect(late).toMatchObject({ outcome: 'no_longer_valid', tone: 'deny' });
    expect(late.why).toContain('23:00');
    const ok = dryRunView(reply({ ...VIP, allowedTypes: null }, 0), new I18n('en'), where);
    expect(ok).toMatchObject({ outcome: 'valid', tone: 'admit' });
    expect(ok.why).toBe(new I18n('en').explain('valid'));
  });
});

describe('the console\u2019s settings sections', () => {
  it('are addressable, and a ticket file is read as JSON or CSV by its name, else by its first character', () => {
    expect(consoleRoute(new URL('https://gate.example/console/checkpoints'))?.section).toBe('checkpoints');
    expect(consoleRoute(new URL('https://gate.example/console/import'))?.section).toBe('import');
    expect(fileFormat('export.JSON', 'a,b')).toBe('json');
    expect(fileFormat('export.csv', '[')).toBe('csv');
    expect(fileFormat('export', '\uFEFF [{"id":1}]')).toBe('json');
    expect(fileFormat('export', 'Barcode,Category')).toBe('csv');
  });
});
