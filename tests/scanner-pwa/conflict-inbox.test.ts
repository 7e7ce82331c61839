// The Conflicts section's state (conflict-inbox.svelte.ts): the lists as the server gave
// them, then kept current by what the socket pushes: a new conflict fetches the list again
// (once for a burst), a review made elsewhere shows at once, a batch's quarantined scans and
// a device alert are added without doubles; a review is sent with its note, and one the
// server refuses keeps the conflict open and says why.
import { describe, expect, it } from 'vitest';
import type { ConflictEntry, ConflictListReply, QuarantineReply } from '@gatekeeper/shared/api/live';
import type { Conflict } from '@gatekeeper/shared/domain';
import { scanId, checkpointId, type InspectorId, type ScanId } from '@gatekeeper/shared/ids';
import { GkError } from '@gatekeeper/shared/protocol/index';
import { ConflictInbox, type InboxApi } from '../../scanner-pwa/src/lib/console/conflict-inbox.svelte.ts';
import { DEVICE_A, DEVICE_B, EVENT, INSPECTOR_A, INSPECTOR_B, makeScan, T0 } from '../support/factories.ts';
import { summarise } from '@gatekeeper/shared/domain';

const settle = () => new Promise((r) => setTimeout(r, 0));

function conflict(n: number): ConflictEntry {
  const winner = makeScan({ id: scanId(`w-${n}`), deviceId: DEVICE_A, inspectorId: INSPECTOR_A, at: T0 + n * 1000, offline: true });
  const loser = makeScan({ id: scanId(`l-${n}`), deviceId: DEVICE_B, inspectorId: INSPECTOR_B, at: T0 + n * 1000 + 5, offline: true });
  return { id: loser.id, eventId: EVENT, ticketId: winner.ticketId!, scope: 'venue', winner: summarise(winner), loser: summarise(loser), createdAt: T0 + n * 2000, holder: `Holder ${n}`, review: null };
}
const quarantined = (seq: number): QuarantineReply['scans'][number] => ({ seq, receivedAt: T0 + seq, reason: 'unknown_checkpoint', scan: makeScan({ id: scanId(`q-${seq}`), checkpointId: checkpointId('gone') }) });

function scriptedApi(lists: { conflicts: ConflictEntry[][]; quarantine?: QuarantineReply }) {
  const asked = { conflicts: 0, reviews: [] as Array<{ id: ScanId; note: string }> };
  let refuseReview: GkError | null = null;
  const api: InboxApi = {
    conflicts: async (): Promise<ConflictListReply> => ({ conflicts: lists.conflicts[Math.min(asked.conflicts++, lists.conflicts.length - 1)]! }),
    quarantine: async () => lists.quarantine ?? { scans: [], next: null, alerts: [] },
    reviewConflict: async (_e, id, note) => {
      asked.reviews.push({ id, note });
      if (refuseReview) throw refuseReview;
      const c = lists.conflicts.at(-1)!.find((x) => x.id === id)!;
      return { ...c, review: { by: 'sup-1' as InspectorId, byName: 'Sue Supervisor', at: T0 + 99_000, note } };
    },
  };
  return { api, asked, refuse: (e: GkError) => { refuseReview = e; } };
}

describe('the conflict inbox', () => {
  it('a conflict pushed on the socket fetches the list again, once for a burst', async () => {
    const { api, asked } = scriptedApi({ conflicts: [[conflict(1)], [conflict(3), conflict(2), conflict(1)]] });
    const inbox = new ConflictInbox(api, EVENT);
    await inbox.load();
    expect(inbox.conflicts.map((c) => c.id)).toEqual(['l-1']);
    const pushed: Conflict = conflict(2);
    inbox.conflict(pushed);
    inbox.conflict(conflict(3));
    inbox.conflict(conflict(3));
    await settle(); await settle();
    expect(inbox.conflicts.map((c) => c.id)).toEqual(['l-3', 'l-2', 'l-1']);
    // The first load, the fetch the first push started, and one more for the pushes during it.
    expect(asked.conflicts).toBe(3);
    expect(inbox.unreviewed).toBe(3);
  });

  it('marks a conflict reviewed with its note; a refusal keeps it open and says why', async () => {
    const { api, asked, refuse } = scriptedApi({ conflicts: [[conflict(2), conflict(1)]] });
    const inbox = new ConflictInbox(api, EVENT);
    await inbox.load();
    refuse(new GkError('forbidden', 'not a supervisor of this event'));
    expect(await inbox.review(scanId('l-2'), 'checked')).toBe(false);
    expect(inbox.reviewState('l-2')?.error).toBeInstanceOf(GkError);
    expect(inbox.conflicts[0]!.review).toBeNull();

    refuse(null as never);
    expect(await inbox.review(scanId('l-2'), '  Both people were let in; one left again.  ')).toBe(true);
    expect(asked.reviews.at(-1)).toEqual({ id: 'l-2', note: 'Both people were let in; one left again.' });
    expect(inbox.conflicts[0]!.review).toMatchObject({ byName: 'Sue Supervisor', note: 'Both people were let in; one left again.' });
    expect(inbox.reviewState('l-2')).toBeNull();
    expect(inbox.unreviewed).toBe(1);
  });

  it('a review made on another console shows at once', async () => {
    const { api } = scriptedApi({ conflicts: [[conflict(1)]] });
    const inbox = new ConflictInbox(api, EVENT);
    await inbox.load();
    inbox.reviewed({ type: 'conflictReviewed', eventId: EVENT, conflictId: scanId('l-1'), review: { by: 'sup-2' as InspectorId, byName: 'Bo', at: T0, note: 'fine' } });
    expect(inbox.conflicts[0]!.review?.byName).toBe('Bo');
  });

  it('quarantined scans and device alerts pushed live join the lists newest first, without doubles', async () => {
    const alert = { id: 1, eventId: EVENT, deviceId: DEVICE_A, inspectorId: INSPECTOR_A, kind: 'rate_limited' as const, message: 'over its limit', at: T0 };
    const { api } = scriptedApi({ conflicts: [[]], quarantine: { scans: [quarantined(4), quarantined(2)], next: null, alerts: [alert] } });
    const inbox = new ConflictInbox(api, EVENT);
    await inbox.load();
    const q7 = quarantined(7);
    inbox.delta({ eventId: EVENT, cursor: 7, checkpoints: [], zones: [], minutes: [], outcomes: [], quarantine: [{ ...q7, reason: 'unknown_checkpoint' }, { ...quarantined(4), reason: 'unknown_checkpoint' }] });
    expect(inbox.quarantined.map((q) => q.seq)).toEqual([7, 4, 2]);
    inbox.alert({ ...alert, id: 2, at: T0 + 5 });
    inbox.alert(alert);
    expect(inbox.alerts.map((a) => a.id)).toEqual([2, 1]);
  });
});
