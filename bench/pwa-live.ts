// pwa.live.lag.p95: how long after a scan is sent until a supervisor's console, open on
// Live in a real Chromium page, shows the counters that include it, while 100 scanners (raw
// sockets speaking the protocol) send 500 scans/s. The page's moment is when its Live
// section's `data-cursor` changes (a MutationObserver in the page: the counters and the
// cursor are written in the same DOM update). The baseline, same run and same scans: when
// the scan's gossip reaches a scanner socket that only listens. Both are measured from the
// submitter's send, so the decision and the commit are in both; the ratio says what the
// live view adds on top of what every scanner already waits for. The listener runs in a
// process of its own, as the page does: read in the load generator's own loop, its receipt
// times were those of that loop (late by up to seconds on a loaded machine).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { TicketId } from '@gatekeeper/shared/ids';
import { launchBrowser, newScanner } from '../tests/support/browser.ts';
import { ConsolePage } from '../tests/support/pages/console-page.ts';
import { login } from '../tests/support/server.ts';
import { ensurePwaBuilt, REPO_ROOT } from './pwa-support.ts';
import { openLoop } from './support/open-loop.ts';
import { startGossipListener } from './support/gossip-listener-process.ts';
import { Fleet, messageType, register, scanRequest, send } from './support/scanners.ts';
import { startServerProcess } from './support/server-process.ts';
import { fmt, latencySummary, median, percentile, ratioRow, spread, until } from './support/stats.ts';
import { admissibleTickets, TicketPool } from './support/tickets.ts';
import type { Bench } from './types.ts';

const SCANNERS = 100;
const RATE = 500;
const WARMUP_MS = 2_000;
const MEASURE_MS = 6_000;
const REPS = 3;
const TICKETS = 25_000;
const DRAIN_MS = 15_000;

export const timeoutMs = 8 * 60_000;

interface Sent { at: number; cursor: number | null; gossipAt: number | null; measured: boolean }
interface Rep { ours: number[]; base: number[]; rate: number; maxLagMs: number; missing: number }

export const run: Bench = async () => {
  await ensurePwaBuilt();
  const loadStart = loadavg();
  const server = await startServerProcess({ demoTickets: TICKETS, pwaDir: join(REPO_ROOT, 'dist/pwa') });
  const browser = await launchBrowser();
  const fleet = await Fleet.connect(server.info.url, SCANNERS);
  // One more scanner only listens, as a phone at a quiet gate does.
  const listener = await startGossipListener({ url: server.info.url, identity: (await register(server.info.url, 1))[0]! });
  try {
    const sup = login('supervisor');
    const desk = await ConsolePage.signIn(await newScanner(browser, { viewport: { width: 1280, height: 800 } }), server.info.url, sup.username, sup.password, 'Live');
    await desk.page.locator('[data-testid=console-live][data-link=live]:not([data-cursor=""])').waitFor({ timeout: 60_000 });
    await desk.page.evaluate(() => {
      const w = window as unknown as { liveMarks: Array<[number, number]> };
      w.liveMarks = [];
      const el = document.querySelector('[data-testid=console-live]') as HTMLElement;
      new MutationObserver(() => { w.liveMarks.push([Number(el.dataset.cursor), Date.now()]); })
        .observe(el, { attributes: true, attributeFilter: ['data-cursor'] });
    });

    const pool = new TicketPool(admissibleTickets(TICKETS));
    const sent = new Map<string, Sent>();
    const takeHeard = async () => {
      for (const [id, at] of await listener.call<Array<[string, number]>>('take')) { const e = sent.get(id); if (e && e.gossipAt === null) e.gossipAt = at; }
    };
    fleet.onMessage = (_s, data, isBinary) => {
      if (messageType(data, isBinary) !== 'verdict') return;
      const v = JSON.parse(data.toString()) as { scanId: string; cursor: number };
      const e = sent.get(v.scanId);
      if (e) e.cursor = v.cursor;
    };

    const reps: Rep[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      let measured = false;
      const sendOne = (k: number) => {
        const scanner = fleet.scanners[k % SCANNERS]!;
        const req = scanRequest(scanner, pool.take() as TicketId);
        sent.set(req.id, { at: Date.now(), cursor: null, gossipAt: null, measured });
        send(scanner.ws, { type: 'scan', scan: req });
      };
      await openLoop(RATE, WARMUP_MS, sendOne);
      measured = true;
      const load = await openLoop(RATE, MEASURE_MS, sendOne);
      measured = false;
      const mine = [...sent.values()].filter((e) => e.measured);
      const lastCursor = () => Math.max(0, ...mine.map((e) => e.cursor ?? 0));
      const pageCursor = () => desk.page.evaluate(() => (window as unknown as { liveMarks: Array<[number, number]> }).liveMarks.at(-1)?.[0] ?? 0);
      await until(() => mine.every((e) => e.cursor !== null), DRAIN_MS);
      for (const deadline = Date.now() + DRAIN_MS; Date.now() < deadline && mine.some((e) => e.gossipAt === null);) {
        await takeHeard();
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const deadline = Date.now() + DRAIN_MS; Date.now() < deadline && (await pageCursor()) < lastCursor();) await new Promise((r) => setTimeout(r, 50));
      const marks = await desk.page.evaluate(() => (window as unknown as { liveMarks: Array<[number, number]> }).liveMarks);
      const ours: number[] = [];
      const base: number[] = [];
      let missing = 0;
      for (const e of mine) {
        const shown = e.cursor === null ? undefined : marks.find(([cursor]) => cursor >= e.cursor!);
        if (!shown || e.gossipAt === null) { missing++; continue; }
        ours.push(shown[1] - e.at);
        base.push(e.gossipAt - e.at);
      }
      reps.push({ ours, base, rate: load.rate, maxLagMs: load.maxLagMs, missing });
      await takeHeard();
      sent.clear();
    }

    const p95 = reps.map((r) => percentile(r.ours, 95));
    const baseP95 = reps.map((r) => percentile(r.base, 95));
    const loadEnd = loadavg();
    const missing = reps.reduce((n, r) => n + r.missing, 0);
    const notes = [
      `console page: p95 per repetition ${spread(p95, 'ms')}; pooled ${latencySummary(reps.flatMap((r) => r.ours))}`,
      `gossip at a listening scanner (its own process): p95 per repetition ${spread(baseP95, 'ms')}; pooled ${latencySummary(reps.flatMap((r) => r.base))}`,
      `offered ${fmt(median(reps.map((r) => r.rate)))} scans/s over ${SCANNERS} scanners (load generator at most ${fmt(Math.max(...reps.map((r) => r.maxLagMs)))} ms behind schedule); ${REPS}×${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up each` +
        (missing ? `; ${missing} scans not seen by both` : ''),
      `measured from the submitter's send (Date.now, 1 ms resolution) to the page's DOM update of the counters that include the scan, and to the listener's receipt of its gossip; ` +
        `server in a child process, Chromium headless (software rendering), load generator in this process, on ${cpus().length} cores; load average ${loadStart.map(fmt).join(' ')} at the start, ${loadEnd.map(fmt).join(' ')} at the end`,
    ].join('; ');
    return [ratioRow({
      id: 'pwa.live.lag.p95', value: median(p95), unit: 'ms',
      baseline: 'the same scans\u2019 gossip at a listening scanner socket, p95, same run', baselineValue: median(baseP95),
      target: 'ratio <= 1.5', meets: (r) => r <= 1.5, notes,
    })];
  } finally {
    await fleet.close();
    await listener.close();
    await browser.close();
    await server.close();
  }
};
