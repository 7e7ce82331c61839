// The phone's in-memory scan log: a scan heard twice is kept once, and the server's copy of
// a scan replaces ours everywhere the log indexes it.
import { describe, expect, it } from 'vitest';
import type { Scan } from '@gatekeeper/shared/domain';
import { deviceId, orderId } from '@gatekeeper/shared/ids';
import { ScanLog, sameScan } from '../../scanner-pwa/src/lib/scans/scan-log.ts';
import { T0, makeScan } from '../support/factories.ts';

let n = 0;
/** Ticket t1 of order o-1; each one a millisecond after the one before. */
const scan = (over: Partial<Scan> = {}): Scan => makeScan({ orderId: orderId('o-1'), at: T0 + ++n, ...over });

describe('ScanLog', () => {
  it('keeps a scan heard twice once, whoever sends it', () => {
    const log = new ScanLog();
    const a = scan();
    expect(log.add([a])).toEqual([a]);
    expect(log.add([{ ...a }])).toEqual([]);
    expect(log.add([{ ...a }], true)).toEqual([]);
    expect(log.size).toBe(1);
    expect(log.ofTicket('t1')).toHaveLength(1);
  });

  it('a scan of ours is not changed by another copy of ours', () => {
    const log = new ScanLog();
    const a = scan();
    log.add([a]);
    log.add([{ ...a, outcome: 'already_used' }]);
    expect(log.get(a.id)?.outcome).toBe('valid');
  });

  it("the server's copy replaces ours in every index, and counts as news", () => {
    const log = new ScanLog();
    const other = scan({ deviceId: deviceId('d-2'), offline: false });
    const ours = scan();
    log.add([other, ours]);
    const server = { ...ours, outcome: 'already_used', offline: false } as Scan;
    expect(log.add([server], true)).toEqual([server]);
    expect(log.size).toBe(2);
    expect(log.get(ours.id)).toEqual(server);
    expect(log.ofTicket('t1').map((s) => s.outcome)).toEqual(['valid', 'already_used']);
    expect(log.ofOrder('o-1', []).filter((s) => s.id === ours.id)).toEqual([server]);
    expect(log.latest(10).map((s) => s.id)).toEqual([ours.id, other.id]);
    // Now only the other scan admits: no conflict left between them.
    expect(log.conflictsOf(['t1'])).toEqual([]);
  });

  it('sameScan compares every field', () => {
    const a = scan();
    expect(sameScan(a, { ...a })).toBe(true);
    expect(sameScan(a, { ...a, idChecked: true })).toBe(false);
    expect(sameScan(a, { ...a, extra: 1 } as Scan)).toBe(false);
  });
});
