// What the conflict alert says about each kind of conflict. A refusal that an undo made
// needless (refused_annulled) was shown as "admitted twice", with the annulled admission as
// "First (stands)" and the refusal as "Second": wrong on both counts, and it is exactly the
// case where an inspector has to go and find someone who was turned away.
import { describe, expect, it } from 'vitest';
import { arbitrate } from '@gatekeeper/shared/admission';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import { ConflictKind, summarise } from '@gatekeeper/shared/domain';
import { scanId } from '@gatekeeper/shared/ids';
import { conflictView } from '../../scanner-pwa/src/lib/verdict/conflict-view.ts';
import { en } from '../../scanner-pwa/src/lib/i18n/en.ts';
import { nl } from '../../scanner-pwa/src/lib/i18n/nl.ts';
import { DEVICE_A, DEVICE_B, hlcAt, INSPECTOR_A, INSPECTOR_B, makeScan, T0 } from '../support/factories.ts';

const admission = makeScan({ at: T0 });
const refusal = makeScan({ at: T0 + 10_000, deviceId: DEVICE_B, inspectorId: INSPECTOR_B, outcome: 'already_used', offline: false });
const annulment = makeAnnulment({
  target: admission, id: scanId('s-undo'), hlc: hlcAt(T0 + 20_000), at: T0 + 20_000, clockOffset: 0,
  deviceId: DEVICE_A, inspectorId: INSPECTOR_A, checkpoint: admission, offline: true,
});

describe('the conflict alert', () => {
  it('names a refusal an undo made needless as such: the undone admission, the refusal, and who undid it', () => {
    const [c] = arbitrate([admission, refusal, annulment]).conflicts;
    expect(c?.kind).toBe(ConflictKind.refused_annulled);
    const v = conflictView(c!);
    expect(v.title).toBe('refusedAnnulledTitle');
    expect(v.body).toBe('refusedAnnulledBody');
    expect(v.scans.map((s) => [s.label, s.scan.scanId])).toEqual([
      ['refusedAnnulledAdmission', admission.id],
      ['refusedAnnulledRefusal', refusal.id],
      ['refusedAnnulledBy', annulment.id],
    ]);
    // Nothing of it says the ticket was admitted twice, in either language.
    for (const dict of [en, nl]) {
      const words = [v.title, v.body, ...v.scans.map((s) => s.label)].map((k) => dict[k]).join(' ');
      expect(words).not.toContain(dict.conflictWinner);
      expect(words).not.toContain(dict.conflictTitle.split('{')[0]!.trim());
    }
  });

  it('still names a double admission as one, first and second', () => {
    const second = makeScan({ at: T0 + 5_000, deviceId: DEVICE_B, inspectorId: INSPECTOR_B });
    const [c] = arbitrate([admission, second]).conflicts;
    const v = conflictView(c!);
    expect(v.title).toBe('conflictTitle');
    expect(v.scans.map((s) => [s.label, s.scan.scanId])).toEqual([['conflictWinner', admission.id], ['conflictLoser', second.id]]);
  });

  it('without the annulment (a server that did not send it) names the two scans it has', () => {
    const v = conflictView({ eventId: admission.eventId, ticketId: admission.ticketId!, scope: 'event', winner: summarise(admission), loser: summarise(refusal), kind: ConflictKind.refused_annulled });
    expect(v.scans.map((s) => s.label)).toEqual(['refusedAnnulledAdmission', 'refusedAnnulledRefusal']);
  });
});
