// Scans that make live counting hard, for the tally tests on SQLite and PostgreSQL
// (tests/sync-server/live/tally*.test.ts): annulments (some stamped before their
// admission, some quarantined), exits uploaded out of order at an entry/exit zone,
// quarantined scans, scans of no ticket. And the two answers those tests compare: the
// counters rebuilt from every stored scan, and the ones read from the store's tally.
import { expect } from 'vitest';
import { makeAnnulment } from '@gatekeeper/shared/annul';
import type { Scan } from '@gatekeeper/shared/domain';
import { checkpointId, scanId, ticketId } from '@gatekeeper/shared/ids';
import { isAdmitting, type Outcome } from '@gatekeeper/shared/outcomes';
import type { LiveSnapshot } from '@gatekeeper/shared/protocol/index';
import { LiveCounters } from '../../sync-server/src/live/counters.ts';
import { Live } from '../../sync-server/src/live/live.ts';
import { silentLogger } from '../../sync-server/src/log.ts';
import type { Storage } from '../../sync-server/src/storage/types.ts';
import { DEVICE_A, DEVICE_B, EVENT, INSPECTOR_A, T0, hlcAt, makeScan } from './factories.ts';
import { prng } from './prng.ts';

const LOUNGE = checkpointId('lounge');
const OUTCOMES: Outcome[] = ['valid', 'valid', 'valid', 'already_used', 'unknown'];

/** `n` scans of 25 tickets over three hours, stamped out of the order they are listed in. */
export function scansOf(seed: number, n: number): Scan[] {
  const random = prng(seed);
  const out: Scan[] = [];
  const admissions: Scan[] = [];
  for (let i = 0; i < n; i++) {
    const device = random() < 0.5 ? DEVICE_A : DEVICE_B;
    if (random() < 0.12 && admissions.length > 0) {
      const target = admissions[Math.floor(random() * admissions.length)]!;
      // Mostly stamped after the admission (it counts), sometimes before it (it does not).
      const at = target.at + Math.floor((random() - 0.2) * 600_000);
      const undo = makeAnnulment({ target, id: scanId(`s-undo-${i}`), hlc: hlcAt(at, i), at, clockOffset: 0, deviceId: device, inspectorId: INSPECTOR_A, checkpoint: target, offline: true });
      out.push(random() < 0.1 ? { ...undo, quarantine: 'unknown_checkpoint' } : undo);
      continue;
    }
    const at = T0 + Math.floor(random() * 3 * 3600_000);
    const lounge = random() < 0.4;
    const exit = lounge && random() < 0.4;
    const scan = makeScan({
      id: scanId(`s-${i}`), ticketId: random() < 0.05 ? null : ticketId(`t${Math.floor(random() * 25)}`), at, hlc: hlcAt(at, i), deviceId: device,
      ...(lounge ? { checkpointId: LOUNGE, zone: 'vip', mode: 'entry_exit' as const } : {}),
      direction: exit ? 'exit' : 'entry', outcome: exit ? 'exit' : OUTCOMES[Math.floor(random() * OUTCOMES.length)]!,
      ...(random() < 0.05 ? { quarantine: 'unknown_checkpoint' as const } : {}),
    });
    out.push(scan);
    if (isAdmitting(scan.outcome) && scan.quarantine === undefined) admissions.push(scan);
  }
  return out;
}


/** The counters rebuilt from every stored scan, in one batch, without the tally. */
export async function rebuilt(storage: Storage): Promise<LiveSnapshot> {
  const all = await storage.scansAfter(EVENT, 0, 100_000);
  const counters = new LiveCounters();
  counters.apply(all.scans, []);
  return counters.snapshot(EVENT, await storage.admissibleTicketCount(EVENT));
}

/** The counters as the server reads them, from the store's tally. */
export const fromTally = (storage: Storage) => new Live({ storage, log: silentLogger }).snapshot(EVENT);

/**
 * Stores scansOf(seed, 600) in uploads of 50 and holds the tally to the rebuild, which must
 * have admissions and one entry/exit zone to count; the rebuild, for what a test does next.
 */
export async function tallyEqualsRebuild(storage: Storage, seed: number): Promise<LiveSnapshot> {
  const scans = scansOf(seed, 600);
  for (let i = 0; i < scans.length; i += 50) await storage.uploadOffline(scans.slice(i, i + 50), T0);
  const want = await rebuilt(storage);
  expect(want.admitted).toBeGreaterThan(0);
  expect(want.zones.length).toBe(1);
  expect(await fromTally(storage)).toEqual(want);
  return want;
}
