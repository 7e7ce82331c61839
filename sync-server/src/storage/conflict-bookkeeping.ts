// What storing scans does with arbitration's answer, for either database: which conflict
// rows to write or replace, which double admissions an annulment stored now resolves, and
// which of the stored scans' results carry each. The rule itself is shared's `arbitrate`;
// this is the bookkeeping after it, kept pure so that both adapters (sqlite/ and
// postgres/ scan-writes.ts) record the same rows and only their SQL differs.
import type { Arbitration } from '@gatekeeper/shared/admission';
import type { Conflict } from '@gatekeeper/shared/domain';
import type { SubmitResult } from './types.ts';

/** A row of `conflicts` as the bookkeeping needs it: keyed by the losing scan. */
export interface RecordedConflict {
  loserScanId: string;
  winnerScanId: string;
  /** null: a double admission; otherwise shared's ConflictKind. */
  kind: string | null;
  /** The annulment the row is about, or the one that resolved it. */
  annulScanId: string | null;
}

export interface ConflictPlan {
  /**
   * Conflicts to write, each replacing any row of its loser (the loser already lost to a
   * later scan; the earliest admission now wins), with the scans stored by this call that
   * it names: their results carry it.
   */
  put: Array<{ conflict: Conflict; involved: string[] }>;
  /**
   * Double admissions that an annulment stored by this call cancels one side of, in the
   * order the rows were recorded. Not deleted (they happened): the row names the
   * annulment from then on, and the annulment's result carries the row.
   */
  resolve: Array<{ loserScanId: string; annulmentId: string }>;
}

/** Results that can carry conflicts: a submit result or an upload result. */
export type Involved = { status: SubmitResult['status']; conflicts: Conflict[] };

/** Whether arbitration found anything to record at all; when not, no row needs reading. */
export const hasConflicts = (a: Arbitration): boolean => a.conflicts.length > 0 || a.annulments.length > 0;

/**
 * From arbitration over one ticket's whole stored set, the ids of the scans stored by
 * this call (`fresh`), and the ticket's recorded rows in the order they were written,
 * what to write. A conflict is recorded when it names a fresh scan (the loser learns it
 * lost, a late scan with an earlier stamp learns it has made someone else lose, an
 * annulment learns of the refusal it made needless) and its row does not already say so.
 */
export function planConflicts(arbitration: Arbitration, fresh: ReadonlySet<string>, recorded: readonly RecordedConflict[]): ConflictPlan {
  // The rows as they will be once the plan is carried out, in their order: a replaced
  // row goes to the end, as a new row does.
  const rows = new Map(recorded.map((r) => [r.loserScanId, { ...r }]));
  const put: ConflictPlan['put'] = [];
  for (const conflict of arbitration.conflicts) {
    const involved = [conflict.loser.scanId, conflict.winner.scanId, conflict.annulment?.scanId]
      .filter((id): id is NonNullable<typeof id> => id !== undefined && fresh.has(id));
    if (involved.length === 0) continue;
    const kind = conflict.kind ?? null;
    const was = rows.get(conflict.loser.scanId);
    if (was && was.winnerScanId === conflict.winner.scanId && was.kind === kind) continue;
    rows.delete(conflict.loser.scanId);
    rows.set(conflict.loser.scanId, {
      loserScanId: conflict.loser.scanId, winnerScanId: conflict.winner.scanId, kind, annulScanId: conflict.annulment?.scanId ?? null,
    });
    put.push({ conflict, involved });
  }
  const resolve: ConflictPlan['resolve'] = [];
  for (const { annulled, annulment } of arbitration.annulments) {
    if (!fresh.has(annulment.id)) continue;
    for (const row of rows.values()) {
      const names = row.loserScanId === annulled.id || row.winnerScanId === annulled.id;
      if (!names || row.kind !== null || row.annulScanId !== null) continue;
      row.annulScanId = annulment.id;
      resolve.push({ loserScanId: row.loserScanId, annulmentId: annulment.id });
    }
  }
  return { put, resolve };
}

/** The conflict goes to each named result, which then reads 'conflict'. */
export function carry(results: ReadonlyMap<string, Involved>, ids: readonly string[], conflict: Conflict): void {
  for (const id of ids) {
    const r = results.get(id);
    if (!r) continue;
    r.conflicts.push(conflict);
    r.status = 'conflict';
  }
}
