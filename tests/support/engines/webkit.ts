// WebKit, the engine of every browser on an iPhone, as Debian ships it: WebKitGTK's
// MiniBrowser driven by WebKitWebDriver (package webkit2gtk-driver) over WebDriver classic,
// with webdriverio as the client. MiniBrowser has no headless mode, so it draws on a
// virtual X display (Xvfb) of the file's own. One WebKitWebDriver serves one session at a
// time, so each phone gets its own driver process, and with it its own browser and storage.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { until } from '../until.ts';
import { TIME_ZONE, type Engine, type Phone, type Selector } from './engine.ts';

export const WEBKIT_DRIVER = process.env.GK_WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
/** Debian puts MiniBrowser under the architecture's library folder. */
export const MINIBROWSER = process.env.GK_MINIBROWSER
  ?? readdirSync('/usr/lib').map((d) => `/usr/lib/${d}/webkit2gtk-4.1/MiniBrowser`).find((p) => existsSync(p))
  ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** Every browser on an iPhone is WebKit: an iPhone 12 to 16's viewport, in CSS px. */
export const IPHONE_VIEWPORT = { width: 390, height: 844 };

/**
 * MiniBrowser's toolbar (buttons and address field at their GTK theme's size) keeps its
 * window at least 447 px wide, wider than any phone. GTK reads the user's style sheet from
 * $XDG_CONFIG_HOME/gtk-3.0/gtk.css: this one shrinks the toolbar's buttons and field, and
 * the window then goes down to 290 px. The page is drawn by WebKit, not GTK: it is not
 * styled by this.
 */
const NARROW_TOOLBAR_CSS = 'button, entry { font-size: 1px; padding: 0; margin: 0; min-width: 0; min-height: 0; border-width: 0; }\n';

async function narrowToolbarConfig(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gk-minibrowser-'));
  await mkdir(join(dir, 'gtk-3.0'));
  await writeFile(join(dir, 'gtk-3.0', 'gtk.css'), NARROW_TOOLBAR_CSS);
  return dir;
}

/** A session can take a while on a loaded 2-core machine (8 s seen at a load of 20). */
const START_MS = 120_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function stopProcess(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

/** A virtual display; Xvfb picks a free number and writes it to fd 3. */
async function startXvfb(): Promise<{ display: string; proc: ChildProcess }> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err += String(d); });
  const display = await new Promise<string>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
    (proc.stdio[3] as NodeJS.ReadableStream).once('data', (d) => resolve(`:${String(d).trim()}`));
  });
  return { display, proc };
}

type Session = WebdriverIO.Browser;

class WebKitPhone implements Phone {
  readonly engine = 'webkit' as const;
  constructor(private readonly b: Session, private readonly driver: ChildProcess) {}

  async goto(url: string) { await this.b.url(url); }
  async reload() { await this.b.refresh(); }

  async click(selector: Selector) {
    const el = this.b.$(selector);
    await el.waitForClickable({ timeout: START_MS });
    await el.click();
  }

  async type(selector: Selector, text: string) {
    const el = this.b.$(selector);
    await el.waitForDisplayed({ timeout: START_MS });
    await el.clearValue();
    await el.addValue(text);
  }

  async text(selector: Selector) { return (await this.b.$(selector).getText()).trim(); }
  async attribute(selector: Selector, name: string) { return this.b.$(selector).getAttribute(name); }
  async count(selector: Selector) { return (await this.b.$$(selector).getElements()).length; }

  async waitFor(selector: Selector, timeoutMs = START_MS) {
    await this.b.$(selector).waitForDisplayed({ timeout: timeoutMs, timeoutMsg: `not shown in ${timeoutMs} ms: ${selector}` });
  }

  async evaluate<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, ...args: A): Promise<R> {
    // executeAsync so that a promise's value comes back: classic WebDriver awaits it too,
    // but webdriverio's execute() types it as the function's own return.
    return this.b.executeAsync(
      `const done = arguments[arguments.length - 1];
       Promise.resolve((${fn.toString()}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
         .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e && e.stack || e) }));`,
      ...args,
    ).then((r) => {
      const out = r as { ok?: R; error?: string };
      if (out.error) throw new Error(`in the page: ${out.error}`);
      return out.ok as R;
    });
  }

  async screenshot(path: string) {
    await writeFile(path, Buffer.from(await this.b.takeScreenshot(), 'base64'));
  }

  async close() {
    if (this.driver.exitCode !== null || this.driver.signalCode !== null) return;
    await this.b.deleteSession().catch(() => {});
    await stopProcess(this.driver);
  }

  /**
   * Size the window so that the page's viewport is an iPhone's: the window less its
   * toolbar (no window manager here, so no full screen either). The toolbar's height is
   * learnt, not assumed: X applies a resize after the call returns and GTK lays the toolbar
   * out after that (a CI run read a page 20 px short after one correction), so each try
   * waits for the page's size to hold still and corrects by what is still missing.
   * Checked, since a toolbar wider than the phone would leave the page wider without a word.
   */
  async fitViewport() {
    const want = IPHONE_VIEWPORT;
    let size = { ...want };
    let got = [0, 0];
    for (let attempt = 0; attempt < FIT_ATTEMPTS; attempt++) {
      await this.b.setWindowSize(size.width, size.height);
      got = await this.#settledViewport();
      if (got[0] === want.width && got[1] === want.height) return;
      size = { width: size.width + want.width - got[0]!, height: size.height + want.height - got[1]! };
    }
    throw new Error(`MiniBrowser's page is ${got[0]}×${got[1]} CSS px after ${FIT_ATTEMPTS} resizes, not an iPhone's ${want.width}×${want.height}: its toolbar is wider than NARROW_TOOLBAR_CSS allows for`);
  }

  /** The page's size once two readings SETTLE_MS apart agree (or the last of SETTLE_READS). */
  async #settledViewport(): Promise<number[]> {
    const read = () => this.b.execute(() => [window.innerWidth, window.innerHeight]);
    let last = await read();
    for (let i = 0; i < SETTLE_READS; i++) {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const now = await read();
      if (now[0] === last[0] && now[1] === last[1]) return now;
      last = now;
    }
    return last;
  }
}

const FIT_ATTEMPTS = 5;
const SETTLE_MS = 100;
const SETTLE_READS = 50;

export async function launchWebKit(): Promise<Engine> {
  const x = await startXvfb();
  const gtkConfig = await narrowToolbarConfig();
  const phones = new Set<WebKitPhone>();
  return {
    name: 'webkit',
    async newPhone() {
      const port = await freePort();
      const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`], { env: { ...process.env, DISPLAY: x.display, XDG_CONFIG_HOME: gtkConfig }, stdio: 'ignore' });
      try {
        await until(async () => (await fetch(`http://127.0.0.1:${port}/status`).catch(() => null))?.ok === true, 'WebKitWebDriver to listen', START_MS);
        const b = await remote({
          hostname: '127.0.0.1', port, logLevel: 'error', connectionRetryTimeout: START_MS,
          capabilities: {
            // No BiDi upgrade: WebKitWebDriver speaks classic WebDriver.
            'wdio:enforceWebDriverClassic': true,
            'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', `--time-zone=${TIME_ZONE}`] },
          } as WebdriverIO.Capabilities,
        });
        const phone = new WebKitPhone(b, driver);
        phones.add(phone);
        await phone.fitViewport();
        return phone;
      } catch (e) {
        await stopProcess(driver);
        throw e;
      }
    },
    async close() {
      await Promise.all([...phones].map((p) => p.close()));
      await stopProcess(x.proc);
      await rm(gtkConfig, { recursive: true, force: true });
    },
  };
}
