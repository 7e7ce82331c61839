// server.catchup.10k: a scanner comes back online with 10,000 scans it decided offline
// and uploads them over its socket in batches of MAX_BATCH; the clock runs from the
// first batch sent to the last acknowledgement received, with every scan acknowledged.
// Two ways to send: one batch at a time (wait for each ack) and pipelined (all batches at
// once; the hub still stores them one after another, in order). Each is timed on fresh
// tickets; the row reports the faster, the notes both.
import { newId, type TicketId } from '@gatekeeper/shared/ids';
import { MAX_BATCH } from '@gatekeeper/shared/protocol/index';
import type { Scan } from '@gatekeeper/shared/domain';
import { Fleet, messageType, offlineScan, scanRequest, send, type BenchScanner } from './support/scanners.ts';
import { startServerProcess } from './support/server-process.ts';
import { absoluteRow, fmt, median, spread } from './support/stats.ts';
import { allTickets, TicketPool } from './support/tickets.ts';
import type { Bench } from './types.ts';

const SCANS = 10_000;
const REPS = 3;
const TICKETS = SCANS * REPS * 2;
const TARGET_MS = 2_000;
const ACK_TIMEOUT_MS = 30_000;

type Mode = 'pipelined' | 'sequential';
interface Ack { batchId: string; results: Array<{ scanId: string; status: string }> }

/** Ten batches of offline admissions of fresh tickets, made a few minutes ago. */
function queue(scanner: BenchScanner, pool: TicketPool): Scan[][] {
  const t0 = Date.now() - 10 * 60_000;
  const scans = Array.from({ length: SCANS }, (_, k) => offlineScan(scanRequest(scanner, pool.take() as TicketId, t0 + k * 50)));
  const batches: Scan[][] = [];
  for (let k = 0; k < scans.length; k += MAX_BATCH) batches.push(scans.slice(k, k + MAX_BATCH));
  return batches;
}

async function upload(fleet: Fleet, batches: Scan[][], mode: Mode): Promise<{ ms: number; acked: number; statuses: Map<string, number> }> {
  const scanner = fleet.scanners[0]!;
  const waiting = new Map<string, (a: Ack) => void>();
  fleet.onMessage = (_s, data, isBinary) => {
    if (messageType(data, isBinary) !== 'uploadAck') return;
    const ack = JSON.parse(data.toString()) as Ack;
    waiting.get(ack.batchId)?.(ack);
    waiting.delete(ack.batchId);
  };
  // Serialise before the clock starts: the phone has its queue ready to go.
  const messages = batches.map((scans) => {
    const batchId = newId('b-');
    return { batchId, text: JSON.stringify({ type: 'upload', batchId, scans }), count: scans.length };
  });
  const statuses = new Map<string, number>();
  let acked = 0;
  const sendOne = (m: (typeof messages)[number]): Promise<Ack> => {
    const answer = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${m.batchId} within ${ACK_TIMEOUT_MS / 1000} s`)), ACK_TIMEOUT_MS);
      waiting.set(m.batchId, (a) => { clearTimeout(timer); resolve(a); });
    });
    send(scanner.ws, m.text);
    return answer;
  };
  const tally = (a: Ack) => {
    for (const r of a.results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    acked += a.results.length;
  };
  const t0 = performance.now();
  if (mode === 'pipelined') {
    for (const a of await Promise.all(messages.map(sendOne))) tally(a);
  } else {
    for (const m of messages) tally(await sendOne(m));
  }
  return { ms: performance.now() - t0, acked, statuses };
}

export const run: Bench = async () => {
  const server = await startServerProcess({ demoTickets: TICKETS });
  let fleet: Fleet | null = null;
  try {
    fleet = await Fleet.connect(server.info.url, 1);
    const pool = new TicketPool(allTickets(TICKETS));
    const times: Record<Mode, number[]> = { pipelined: [], sequential: [] };
    const problems: string[] = [];
    for (let r = 0; r < REPS; r++) {
      for (const mode of ['sequential', 'pipelined'] as const) {
        const res = await upload(fleet, queue(fleet.scanners[0]!, pool), mode);
        const accepted = res.statuses.get('accepted') ?? 0;
        if (res.acked !== SCANS || accepted !== SCANS) problems.push(`${mode} #${r + 1}: ${res.acked} acked, ${[...res.statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`);
        times[mode].push(res.ms);
      }
    }
    const best: Mode = median(times.pipelined) <= median(times.sequential) ? 'pipelined' : 'sequential';
    const value = median(times[best]);
    const notes = [
      `${SCANS} offline admissions of distinct tickets in ${SCANS / MAX_BATCH} batches of ${MAX_BATCH} over one socket, fresh tickets each repetition`,
      `pipelined (all batches sent at once): ${spread(times.pipelined, 'ms')}`,
      `sequential (next batch after each ack): ${spread(times.sequential, 'ms')}`,
      `reported: ${best}; ${fmt(SCANS / (value / 1000))} scans/s`,
      problems.length ? `NOT ALL ACCEPTED: ${problems.join('; ')}` : 'every scan acknowledged as accepted',
    ].join('; ');
    return [absoluteRow({
      id: 'server.catchup.10k', value, unit: 'ms', target: `<= ${TARGET_MS} ms`, met: problems.length === 0 && value <= TARGET_MS, notes,
    })];
  } finally {
    await fleet?.close();
    await server.close();
  }
};
