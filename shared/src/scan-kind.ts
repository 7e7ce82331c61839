// What kind of scan a record is (annul.ts says what an annulment does). On its own so that
// the admission rule and the annulment rule can each read it without importing the other.
import type { Scan } from './domain.ts';
import { valuesOf, type ValueOf } from './enum-values.ts';

export const ScanKind = {
  /** Cancels the admission named in `annuls`. Absent `kind`: an ordinary scan. */
  annul: 'annul',
} as const;
export type ScanKind = ValueOf<typeof ScanKind>;
export const SCAN_KINDS = valuesOf(ScanKind);

export const isAnnulment = (s: Pick<Scan, 'kind'>): boolean => s.kind === ScanKind.annul;
