// Child process: the login flood of server.verdict.p99.loginFlood, the attacker's side.
// Each wrong login opens its own connection from its own loopback address (127.0.0.0/8 is
// all loopback on Linux), so no per-address limit stops it before the hash gate.
//
// Why a process of its own: in the bench's process the flood's 200 connections a second
// (building requests, binding addresses, reading answers) ran on the same event loop
// that collects the other results, and on the same two cores as the server with no way to
// tell the scheduler it is not the server's work. A real attacker's CPU is on another
// machine; here it is a child at a nice value of its own (see `nice` below).
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { setPriority } from 'node:os';
import { serveParent, startChild, type Child } from './child.ts';
import { openLoop } from './open-loop.ts';

export interface FloodOptions {
  url: string;
  /** The flood's CPU priority; 0 competes with the server as an equal. */
  nice: number;
  /** In a session of its own (`ChildOptions`). */
  ownSession: boolean;
}

export interface FloodRun {
  perSecond: number;
  durationMs: number;
  /** Usernames to try, in turn; each login has its own address whatever the name. */
  usernames: string[];
}

export interface FloodResult {
  /** Logins sent per second over the run. */
  rate: number;
  /** The most a scheduled login went out late, ms. */
  maxLagMs: number;
  /** Answers by HTTP status; 0: no answer. */
  statuses: Record<string, number>;
}

export function startLoginFlood(options: FloodOptions): Promise<Child<Record<string, never>>> {
  return startChild('./login-flood-process.ts', options, { ownSession: options.ownSession });
}

/** The k-th login's own loopback address: 62,500 per second octet, 250 of those. */
export const floodAddress = (k: number): string =>
  `127.${1 + (Math.floor(k / 62_500) % 250)}.${Math.floor(k / 250) % 250}.${1 + (k % 250)}`;

/** One wrong login from its own loopback address; resolves with the status (0: no answer). */
function wrongLogin(url: string, username: string, k: number): Promise<number> {
  const body = JSON.stringify({ username, password: 'not-the-password' });
  return new Promise((resolve) => {
    const req = request(`${url}/api/login`, {
      method: 'POST', localAddress: floodAddress(k), agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', () => resolve(0));
    req.setTimeout(30_000, () => { req.destroy(); });
    req.end(body);
  });
}

if (process.send && process.argv[1]?.endsWith('login-flood-process.ts')) {
  serveParent<FloodOptions, Record<string, never>>(async ({ url, nice }) => {
    // On Linux a nice value is per thread: set every thread's (V8's and libuv's were
    // started before this line); threads started later inherit the main thread's.
    for (const tid of readdirSync('/proc/self/task').map(Number)) setPriority(tid, nice);
    // Addresses go on across runs: a repetition must not find the last one's throttles.
    let serial = 0;
    return {
      info: {},
      async stop() {},
      handlers: {
        run: async (arg) => {
          const o = arg as FloodRun;
          const statuses: Record<string, number> = {};
          const answered: Array<Promise<void>> = [];
          const load = await openLoop(o.perSecond, o.durationMs, () => {
            const k = serial++;
            answered.push(wrongLogin(url, o.usernames[k % o.usernames.length]!, k).then((status) => {
              statuses[status] = (statuses[status] ?? 0) + 1;
            }));
          });
          await Promise.all(answered);
          return { rate: load.rate, maxLagMs: load.maxLagMs, statuses } satisfies FloodResult;
        },
      },
    };
  });
}
