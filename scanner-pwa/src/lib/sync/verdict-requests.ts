// Online verdicts waiting for the server, each with a deadline: the scan's budget. Past it
// the caller decides offline with the same scan id, so the server stores the scan once
// whichever way it arrives.
import type { Scan, Verdict } from '@gatekeeper/shared/domain';
import type { AckStatus } from '@gatekeeper/shared/protocol/index';

export interface OnlineAnswer { status: AckStatus; verdict: Verdict; scan: Scan }

export class NoOnlineVerdict extends Error {
  constructor(readonly why: 'offline' | 'budget' | 'closed' | 'error', detail = '') {
    super(`no online verdict: ${why}${detail ? ` (${detail})` : ''}`);
    this.name = 'NoOnlineVerdict';
  }
}

interface Waiting {
  resolve(a: OnlineAnswer): void;
  reject(e: NoOnlineVerdict): void;
  timer: ReturnType<typeof setTimeout>;
}

export class VerdictRequests {
  #waiting = new Map<string, Waiting>();

  wait(scanId: string, budgetMs: number): Promise<OnlineAnswer> {
    return new Promise<OnlineAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(scanId);
        reject(new NoOnlineVerdict('budget', `${budgetMs} ms`));
      }, budgetMs);
      this.#waiting.set(scanId, { resolve, reject, timer });
    });
  }

  /** true when someone was waiting for this answer; false: it came after the budget. */
  answer(scanId: string, a: OnlineAnswer): boolean {
    const w = this.#waiting.get(scanId);
    if (!w) return false;
    this.#waiting.delete(scanId);
    clearTimeout(w.timer);
    w.resolve(a);
    return true;
  }

  fail(scanId: string, why: NoOnlineVerdict['why'], detail = ''): boolean {
    const w = this.#waiting.get(scanId);
    if (!w) return false;
    this.#waiting.delete(scanId);
    clearTimeout(w.timer);
    w.reject(new NoOnlineVerdict(why, detail));
    return true;
  }

  /** The socket closed: nobody waits out the budget for an answer that cannot come. */
  failAll(why: NoOnlineVerdict['why']): void {
    for (const id of [...this.#waiting.keys()]) this.fail(id, why);
  }
}
