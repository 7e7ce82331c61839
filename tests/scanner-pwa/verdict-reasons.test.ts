// The verdict screen words the verdict's reason itself: in the inspector's language and
// the event's time zone, never the server's English with UTC times (protocol 4 did that,
// and the Dutch app showed "Already scanned here at 2025-06-14 19:00 UTC.").
import { describe, expect, it } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { Checkpoint, Scan, Ticket } from '@gatekeeper/shared/domain';
import { formatHlc } from '@gatekeeper/shared/hlc';
import type { CheckpointId, DeviceId, EventId, InspectorId, ScanId, TicketId } from '@gatekeeper/shared/ids';
import { decodeCode, generateEventKey, signTicketCode, toPublicKeyEntry } from '@gatekeeper/shared/codec/index';
import { zCodeDamage, zCodeProblem } from '@gatekeeper/shared/codec/problems';
import { codeReason, ReasonKind, UNRESOLVED_CAUSES, type Reason, type ReasonKind as Kind } from '@gatekeeper/shared/reasons';
import { CODE_PROBLEMS } from '../support/code-problems.ts';
import { I18n, type ReasonPlaces } from '../../scanner-pwa/src/lib/i18n/i18n.svelte.ts';
import { en } from '../../scanner-pwa/src/lib/i18n/en.ts';

// 19:00 UTC is 21:00 in Amsterdam (summer time) and 15:00 in New York.
const SEVEN_PM_UTC = Date.UTC(2025, 5, 14, 19, 0);
const TEN_PM_UTC = Date.UTC(2025, 5, 14, 22, 0);
const EV = 'ev1' as EventId;
const NAMES: Record<string, string> = { gate: 'Hoofdingang', 'gate-2': 'Noordingang', vip: 'VIP-lounge', bar: 'Bar' };
const places = (timeZone: string): ReasonPlaces => ({ timeZone, checkpointName: (id) => NAMES[id] ?? id });

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 'T1' as TicketId, eventId: EV, orderId: null, type: 'Child', holderName: null, seat: null, kind: 'event', eTicket: true,
  status: 'paid', validFrom: null, validUntil: null, idCheck: false, importedCode: null, ...over,
});
const checkpoint = (id: string, over: Partial<Checkpoint> = {}): Checkpoint => ({
  id: id as CheckpointId, eventId: EV, name: NAMES[id] ?? id, zone: 'main', mode: 'once_per_event', allowedTypes: null,
  validFrom: null, validUntil: null, ...over,
});
const admitted = (cp: Checkpoint, at: number): Scan => ({
  id: `s-${cp.id}` as ScanId, eventId: EV, ticketId: 'T1' as TicketId, orderId: null, code: '', checkpointId: cp.id, zone: cp.zone,
  mode: cp.mode, direction: 'entry', deviceId: 'dev-a' as DeviceId, inspectorId: 'insp-1' as InspectorId,
  hlc: formatHlc({ physical: at, counter: 0 }), at, clockOffset: 0, outcome: 'valid', offline: false, idChecked: false,
});
const entry = { direction: 'entry' as const, idChecked: false, offline: false };
const later = TEN_PM_UTC + 60_000;

/** One reason of every kind, as the rule (or the server, or the phone) makes it. */
const REASONS: Record<Kind, Reason[]> = {
  outcome: [decideAdmission(ticket(), checkpoint('gate'), [], later, entry).reason],
  already_used: [
    decideAdmission(ticket(), checkpoint('gate'), [admitted(checkpoint('gate'), SEVEN_PM_UTC)], later, entry).reason,
    decideAdmission(ticket(), checkpoint('gate'), [admitted(checkpoint('gate-2'), SEVEN_PM_UTC)], later, entry).reason,
    decideAdmission(ticket(), checkpoint('bar', { mode: 'entry_exit', zone: 'bar' }),
      [admitted(checkpoint('bar', { mode: 'entry_exit', zone: 'bar' }), SEVEN_PM_UTC)], later, entry).reason,
  ],
  wrong_type: [decideAdmission(ticket(), checkpoint('vip', { allowedTypes: ['VIP'] }), [], later, entry).reason],
  valid_from: [decideAdmission(ticket({ validFrom: SEVEN_PM_UTC }), checkpoint('gate'), [], SEVEN_PM_UTC - 1, entry).reason],
  valid_until: [decideAdmission(ticket({ validUntil: TEN_PM_UTC }), checkpoint('gate'), [], later, entry).reason],
  code: CODE_PROBLEMS.map(codeReason),
  unresolved: UNRESOLVED_CAUSES.map((cause) => ({ kind: 'unresolved', cause })),
  order_not_on_phone: [{ kind: 'order_not_on_phone' }],
  verified_device: [decideAdmission(ticket(), checkpoint('gate'), [], later, { ...entry, verifiedDeviceOnly: true }).reason],
};

