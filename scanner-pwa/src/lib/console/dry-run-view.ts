// What the dry run panel shows: the verdict a scanner would give, in the scanner's own
// words and colours (the same i18n and tone as the verdict screen), and why.
import type { DryRunReply } from '@gatekeeper/shared/api/checkpoints';
import type { CheckpointId } from '@gatekeeper/shared/ids';
import type { Outcome } from '@gatekeeper/shared/outcomes';
import type { Reason } from '@gatekeeper/shared/reasons';
import { toneOf, type Tone } from '../verdict/view-model.ts';

export interface Wording {
  word(outcome: Outcome): string;
  explain(outcome: Outcome): string;
  reason(reason: Reason, where: { timeZone: string; checkpointName: (id: CheckpointId) => string }): string | null;
}

export interface DryRunView {
  outcome: Outcome;
  tone: Tone;
  /** The big word, as the scanner shows it. */
  word: string;
  /** Why: the reason when there is one, else the outcome's own text. */
  why: string;
}

export function dryRunView(reply: DryRunReply, words: Wording, where: { timeZone: string; checkpointName: (id: CheckpointId) => string }): DryRunView {
  const { outcome, reason } = reply.verdict;
  return { outcome, tone: toneOf(outcome, false), word: words.word(outcome), why: words.reason(reason, where) ?? words.explain(outcome) };
}
