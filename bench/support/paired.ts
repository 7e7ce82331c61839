// What the latency benchmarks share: a raw `ws` baseline and our server side by side, a
// fleet connected to each, and repetitions that alternate between them so a noisy
// neighbour on this shared machine hits both sides alike; and the CPU and event-loop use
// of the server and of this load generator over a measured window.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadBetween, loadSnapshot, type Child, type Load, type LoadSnapshot } from './child.ts';
import { Fleet } from './scanners.ts';
import { startServerProcess, type ServerOptions } from './server-process.ts';
import { allTickets, TicketPool } from './tickets.ts';
import { startWsBaseline, type BaselineMode } from './ws-baseline-process.ts';

export type Side = 'baseline' | 'ours';
export type { Load };

export interface PairedOptions<R> {
  baseline: BaselineMode;
  server: ServerOptions & { demoTickets: number };
  sockets: number;
  reps: number;
  measure: (side: Side, child: Child<{ url: string }>, fleet: Fleet, pool: TicketPool) => Promise<R>;
}

export async function pairedRuns<R>(o: PairedOptions<R>): Promise<{ base: R[]; ours: R[] }> {
  const children: Array<Child<{ url: string }>> = [];
  const fleets: Fleet[] = [];
  const base: R[] = [];
  const ours: R[] = [];
  try {
    const baseline = await startWsBaseline(o.baseline);
    children.push(baseline);
    const server = await startServerProcess(o.server);
    children.push(server);
    const baseFleet = await Fleet.connect(baseline.info.url, o.sockets, { baseline: true });
    fleets.push(baseFleet);
    const ourFleet = await Fleet.connect(server.info.url, o.sockets);
    fleets.push(ourFleet);
    const basePool = new TicketPool(allTickets(o.server.demoTickets));
    const ourPool = new TicketPool(allTickets(o.server.demoTickets));
    for (let r = 0; r < o.reps; r++) {
      base.push(await o.measure('baseline', baseline, baseFleet, basePool));
      await sleep(200);
      ours.push(await o.measure('ours', server, ourFleet, ourPool));
      await sleep(200);
    }
  } finally {
    await Promise.all(fleets.map((f) => f.close()));
    await Promise.all(children.map((c) => c.close()));
  }
  return { base, ours };
}

/** Run `work` and report the server's and this process's CPU and event-loop use meanwhile. */
export async function measuredWindow<T>(child: Child<unknown>, work: () => Promise<T>): Promise<{ result: T; server: Load; client: Load }> {
  const before = { at: performance.now(), server: await child.call<LoadSnapshot>('load'), client: loadSnapshot() };
  const result = await work();
  const wall = performance.now() - before.at;
  const server = loadBetween(before.server, await child.call<LoadSnapshot>('load'), wall);
  const client = loadBetween(before.client, loadSnapshot(), wall);
  return { result, server, client };
}