describe('verdict reasons in Dutch, at the event\'s local time', () => {
  const nl = new I18n('nl');
  const english = new Set(Object.values(en));

  it('has an example of every reason kind', () => {
    expect(Object.keys(REASONS).sort()).toEqual(Object.values(ReasonKind).sort());
    for (const [kind, list] of Object.entries(REASONS)) for (const r of list) expect(r.kind).toBe(kind);
  });

  it('says nothing beyond the outcome\'s own (translated) text for a plain verdict', () => {
    expect(nl.reason(REASONS.outcome[0], places('Europe/Amsterdam'))).toBeNull();
  });

  it('already scanned: here, at another gate, still inside; the time in Amsterdam, not UTC', () => {
    const [here, elsewhere, inside] = REASONS.already_used.map((r) => nl.reason(r, places('Europe/Amsterdam')));
    expect(here).toBe('Hier al gescand om 21:00 op za 14 jun 2025.');
    expect(elsewhere).toBe('Al gescand bij Noordingang om 21:00 op za 14 jun 2025.');
    expect(inside).toBe('Al binnen in bar: naar binnen bij Bar om 21:00 op za 14 jun 2025.');
  });

  it('wrong ticket type, naming the checkpoint as the phone knows it', () => {
    expect(nl.reason(REASONS.wrong_type[0], places('Europe/Amsterdam'))).toBe('Een ticket van type Child is niet geldig bij VIP-lounge.');
  });

  it('validity windows in local time', () => {
    expect(nl.reason(REASONS.valid_from[0], places('Europe/Amsterdam'))).toBe('Niet geldig v\u00f3\u00f3r 21:00 op za 14 jun 2025.');
    expect(nl.reason(REASONS.valid_until[0], places('Europe/Amsterdam'))).toBe('Geldig tot 00:00 op zo 15 jun 2025.');
  });

  it('the same reason follows the event\'s time zone, wherever the phone is', () => {
    expect(nl.reason(REASONS.valid_from[0], places('America/New_York'))).toBe('Niet geldig v\u00f3\u00f3r 15:00 op za 14 jun 2025.');
  });

  it('the server\'s unresolved causes and the order not on this phone, in Dutch', () => {
    const texts = [...REASONS.unresolved, ...REASONS.order_not_on_phone].map((r) => nl.reason(r, places('Europe/Amsterdam')));
    expect(texts).toEqual([
      'Geen ticket van dit evenement heeft deze code.',
      'De code hoort bij geen enkel ticket van dit evenement.',
      'De code hoort bij een ander ticket dan het gescande.',
      'Dit ticket hoort niet bij de gescande bestelling.',
      'Geen ticket van deze bestelling staat op deze telefoon: synchroniseer en scan opnieuw.',
    ]);
  });

  it('a refused code in Dutch, naming what the codec found (issue 9: it was the codec\'s English sentence)', () => {
    const key = generateEventKey('k1');
    const code = signTicketCode({ eventId: EV, ticketId: 'T1', orderId: null, ticketType: 'Child', validFrom: null, validUntil: null, issuedAt: 0 }, { keyId: 'k1', privateKey: key.privateKey });
    const refused = (text: string, keys = [toPublicKeyEntry('k1', key.publicKey)]) => {
      const r = decodeCode(text, { eventId: EV, publicKeys: keys });
      if (r.ok) throw new Error(`${text} was not refused`);
      return nl.reason(codeReason(r.problem), places('Europe/Amsterdam'));
    };
    expect(refused(code.slice(0, 10) + '=' + code.slice(11))).toBe('De code is beschadigd: het teken "=" op positie 7 hoort niet in een code.');
    expect(refused(code.slice(0, 4 + 5))).toBe('De code is beschadigd: hij is afgebroken (geen code is 5 tekens lang).');
    expect(refused(code, [])).toBe('De code is ondertekend met sleutel "k1", die deze telefoon niet kent. Synchroniseer de telefoon; lukt het dan nog niet, dan is de code vervalst.');
    expect(refused(code, [toPublicKeyEntry('k1', key.publicKey, true)])).toBe('De code is ondertekend met sleutel "k1", die is ingetrokken.');
    expect(refused('GK1RAAAA')).toBe('De code is beschadigd: de sleutel-id "" is misvormd.');
    expect(nl.reason(codeReason({ kind: 'not_supported', letter: 'R' }), places('Europe/Amsterdam'))).toBe('Wisselende wallet-codes kan deze versie van de app nog niet controleren.');
    expect(nl.reason(codeReason({ kind: 'expired_step', madeAt: Date.UTC(2025, 5, 14, 19, 0) }), places('Europe/Amsterdam')))
      .toBe('Deze code is gemaakt om 21:00 en is verlopen: een schermafbeelding of een oud scherm. Vraag de houder het live ticket te openen.');
    expect(refused('')).toBe('De scan was leeg.');
  });

  it('has an example of every code problem and every damage', () => {
    const kinds = (u: { options: readonly { shape: { kind: { value: string } } }[] }) => u.options.map((o) => o.shape.kind.value).sort();
    expect([...new Set(CODE_PROBLEMS.map((p) => p.kind))].sort()).toEqual(kinds(zCodeProblem));
    expect(CODE_PROBLEMS.flatMap((p) => (p.kind === 'damaged' ? [p.damage.kind] : [])).sort()).toEqual(kinds(zCodeDamage));
  });

  it('no Dutch wording is the English one, and none says UTC', () => {
    for (const list of Object.values(REASONS)) {
      for (const r of list) {
        const text = nl.reason(r, places('Europe/Amsterdam'));
        if (text === null) continue;
        expect(text).not.toMatch(/UTC/);
        expect(english.has(text as never)).toBe(false);
        expect(text).not.toBe(new I18n('en').reason(r, places('Europe/Amsterdam')));
      }
    }
  });

  it('in English too, at local time', () => {
    const en = new I18n('en');
    expect(en.reason(REASONS.already_used[1], places('Europe/Amsterdam'))).toBe('Already scanned at Noordingang at 21:00 on Sat 14 Jun 2025.');
  });
});
