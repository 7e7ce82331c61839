// pwa.verdict.p95.webkit and pwa.verdict.p95.firefox: ms from a code typed by a
// keyboard-wedge scanner to its verdict painted, offline, with 100,000 tickets on the
// phone, in WebKit (MiniBrowser under Xvfb, as the e2e tests drive it) and in Gecko
// (Firefox ESR, headless). These drivers have no QR camera, hence the wedge. Beside each,
// Chromium's figure for the very same path in the same run (the baseline column): the
// target is absolute (one 60 Hz frame), the Chromium figure says whether an engine is
// slower or the machine was.
//
// The value is the app's own 'gk:decode-to-verdict-painted-busy' measure (see
// pwa-verdict.ts): deciding, rendering and the rendering work of the frame that paints
// the verdict, without the idle wait for the display's refresh. "Offline" is the server
// gone, the same in every engine. The scans run inside the page in batches, so the
// drivers' round trips are not in the figure.
//
// Beside each engine's figure, its floor: the same browser, after the app, on a page with
// no app (support/verdict-floor.html) that shows one full-screen box in one colour per
// code and measures it exactly as the app does. What the engine pays for any verdict at
// all, whatever the page; the app's figure is argued against it.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, newScanner } from '../tests/support/browser.ts';
import type { Engine, Phone } from '../tests/support/engines/engine.ts';
import { launchFirefox } from '../tests/support/engines/firefox.ts';
import { launchWebKit } from '../tests/support/engines/webkit.ts';
import { EngineScanner } from '../tests/support/pages/engine-scanner.ts';
import { ScannerPage } from '../tests/support/pages/scanner-page.ts';
import { login, startTestServer, type TestServer } from '../tests/support/server.ts';
import { until } from '../tests/support/until.ts';
import { ensurePwaBuilt, REPO_ROOT, serveStatic } from './pwa-support.ts';
import { fmt, latencySummary, percentile } from './support/stats.ts';
import { spreadTicketCodes } from './support/tickets.ts';
import type { BenchResult } from './types.ts';

const TICKETS = 100_000;
const WARMUP = 20;
const SAMPLES = 300;
/** Scans per call into the page: well inside a WebDriver script timeout (30 s). */
const BATCH = 20;
const BUSY = 'gk:decode-to-verdict-painted-busy';
/** The same start, to the verdict rendered into the DOM: the app's part of the busy time. */
const RENDERED = 'gk:decode-to-verdict-rendered';
/** Three browsers, each signing in and loading 100,000 tickets on a loaded 2-core machine. */
export const timeoutMs = 20 * 60_000;

interface Batch { busy: number[]; rendered: number[]; outcomes: string[] }

/**
 * Runs in the page (any engine): each code typed as a wedge types it, at a random moment
 * within a frame, its verdict awaited and closed. Self-contained, and no named helpers
 * inside (tsx wraps those in a `__name` call the page does not have): the page gets its source.
 */
async function scanBatch({ codes, busyName, renderedName }: { codes: string[]; busyName: string; renderedName: string }): Promise<Batch> {
  const out: Batch = { busy: [], rendered: [], outcomes: [] };
  for (const code of codes) {
    const before = performance.getEntriesByName(busyName).length;
    await new Promise((r) => setTimeout(r, Math.random() * 17));
    (document.activeElement as HTMLElement | null)?.blur();
    for (const key of [...code, 'Enter']) document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    const deadline = performance.now() + 10_000;
    while (performance.getEntriesByName(busyName).length === before) {
      if (performance.now() > deadline) throw new Error(`no verdict painted for ${code.slice(0, 12)}…`);
      await new Promise((r) => requestAnimationFrame(r));
    }
    out.busy.push(performance.getEntriesByName(busyName).at(-1)!.duration);
    out.rendered.push(performance.getEntriesByName(renderedName).at(-1)!.duration);
    out.outcomes.push(document.querySelector('[data-testid=verdict]')?.getAttribute('data-outcome') ?? 'none');
    (document.querySelector('[data-testid=verdict] footer button') as HTMLButtonElement | null)?.click();
    while (document.querySelector('[data-testid=verdict]')) await new Promise((r) => requestAnimationFrame(r));
  }
  return out;
}

type Evaluate = (codes: string[]) => Promise<Batch>;

interface Measured { busy: number[]; rendered: number[]; outcomes: Map<string, number> }

async function measure(evaluate: Evaluate, codes: string[]): Promise<Measured> {
  const busy: number[] = [];
  const rendered: number[] = [];
  const outcomes = new Map<string, number>();
  for (let i = 0; i < codes.length; i += BATCH) {
    const r = await evaluate(codes.slice(i, i + BATCH));
    r.busy.forEach((b, j) => {
      if (i + j < WARMUP) return;
      busy.push(b);
      rendered.push(r.rendered[j]!);
      outcomes.set(r.outcomes[j]!, (outcomes.get(r.outcomes[j]!) ?? 0) + 1);
    });
  }
  return { busy, rendered, outcomes };
}

