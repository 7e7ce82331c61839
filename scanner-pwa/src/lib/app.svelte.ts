// The composition root: builds every state class from the injected ports and holds what
// the app shell shows (screen, panel, notices). Components get this object and call it.
import type { EventId } from '@gatekeeper/shared/ids';
import type { MessageKey } from './i18n/en.ts';
import { CONSOLE_SECTIONS, consolePath, consoleRoute, type ConsoleRoute, type ConsoleSection } from './console/route.ts';
import { LiveChannel, type LiveListener } from './console/live-channel.ts';
import { I18n, type Lang, type Params } from './i18n/i18n.svelte.ts';
import type { Feedback } from './feedback/feedback.ts';
import { ManifestRepo } from './manifest/manifest-repo.ts';
import { APP_VERSION } from './platform/app-version.ts';
import { ScreenAwake } from './platform/screen-awake.svelte.ts';
import { UpdateState } from './platform/update.svelte.ts';
import type { Api, Socket, Store } from './ports.ts';
import { Admitter } from './scan/admitter.ts';
import { ScanFlow } from './scan/scan-flow.svelte.ts';
import { SignatureVerifier } from './scan/signature-verifier.ts';
import { Undo } from './scan/undo.ts';
import { LocalScans } from './scans/local-scans.svelte.ts';
import { localStorageBackup } from './scans/scan-backup.ts';
import { CameraState, type CameraFactory } from './state/camera.svelte.ts';
import { EventData } from './state/event-data.svelte.ts';
import { ServerClock } from './state/server-clock.svelte.ts';
import { Session, type Selection } from './state/session.svelte.ts';
import { Settings } from './state/settings.svelte.ts';
import { SyncClient } from './sync/sync-client.svelte.ts';

export interface AppPorts {
  api: Api;
  store: Store;
  socket: Socket;
  socketUrl: () => string;
  camera: CameraFactory;
  feedback: Feedback;
  lang: Lang;
}

export type Screen = 'setup' | 'scan' | 'demo' | 'login' | 'console';
export type Panel = 'manual' | 'search' | 'history' | 'settings' | null;
export interface Notice { key: MessageKey; params?: Params }

/** How often a connected phone asks for the manifest's changes (`?since=version`). */
export const MANIFEST_REFRESH_MS = 5 * 60_000;

/** The link form of a code: the app was opened at /v/<code>. */
const LINK_PATH = /^\/v\/[^/]+\/?$/;

export class App {
  readonly i18n: I18n;
  readonly settings = new Settings();
  readonly session: Session;
  readonly clock: ServerClock;
  readonly event: EventData;
  /** Every scan on this phone, and the one count of those waiting to upload. */
  readonly scans: LocalScans;
  readonly sync: SyncClient;
  readonly flow: ScanFlow;
  /** Who may undo which admission here, and the annulments it records. */
  readonly undo: Undo;
  /** Signed codes' signatures: the browser's WebCrypto where it has Ed25519, else pure JS. */
  readonly verifier = new SignatureVerifier();
  readonly camera: CameraState;
  readonly update: UpdateState;
  /** Keeps the screen on while the scan screen is open. */
  readonly awake = new ScreenAwake();
  readonly feedback: Feedback;
  readonly api: Api;
  readonly #socket: Socket;
  readonly #socketUrl: () => string;
  #screen = $state<Screen>('setup');
  #panel = $state<Panel>(null);
  #notice = $state.raw<Notice | null>(null);
  #started = $state(false);
  /** The console view on screen (or last shown), as its address says. */
  #console = $state.raw<ConsoleRoute>({ section: CONSOLE_SECTIONS[0], search: '' });
  /** The app was opened at a console address: shown once signed in. */
  #pendingConsole = false;
  #pendingLink: string | null = null;
  /**
   * A /v/<code> link waiting for the inspector's tap. Opening a link is not scanning: a
   * link sent to a signed-in phone (a message, a QR code on a poster) would otherwise
   * record an admission for whatever ticket it names without anyone at the gate.
   */
  #linkToConfirm = $state<string | null>(null);

  static async create(ports: AppPorts): Promise<App> {
    return new App(ports, (await ports.store.getMeta<number>('clockOffset')) ?? null);
  }

