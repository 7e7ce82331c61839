// server.race.doubleAdmissions: first scan wins under the worst timing we can make. Ten
// scanners (five per demo inspector) send the same fresh ticket in the same instant, one
// trial after another; every admission beyond the first in a trial is a person let in
// twice. Counted from the verdicts the scanners receive, which is what the gates show.
import type { ScanId, TicketId } from '@gatekeeper/shared/ids';
import { Fleet, messageType, scanRequest, send } from './support/scanners.ts';
import { startServerProcess } from './support/server-process.ts';
import { absoluteRow, fmt, latencySummary } from './support/stats.ts';
import { admissibleTickets, TicketPool } from './support/tickets.ts';
import type { Bench } from './types.ts';

const SCANNERS = 10;
const TRIALS = 1_000;
const TICKETS = 1_400; // about 87% of demo tickets are admissible at the main gate
const TRIAL_TIMEOUT_MS = 10_000;
const TOTAL_TIMEOUT_MS = 60_000;

interface Verdict { outcome: string; firstScan: { scanId: string } | null }

export const run: Bench = async () => {
  const server = await startServerProcess({ demoTickets: TICKETS });
  let fleet: Fleet | null = null;
  try {
    fleet = await Fleet.connect(server.info.url, SCANNERS);
    const pool = new TicketPool(admissibleTickets(TICKETS));
    const waiting = new Map<string, (v: Verdict) => void>();
    fleet.onMessage = (_s, data, isBinary) => {
      if (messageType(data, isBinary) !== 'verdict') return;
      const msg = JSON.parse(data.toString()) as { scanId: ScanId; verdict: Verdict };
      waiting.get(msg.scanId)?.(msg.verdict);
      waiting.delete(msg.scanId);
    };

    let extra = 0;
    let trialsWithout = 0;
    let badRefusals = 0;
    let done = 0;
    const outcomes = new Map<string, number>();
    const trialMs: number[] = [];
    const t0 = performance.now();
    for (let trial = 0; trial < TRIALS && performance.now() - t0 < TOTAL_TIMEOUT_MS; trial++) {
      const ticket: TicketId = pool.take();
      const reqs = fleet.scanners.map((s) => scanRequest(s, ticket));
      const texts = reqs.map((scan) => JSON.stringify({ type: 'scan', scan }));
      const answers = reqs.map((r) => new Promise<Verdict>((resolve) => waiting.set(r.id, resolve)));
      const start = performance.now();
      // Serialised above, sent here back to back: the ten frames leave within microseconds.
      fleet.scanners.forEach((s, i) => send(s.ws, texts[i]!));
      let timer: NodeJS.Timeout | undefined;
      const verdicts = await Promise.race([
        Promise.all(answers),
        new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), TRIAL_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      if (!verdicts) throw new Error(`trial ${trial}: not every scanner got a verdict within ${TRIAL_TIMEOUT_MS / 1000} s`);
      trialMs.push(performance.now() - start);
      const valid = verdicts.filter((v) => v.outcome === 'valid');
      extra += Math.max(0, valid.length - 1);
      if (valid.length === 0) trialsWithout++;
      // Every refusal must name a scan of this trial as the one that got in first.
      const ids = new Set<string>(reqs.map((r) => r.id));
      badRefusals += verdicts.filter((v) => v.outcome !== 'valid' && !(v.firstScan && ids.has(v.firstScan.scanId))).length;
      for (const v of verdicts) outcomes.set(v.outcome, (outcomes.get(v.outcome) ?? 0) + 1);
      done++;
    }

    const notes = [
      `${done} trials × ${SCANNERS} scanners (2 logins, ${SCANNERS} devices), each trial a fresh admissible ticket sent by all at once, trials one after another`,
      `outcomes: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}`,
      `trials with no admission: ${trialsWithout}; refusals not naming this trial's winner: ${badRefusals}`,
      `time for all ten verdicts per trial: ${latencySummary(trialMs)}`,
      `took ${fmt((performance.now() - t0) / 1000)} s`,
    ].join('; ');
    const complete = done === TRIALS;
    return [absoluteRow({
      id: 'server.race.doubleAdmissions', value: extra, unit: 'admissions',
      target: '= 0', met: complete && extra === 0 && trialsWithout === 0, notes: complete ? notes : `only ${done} of ${TRIALS} trials ran in ${TOTAL_TIMEOUT_MS / 1000} s; ${notes}`,
    })];
  } finally {
    await fleet?.close();
    await server.close();
  }
};
