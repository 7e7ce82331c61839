// A repetition that decides nothing for a while says why, instead of reporting a silent
// low rate: when no progress is seen for `quietMs`, `describe` is asked then and there
// (what is in flight, errors, the server's last log lines, what the database's backends
// are waiting for), and the stall's length is added when progress resumes or the watch ends.
export interface StallWatch {
  /** Something was decided. */
  progress(): void;
  /** Stop watching; one line per stall seen since start, or none. */
  stop(): Promise<string[]>;
}

export function watchStalls(describe: () => Promise<string>, quietMs = 1_000, everyMs = 100): StallWatch {
  const t0 = performance.now();
  let last = t0;
  let open: { from: number; said: Promise<string> } | null = null;
  const stalls: Array<{ from: number; to: number; said: Promise<string> }> = [];
  const close = (to: number) => {
    if (open) stalls.push({ ...open, to });
    open = null;
  };
  const timer = setInterval(() => {
    if (!open && performance.now() - last >= quietMs) {
      // Caught while it lasts: a look after the fact would find it over.
      open = { from: last, said: describe().catch((e: unknown) => `(could not look: ${String(e)})`) };
    }
  }, everyMs);
  return {
    progress() {
      const now = performance.now();
      close(now);
      last = now;
    },
    async stop() {
      clearInterval(timer);
      close(performance.now());
      return Promise.all(stalls.map(async (s) =>
        `nothing decided for ${((s.to - s.from) / 1000).toFixed(1)} s from ${((s.from - t0) / 1000).toFixed(1)} s: ${await s.said}`));
    },
  };
}