/** The phone has the whole manifest: the setup screen's count is shown on the scan screen's status bar. */
const HAS_ALL_TICKETS = `[data-testid=ticket-count-status][data-count="${TICKETS}"]`;

async function chromium(server: TestServer, codes: string[]): Promise<Measured> {
  const browser = await launchBrowser();
  try {
    const gate = await ScannerPage.open(await newScanner(browser), server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    await gate.page.locator(HAS_ALL_TICKETS).waitFor({ state: 'attached', timeout: 180_000 });
    await server.stop();
    try {
      await gate.waitLink('offline');
      return await measure((batch) => gate.page.evaluate(scanBatch, { codes: batch, busyName: BUSY, renderedName: RENDERED }), codes);
    } finally {
      await server.resume();
    }
  } finally {
    await browser.close();
  }
}

/** The engine's floor: no app, a full-screen colour per code (support/verdict-floor.html), measured as the app measures. */
async function floor(phone: Phone, codes: string[]): Promise<Measured> {
  const page = await serveStatic(join(REPO_ROOT, 'bench/support'));
  try {
    await phone.goto(`${page.origin}/verdict-floor.html?v=full`);
    return await measure((batch) => phone.evaluate(scanBatch, { codes: batch, busyName: BUSY, renderedName: RENDERED }), codes);
  } finally {
    await page.close();
  }
}

interface EngineRun { app: Measured; floor: Measured }

async function otherEngine(launch: () => Promise<Engine>, server: TestServer, codes: string[]): Promise<EngineRun> {
  const engine = await launch();
  let phone: Phone | null = null;
  try {
    phone = await engine.newPhone();
    const gate = await EngineScanner.open(phone, server.url);
    const l = login('inspector');
    await gate.signInAndChoose(l.username, l.password, 'Main gate');
    await until(async () => (await phone!.count(HAS_ALL_TICKETS)) > 0, `${engine.name} to hold all ${TICKETS} tickets`, 180_000);
    await server.stop();
    try {
      await gate.waitLink('offline');
      const app = await measure((batch) => phone!.evaluate(scanBatch, { codes: batch, busyName: BUSY, renderedName: RENDERED }), codes);
      return { app, floor: await floor(phone, codes) };
    } finally {
      await server.resume();
    }
  } finally {
    await phone?.close();
    await engine.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  await ensurePwaBuilt();
  const loadStart = loadavg()[0]!;
  const server = await startTestServer({ demoTickets: TICKETS });
  try {
    const codes = await spreadTicketCodes(server, TICKETS, WARMUP + SAMPLES);
    const base = await chromium(server, codes);
    const basePath = percentile(base.busy, 95);
    const rows: BenchResult[] = [];
    for (const [name, launch] of [['webkit', launchWebKit], ['firefox', launchFirefox]] as const) {
      let m: Measured;
      let f: Measured;
      try {
        ({ app: m, floor: f } = await otherEngine(launch, server, codes));
      } catch (e) {
        rows.push({
          id: `pwa.verdict.p95.${name}`, value: Number.NaN, unit: 'ms', baseline: 'Chromium, same path, same run', baselineValue: Number(fmt(basePath)),
          ratio: null, target: '<= 16 ms', met: false, notes: `FAILED: ${String((e as Error).message ?? e).split('\n')[0]}`,
        });
        continue;
      }
      const p95 = percentile(m.busy, 95);
      const floorP95 = percentile(f.busy, 95);
      rows.push({
        id: `pwa.verdict.p95.${name}`,
        value: Number(fmt(p95)),
        unit: 'ms',
        baseline: 'Chromium, same path, same run',
        baselineValue: Number(fmt(basePath)),
        ratio: Number(fmt(p95 / basePath)),
        target: '<= 16 ms',
        met: p95 <= 16,
        notes: `${name}: ${latencySummary(m.busy)}, of which decided and rendered into the DOM ${latencySummary(m.rendered)}; ` +
          `the engine's floor (same browser, a page with no app showing a full-screen colour per code, same measure): p95 ${fmt(floorP95)} ms (${latencySummary(f.busy)}), the app ${fmt(p95 - floorP95)} ms above it at p95; Chromium: ${latencySummary(base.busy)} (into the DOM ${latencySummary(base.rendered)}); ${m.busy.length} scans after ${WARMUP} warm-up, ` +
          `outcomes ${[...m.outcomes].map(([o, n]) => `${o} ${n}`).join(', ')} (Chromium ${[...base.outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}); ` +
          `offline (server stopped), ${TICKETS} tickets on the phone, keyboard wedge; load average ${fmt(loadStart)} at the start, ${fmt(loadavg()[0]!)} now`,
      });
    }
    return rows;
  } finally {
    await server.close();
  }
}
