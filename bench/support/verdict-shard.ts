// Child process: one share of server.verdict's load generator. It holds its slice of the
// 200 scanners' sockets to every server under test, and on `run` offers its share of the
// scan rate to one of them, open loop, and times each answer.
//
// Why several processes: one process playing all 200 phones also reads every gossip
// frame all 200 of them receive (~75 MB/s at 1,000 scans/s), and its garbage collector
// then stops it for 4–8 ms every ~0.4 s (--trace-gc: mark-compacts asked for by the
// external memory of the read buffers). An answer that arrives meanwhile is timed late,
// though no phone would see that delay: each reads 1/200 of the gossip on its own CPU.
// Split over a few processes, each heap sees a few-th of it.
import type { TicketId } from '@gatekeeper/shared/ids';
import { serveParent, startChild, type Child } from './child.ts';
import { openLoop } from './open-loop.ts';
import { Fleet, messageType, scanRequest, send, type Identity } from './scanners.ts';
import { until } from './stats.ts';

export interface ShardTarget { url: string; identities: Identity[]; hello: boolean; answerType: string }

export interface ShardRun {
  target: string;
  rate: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  /** One ticket per scan this shard will send, warm-up included. */
  tickets: TicketId[];
}

export interface ShardResult {
  latencies: number[];
  sent: number;
  rate: number;
  maxLagMs: number;
  unanswered: number;
  errors: number;
  bytesOut: number;
}

export function startVerdictShard(targets: Record<string, ShardTarget>): Promise<Child<Record<string, never>>> {
  return startChild('./verdict-shard.ts', targets);
}

async function run(fleet: Fleet, answerType: string, o: ShardRun): Promise<ShardResult> {
  // Per socket, answers come back in the order the scans went out (the hub handles one
  // socket's messages in turn; an echo is in order by TCP), so a queue of send times
  // pairs each answer with its scan without parsing it.
  const sentAt: Array<Array<{ at: number; measured: boolean }>> = fleet.scanners.map(() => []);
  const latencies: number[] = [];
  let outstanding = 0;
  let errors = 0;
  let bytesOut = 0;
  let measured = false;
  let next = 0;
  const slot = new Map(fleet.scanners.map((s, i) => [s.index, i]));
  fleet.onMessage = (s, data, isBinary) => {
    const type = messageType(data, isBinary);
    if (type !== answerType && type !== 'error') return;
    const sent = sentAt[slot.get(s.index)!]!.shift();
    if (!sent) return;
    outstanding--;
    if (type === 'error') errors++;
    if (sent.measured) latencies.push(performance.now() - sent.at);
  };
  const sendOne = (k: number) => {
    const i = k % fleet.size;
    const s = fleet.scanners[i]!;
    const ticket = o.tickets[next++];
    if (ticket === undefined) throw new Error('the shard ran out of tickets');
    const text = JSON.stringify({ type: 'scan', scan: scanRequest(s, ticket) });
    if (measured) bytesOut += text.length;
    sentAt[i]!.push({ at: performance.now(), measured });
    outstanding++;
    send(s.ws, text);
  };
  await openLoop(o.rate, o.warmupMs, sendOne);
  measured = true;
  const offset = Math.floor((o.rate * o.warmupMs) / 1000);
  const load = await openLoop(o.rate, o.measureMs, (k) => sendOne(k + offset));
  measured = false;
  await until(() => outstanding === 0, o.drainMs);
  fleet.onMessage = () => {};
  return { latencies, sent: load.sent, rate: load.rate, maxLagMs: load.maxLagMs, unanswered: outstanding, errors, bytesOut: bytesOut / Math.max(1, load.sent) };
}

if (process.send && process.argv[1]?.endsWith('verdict-shard.ts')) {
  serveParent<Record<string, ShardTarget>, Record<string, never>>(async (targets) => {
    const fleets = new Map<string, { fleet: Fleet; answerType: string }>();
    const closeAll = () => Promise.all([...fleets.values()].map(({ fleet }) => fleet.close()));
    try {
      for (const [name, t] of Object.entries(targets)) {
        fleets.set(name, { fleet: await Fleet.open(t.url, t.identities, { hello: t.hello }), answerType: t.answerType });
      }
    } catch (e) {
      await closeAll();
      throw e;
    }
    return {
      info: {},
      async stop() { await closeAll(); },
      handlers: {
        run: (arg) => {
          const o = arg as ShardRun;
          const f = fleets.get(o.target);
          if (!f) throw new Error(`no target ${o.target}`);
          return run(f.fleet, f.answerType, o);
        },
      },
    };
  });
}