  constructor(ports: AppPorts, storedOffset: number | null) {
    this.api = ports.api;
    this.#socket = ports.socket;
    this.#socketUrl = ports.socketUrl;
    this.feedback = ports.feedback;
    this.i18n = new I18n(ports.lang);
    this.session = new Session(ports.api, ports.store);
    this.clock = new ServerClock(storedOffset);
    this.event = new EventData(new ManifestRepo(ports.api, ports.store));
    this.scans = new LocalScans(ports.store, { backup: localStorageBackup() });
    this.scans.restoreHeld();
    this.sync = new SyncClient({
      socket: ports.socket, scans: this.scans, store: ports.store, event: this.event, clock: this.clock, appVersion: APP_VERSION, url: ports.socketUrl,
      onUnauthenticated: () => this.session.markExpired(),
      onRevoked: () => void this.#revoked(),
      // Tickets sold or changed since the last download: on every (re)connect, then every few minutes.
      onWelcome: () => void this.event.sync(),
      onTicketsChanged: (version) => this.event.changedOnServer(version),
      onCheckpointsChanged: () => this.event.checkpointsChangedOnServer(),
    });
    setInterval(() => { if (this.sync.online) void this.event.sync(); }, MANIFEST_REFRESH_MS);
    const admitter = new Admitter({ sync: this.sync, scans: this.scans, clock: this.clock, budgetMs: () => this.settings.onlineBudgetMs });
    this.undo = new Undo({ scans: this.scans, session: this.session, clock: this.clock });
    this.flow = new ScanFlow({
      event: this.event, scans: this.scans, session: this.session, admitter, undo: this.undo, clock: this.clock, feedback: ports.feedback,
      verify: this.verifier.verify, autoReturnMs: () => this.settings.autoReturnMs,
    });
    this.camera = new CameraState(ports.camera, (text) => this.flow.cameraCode(text));
    this.update = new UpdateState(() => this.scans.pending);
    // Scans that storage refused live only in this page until uploaded: closing or reloading
    // it asks first (the browser shows its own wording).
    if (typeof window !== 'undefined') {
      window.addEventListener('beforeunload', (e) => { if (this.scans.heldToUpload > 0) e.preventDefault(); });
      document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') this.#shown(); });
      // The browser's Back out of the console returns to where the console was opened from.
      window.addEventListener('popstate', () => {
        const route = consoleRoute(new URL(location.href));
        if (route) { this.#console = route; this.#screen = 'console'; }
        else if (this.#screen === 'console') this.#screen = this.#workScreen();
      });
    }
  }

  /**
   * Back in front after the phone was locked or another app was used: the screen lock is
   * asked for again, a socket that died in the background is noticed now rather than at
   * the next ping, and held scans are written again.
   */
  #shown(): void {
    void this.awake.shown();
    this.sync.wake();
    if (this.scans.heldCount > 0) void this.scans.retryHeld();
  }

  get screen() { return this.#screen; }
  get panel() { return this.#panel; }
  get notice() { return this.#notice; }
  get linkToConfirm() { return this.#linkToConfirm; }
  get started() { return this.#started; }
  get consoleView() { return this.#console; }

  /** From storage alone: a phone that was scanning goes straight back to scanning. */
  async start(url: URL = new URL(location.href)): Promise<void> {
    if (LINK_PATH.test(url.pathname)) {
      this.#pendingLink = url.href;
      history.replaceState(null, '', '/');
    }
    const route = consoleRoute(url);
    if (route) { this.#console = route; this.#pendingConsole = true; }
    await this.session.restore();
    const sel = this.session.selection;
    if (this.session.phase === 'signedIn' && sel) {
      // The camera starts while the stored tickets load: neither waits for the other.
      this.#screen = route ? 'console' : 'scan';
      this.#started = true;
      await this.#open(sel);
      if (this.#screen === 'scan' && this.event.status !== 'ready') this.#screen = 'setup';
    }
    this.#started = true;
    this.#takeConsole();
    this.#takeLink();
  }

  async login(username: string, password: string): Promise<void> {
    await this.session.login(username, password);
    const sel = this.session.selection;
    if (sel) await this.#open(sel); // signing in again after the session expired
    this.#screen = this.#workScreen();
    this.#takeConsole();
    this.#takeLink();
  }

  /**
   * Scan at this checkpoint; refused when it leaves an event with scans still to upload
   * (stored, or held in memory because storage refused them).
   */
  async choose(sel: Selection): Promise<boolean> {
    const current = this.session.selection;
    const unsynced = current ? await this.scans.waiting(current.eventId) : 0;
    const r = await this.session.select(sel, unsynced);
    if (!r.ok) { this.#notice = { key: 'unsyncedSwitch', params: { count: r.unsynced } }; return false; }
    await this.#open(sel);
    if (this.event.status !== 'ready') return false;
    this.#screen = 'scan';
    this.#takeLink();
    return true;
  }

  /** Download (or refresh) an event's manifest before a checkpoint is chosen. */
  async preload(eventId: EventId): Promise<void> {
    if (this.event.eventId === eventId && this.event.status === 'ready') { await this.event.sync(); return; }
    const current = this.session.selection;
    if (current && current.eventId !== eventId) return; // opened when chosen, after the unsynced check
    await this.#openEvent(eventId);
  }

  /** Refused while any scan waits to upload, stored or held in memory: it would be stranded. */
  async logout(): Promise<void> {
    const pending = await this.scans.waiting();
    if (pending > 0) { this.#notice = { key: 'unsyncedLogout', params: { count: pending } }; return; }
    // Stopped first: no gossip may store a scan or a cursor after the session forgets them,
    // and the server's closing of this session's socket is not taken for an expired session.
    this.sync.stop();
    this.camera.stop();
    const r = await this.session.logout(pending);
    if (!r.ok) { this.#notice = { key: 'unsyncedLogout', params: { count: r.unsynced } }; return; }
    this.event.forget();
    this.scans.forget();
    this.show('setup');
  }

  /** A supervisor revoked this phone: back to the login screen at once, which says why. */
  async #revoked(): Promise<void> {
    this.sync.stop();
    this.camera.stop();
    await this.session.revokedByServer();
    this.show('setup');
  }

  /** How history and alerts name a phone: this one, its registered name, or its id's tail. */
  deviceLabel(id: string): string {
    if (id === this.session.deviceId) return this.i18n.t('thisDevice');
    return this.event.deviceName(id) ?? `\u2026${id.slice(-6)}`;
  }

  show(screen: Screen): void {
    if (screen !== 'scan') this.camera.stop();
    this.#panel = null;
    if (this.#screen === 'console' && screen !== 'console' && onConsolePage()) history.replaceState(null, '', '/');
    this.#screen = screen;
  }

  /**
   * The supervisors' console, at its own address (a reload or a shared link comes back to
   * it). Anyone signed in may land here; the console screen refuses an inspector, and the
   * server refuses its routes to them anyway.
   */
  openConsole(section: ConsoleSection = this.#console.section): void {
    this.camera.stop();
    this.#panel = null;
    this.#console = { section, search: section === this.#console.section ? this.#console.search : '' };
    const path = consolePath(this.#console);
    if (typeof location !== 'undefined' && location.pathname + location.search !== path) history.pushState(null, '', path);
    this.#screen = 'console';
  }

  /**
   * The console's socket for the live view of an event (not started), as this device; null
   * without a device (signed in before device secrets: a new sign-in registers one).
   */
  liveChannel(eventId: EventId, listener: LiveListener): LiveChannel | null {
    const deviceId = this.session.deviceId;
    const deviceSecret = this.session.deviceSecret;
    if (!deviceId || !deviceSecret) return null;
    return new LiveChannel(this.#socket, this.#socketUrl, { eventId, deviceId, deviceSecret }, listener);
  }

  /** The console's filters changed: its address says so, without a new history entry. */
  setConsoleSearch(search: string): void {
    this.#console = { ...this.#console, search };
    if (this.#screen === 'console' && onConsolePage()) history.replaceState(null, '', consolePath(this.#console));
  }

  /** Out of the console: back to scanning, or to choosing where, as the phone was. */
  leaveConsole(): void {
    this.show(this.#workScreen());
  }

  #workScreen(): Screen {
    return this.session.selection && this.event.status === 'ready' ? 'scan' : 'setup';
  }

  #takeConsole(): void {
    if (!this.#pendingConsole || this.session.phase !== 'signedIn') return;
    this.#pendingConsole = false;
    this.#screen = 'console';
  }
  openPanel(panel: Panel): void { this.#panel = panel; }
  closePanel(): void { this.#panel = null; }
  dismissNotice(): void { this.#notice = null; }

  async #open(sel: Selection): Promise<void> {
    const deviceId = this.session.deviceId;
    const deviceSecret = this.session.deviceSecret;
    if (!deviceId || !deviceSecret) return;
    if (this.event.eventId !== sel.eventId || this.event.status !== 'ready') await this.#openEvent(sel.eventId);
    this.sync.start({ eventId: sel.eventId, deviceId, deviceSecret, checkpointId: sel.checkpointId });
  }

  /** The manifest and the scans of the event, side by side; the clock restarts after our last scan. */
  async #openEvent(eventId: EventId): Promise<void> {
    const [, lastOwn] = await Promise.all([this.event.open(eventId), this.scans.open(eventId)]);
    this.clock.seed(lastOwn);
    // Imported now rather than inside the first verdict; keys a later refresh adds are
    // imported at their first code.
    if (this.event.header) this.verifier.prepare(this.event.header.publicKeys);
  }

  #takeLink(): void {
    const link = this.#pendingLink;
    if (!link || this.#screen !== 'scan' || !this.flow.context()) return;
    this.#pendingLink = null;
    this.#linkToConfirm = link;
  }

  /** The inspector tapped to check the ticket of the opened link: it is scanned now. */
  confirmLink(): void {
    const link = this.#linkToConfirm;
    this.#linkToConfirm = null;
    if (link && this.#screen === 'scan' && this.flow.context()) void this.flow.handleText(link, 'link');
  }

  dismissLink(): void { this.#linkToConfirm = null; }
}

/** The address bar shows a console page (never in Node, where tests run the App). */
const onConsolePage = (): boolean => typeof location !== 'undefined' && consoleRoute(new URL(location.href)) !== null;
