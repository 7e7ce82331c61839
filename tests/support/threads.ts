// This process's threads as Linux reports them (/proc/self/task): each one's nice value
// and the CPU time charged to it, to see which thread did some work and at what priority.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadStat { tid: number; nice: number; cpuTicks: number }

/** /proc counts CPU time in USER_HZ ticks, 100 a second on Linux. */
export const ticksToMs = (ticks: number): number => ticks * 10;

/** One thread's line of /proc/<pid>/task/<tid>/stat, or null once it has exited. */
function statOf(tid: number): ThreadStat | null {
  let text: string;
  try { text = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'); } catch { return null; }
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 (utime, stime) and 19 (nice), counted from field 3 here.
  return { tid, cpuTicks: Number(f[11]) + Number(f[12]), nice: Number(f[16]) };
}

export function threads(): ThreadStat[] {
  return readdirSync('/proc/self/task').map(Number).map(statOf).filter((t): t is ThreadStat => t !== null);
}

/** Threads running now that were not in `before`. */
export function threadsSince(before: readonly ThreadStat[]): ThreadStat[] {
  const old = new Set(before.map((t) => t.tid));
  return threads().filter((t) => !old.has(t.tid));
}
