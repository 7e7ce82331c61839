// Benchmark servers run in a child process, so the load generator (this process) and
// the server each get one of the two cores and neither's JSON work slows the other.
// The child is a TypeScript module run through tsx, talking to us over Node's IPC
// channel: it says `ready` once, then answers requests by id.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What a child reports about its own load: compare two snapshots with `loadBetween`. */
export interface LoadSnapshot {
  cpu: NodeJS.CpuUsage;
  elu: { idle: number; active: number };
  /** Event-loop delay since the previous snapshot, ms. */
  delay: { p99: number; max: number };
}

export interface Load { cpu: number; elu: number; delay: { p99: number; max: number } }

type FromChild =
  | { kind: 'ready'; info: unknown }
  | { kind: 'failed'; error: string }
  | { kind: 'reply'; id: number; result?: unknown; error?: string };

type ToChild = { kind: 'call'; id: number; op: string; arg?: unknown } | { kind: 'close' };

export interface Child<Info> {
  info: Info;
  pid: number;
  call<T>(op: string, arg?: unknown): Promise<T>;
  /** Ask the child to close its server and exit; kill it if it has not within 10 s. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;
const CALL_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

export interface ChildOptions {
  /**
   * Its own session, so its own scheduling group where the kernel groups by session
   * (`sched_autogroup_enabled`): its CPU then comes out of the machine's share like any
   * other program's, not out of the group the benchmark and its server share.
   */
  ownSession?: boolean;
}

/** Start `bench/support/<file>` with `arg` (passed as JSON in argv) and wait for its `ready`. */
export async function startChild<Info>(file: string, arg: unknown, options: ChildOptions = {}): Promise<Child<Info>> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const proc = fork(path, [JSON.stringify(arg)], {
    // --expose-gc: a memory benchmark collects garbage before it reads its baseline.
    // GK_BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there when it exits.
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.GK_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.GK_BENCH_CPU_PROF}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: options.ownSession ?? false,
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => {
    exited = true;
    for (const p of pending.values()) { clearTimeout(p.timer); p.reject(new Error(`${file} exited`)); }
    pending.clear();
    resolve();
  }));

  const kill = async () => {
    if (exited) return;
    proc.kill('SIGKILL');
    await exit;
  };

  let info: Info;
  try {
    info = await new Promise<Info>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      proc.on('message', (m: FromChild) => {
        if (m.kind === 'ready') { clearTimeout(timer); resolve(m.info as Info); }
        else if (m.kind === 'failed') { clearTimeout(timer); reject(new Error(`${file} failed: ${m.error}`)); }
        else if (m.kind === 'reply') {
          const p = pending.get(m.id);
          if (!p) return;
          pending.delete(m.id);
          clearTimeout(p.timer);
          if (m.error !== undefined) p.reject(new Error(m.error)); else p.resolve(m.result);
        }
      });
      void exit.then(() => { clearTimeout(timer); reject(new Error(`${file} exited before it was ready`)); });
    });
  } catch (e) {
    await kill();
    throw e;
  }

  let nextId = 1;
  return {
    info,
    pid: proc.pid ?? -1,
    call<T>(op: string, arg?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`${file} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => { pending.delete(id); reject(new Error(`${file}: ${op} timed out`)); }, CALL_TIMEOUT_MS);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ kind: 'call', id, op, arg } satisfies ToChild);
      });
    },
    async close() {
      if (exited) return;
      proc.send({ kind: 'close' } satisfies ToChild);
      const timer = setTimeout(() => void kill(), CLOSE_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: report `ready` with what `start` returns, answer calls with
 * `handlers`, and run `stop` before exiting on `close` or when the parent goes away.
 */
export function serveParent<Arg, Info>(
  start: (arg: Arg) => Promise<{ info: Info; stop(): Promise<void>; handlers?: Record<string, (arg: unknown) => unknown> }>,
): void {
  const send = (m: FromChild) => { if (process.connected) process.send!(m); };
  const arg = JSON.parse(process.argv[2] ?? 'null') as Arg;
  let stopping: Promise<void> | null = null;
  start(arg).then(({ info, stop, handlers = {} }) => {
    const all: Record<string, (arg: unknown) => unknown> = { load: loadSnapshot, ...handlers };
    const shutdown = () => {
      stopping ??= stop().catch((e) => { process.stderr.write(`stop failed: ${String(e)}\n`); }).finally(() => process.exit(0));
      return stopping;
    };
    process.on('message', (m: ToChild) => {
      if (m.kind === 'close') { void shutdown(); return; }
      Promise.resolve()
        .then(() => {
          const h = all[m.op];
          if (!h) throw new Error(`no operation ${m.op}`);
          return h(m.arg);
        })
        .then((result) => send({ kind: 'reply', id: m.id, result }), (e) => send({ kind: 'reply', id: m.id, error: String(e) }));
    });
    process.on('disconnect', () => void shutdown());
    process.on('SIGTERM', () => void shutdown());
    send({ kind: 'ready', info });
  }, (e) => {
    send({ kind: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  });
}

// How late this process's event loop runs its timers: a stalled loop (a long task, a
// garbage collection) delays everything that process answers or measures meanwhile.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

/** Also reports, and then resets, the event-loop delay since the previous snapshot. */
export function loadSnapshot(): LoadSnapshot {
  const { idle, active } = performance.eventLoopUtilization();
  const delay = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  loopDelay.reset();
  return { cpu: process.cpuUsage(), elu: { idle, active }, delay };
}

/** CPU use (fraction of one core), event-loop utilisation and delay between two snapshots. */
export function loadBetween(a: LoadSnapshot, b: LoadSnapshot, wallMs: number): Load {
  const cpuMs = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;
  const active = b.elu.active - a.elu.active;
  const total = active + b.elu.idle - a.elu.idle;
  return { cpu: cpuMs / wallMs, elu: total > 0 ? active / total : 0, delay: b.delay };
}
