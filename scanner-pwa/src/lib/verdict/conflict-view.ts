// What the conflict alert says, by kind of conflict, as message keys and the scans to name:
// a pure function, so the alert only lays it out. Two kinds reach a phone (domain.ts):
// a double admission (first stands, second lost), and a refusal that an undo made needless
// (refused_annulled), which is no double admission at all: the ticket was refused ALREADY
// SCANNED because of an admission that was undone afterwards, so someone may have been
// turned away for nothing.
import { ConflictKind, type Conflict, type ScanSummary } from '@gatekeeper/shared/domain';
import type { MessageKey } from '../i18n/en.ts';

export interface ConflictView {
  title: MessageKey;
  body: MessageKey;
  /**
   * The scans involved, each under its label, in the order to read them. `annulment`: its
   * outcome field is no verdict (annul.ts), so none is shown for it.
   */
  scans: Array<{ label: MessageKey; scan: ScanSummary; annulment: boolean }>;
}

export function conflictView(c: Conflict): ConflictView {
  if (c.kind === ConflictKind.refused_annulled) {
    return {
      title: 'refusedAnnulledTitle',
      body: 'refusedAnnulledBody',
      scans: [
        { label: 'refusedAnnulledAdmission', scan: c.winner, annulment: false },
        { label: 'refusedAnnulledRefusal', scan: c.loser, annulment: false },
        ...(c.annulment ? [{ label: 'refusedAnnulledBy' as const, scan: c.annulment, annulment: true }] : []),
      ],
    };
  }
  return {
    title: 'conflictTitle',
    body: 'conflictBody',
    scans: [{ label: 'conflictWinner', scan: c.winner, annulment: false }, { label: 'conflictLoser', scan: c.loser, annulment: false }],
  };
}
