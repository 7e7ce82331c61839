// The scanner's side of the socket: hello, online verdicts, uploading the queue, gossip and
// catch-up from other scanners, conflicts, clock pings, the code word. It speaks the
// protocol only: the scans themselves, the queue and the cursor are LocalScans', which
// changes memory at once and orders its own writes, so every message is handled in the
// order it arrived, as it arrives. Its state (online, refusals, conflicts of the event it
// scans now) is what the status bar and the alerts show.
import { summarise, type Conflict, type Scan } from '@gatekeeper/shared/domain';
import { isAdmitting } from '@gatekeeper/shared/outcomes';
import { newId, type CheckpointId, type DeviceId, type EventId } from '@gatekeeper/shared/ids';
import { MAX_BATCH, PROTOCOL_VERSION, type DeviceReport, type Down, type DownOf, type RefusalReason, type ScanRequest } from '@gatekeeper/shared/protocol/index';
import type { Socket, Store } from '../ports.ts';
import type { LocalScans } from '../scans/local-scans.svelte.ts';
import type { EventData } from '../state/event-data.svelte.ts';
import type { ServerClock } from '../state/server-clock.svelte.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { Connection } from './connection.ts';
import { cursorFromAnotherLog } from '../scans/log-identity.ts';
import { TrackedWork } from './tracked-work.ts';
import { NoOnlineVerdict, VerdictRequests, type OnlineAnswer } from './verdict-requests.ts';

export interface SyncContext { eventId: EventId; deviceId: DeviceId; deviceSecret: string; checkpointId: CheckpointId }
export type LinkState = 'offline' | 'connecting' | 'online' | 'refused';

export const PING_EVERY_MS = 15_000;
/** A ping unanswered this long means a dead socket (a venue Wi-Fi that went silent). */
export const PING_DEADLINE_MS = 8_000;
export const UPLOAD_ACK_DEADLINE_MS = 15_000;
export const UPLOAD_BATCH = Math.min(500, MAX_BATCH);
/** After the server answered an upload with an error: 1–2 s, then longer, at most 30 s. */
export const UPLOAD_RETRY_BACKOFF: BackoffOptions = { baseMs: 2_000, capMs: 30_000 };

export interface SyncDeps {
  socket: Socket;
  scans: LocalScans;
  /** For the clock offset, kept for the next start. */
  store: Pick<Store, 'setMeta'>;
  /** For the code word the server announces. */
  event: Pick<EventData, 'setCodeWord'>;
  clock: ServerClock;
  /** This build's version, reported with the clock offset and the waiting scans in every hello and ping (protocol 10). */
  appVersion: string;
  url: () => string;
  /** The server no longer knows our session. */
  onUnauthenticated: () => void;
  /** A supervisor revoked this phone (refused `deviceRevoked`). */
  onRevoked?: () => void;
  /** Welcomed by the server (again): a moment to fetch what changed in the manifest. */
  onWelcome?: () => void;
  /** The event's tickets changed on the server (a ticket blocked in the console): its manifest has reached `version`. */
  onTicketsChanged?: (version: number) => void;
  /** A checkpoint's rules changed on the server (protocol 13): the manifest carries the new ones. */
  onCheckpointsChanged?: () => void;
}

export class SyncClient {
  #link = $state<LinkState>('offline');
  #refusal = $state.raw<{ reason: RefusalReason; message: string } | null>(null);
  #conflicts = $state.raw<Conflict[]>([]);
  #lastContact = $state<number | null>(null);
  /** The server refused our last upload (`unavailable`: it cannot store; `internal`) and has not taken one since. */
  #uploadRefused = $state<string | null>(null);
  readonly #deps: SyncDeps;
  readonly #conn: Connection;
  readonly #requests = new VerdictRequests();
  #ctx: SyncContext | null = null;
  #batch: { id: string; timer: ReturnType<typeof setTimeout> } | null = null;
  #uploadRetry: ReturnType<typeof setTimeout> | null = null;
  #uploadFailures = 0;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #pings = new Map<number, number>();
  #pingSeq = 0;
  #seenConflicts = new Set<string>();
  /** Set when the server's log turned out to be younger than our cursor (see welcome). */
  #staleCursor: number | null = null;
  /** The log id our last hello named: the server catches up from 0 by itself when it has another. */
  #helloLogId: string | undefined;
  /** Sockets opened so far: a hello waiting for storage outlived its socket is not sent on the next. */
  #opens = 0;
  /** The hello waiting for the event's scans to load; the clock offset's write. */
  readonly #work = new TrackedWork();

  constructor(deps: SyncDeps) {
    this.#deps = deps;
    this.#conn = new Connection(deps.socket, deps.url, {
      open: () => this.#hello(),
      message: (m) => this.#receive(m),
      close: () => this.#closed(),
      failed: () => { if (this.#link !== 'refused') this.#link = 'offline'; },
      badMessage: (e) => console.warn('ignored a message that does not parse', e),
    });
    deps.scans.onWaiting(() => this.#upload());
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', () => {
        this.#conn.drop();
        if (this.#link !== 'refused' && this.#ctx) this.#link = 'offline';
      });
      window.addEventListener('online', () => this.#conn.retryNow());
    }
  }

  get link() { return this.#link; }
  get online(): boolean { return this.#link === 'online'; }
  get refusal() { return this.#refusal; }
  get conflicts() { return this.#conflicts; }
  get lastContact() { return this.#lastContact; }
  get uploadRefused() { return this.#uploadRefused; }

  start(ctx: SyncContext): void {
    const old = this.#ctx;
    if (old && (old.eventId !== ctx.eventId || old.deviceId !== ctx.deviceId || old.deviceSecret !== ctx.deviceSecret || old.checkpointId !== ctx.checkpointId)) this.stop();
    if (old?.eventId !== ctx.eventId) {
      // Another event: nothing shown or remembered of the one left behind (issue 9: its
      // conflict stayed on screen over the new event's gate).
      this.#conflicts = [];
      this.#seenConflicts.clear();
      this.#staleCursor = null;
    }
    this.#ctx = ctx;
    this.#refusal = null;
    this.#link = 'connecting';
    // The hello carries the event's cursor: its scans load first (at once when the app opened them).
    void this.#deps.scans.open(ctx.eventId);
    this.#conn.start();
    this.#pingTimer ??= setInterval(() => this.#ping(), PING_EVERY_MS);
  }

  stop(): void {
    this.#conn.stop();
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    this.#link = 'offline';
  }

  /** The app is in front again: reconnect now if the socket is gone, else check it lives. */
  wake(): void {
    if (!this.#ctx) return;
    this.#conn.retryNow();
    this.#ping();
  }

  /** Ask the server to decide this scan; rejects (NoOnlineVerdict) offline or past the budget. */
  requestVerdict(scan: ScanRequest, budgetMs: number): Promise<OnlineAnswer> {
    if (!this.online) return Promise.reject(new NoOnlineVerdict('offline'));
    const answer = this.#requests.wait(scan.id, budgetMs);
    if (!this.#conn.send({ type: 'scan', scan })) this.#requests.fail(scan.id, 'offline');
    return answer;
  }

  /**
   * Resolves once the work this started (a hello waiting for the scans, the clock offset's
   * write) has finished. With LocalScans.settled(), what to wait for before closing the database.
   */
  settled(): Promise<void> {
    return this.#work.settled();
  }

  dismissConflict(loserScanId: string): void {
    this.#conflicts = this.#conflicts.filter((c) => c.loser.scanId !== loserScanId);
  }

  #hello(): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const opened = ++this.#opens;
    // Storage that cannot be read leaves a cursor of 0 (LocalScans.open never rejects): a full
    // catch-up, merged by scan id, rather than a hello never sent and a phone stuck on "connecting".
    const scans = this.#deps.scans;
    this.#work.add(scans.open(ctx.eventId).then(() => {
      // Started again meanwhile: the same event says hello as it is now; another event's
      // scans are not loaded yet, and its own start sends its hello.
      const now = this.#ctx;
      if (now?.eventId !== ctx.eventId || opened !== this.#opens) return;
      const logId = scans.logId;
      this.#helloLogId = logId;
      this.#conn.send({
        type: 'hello', v: PROTOCOL_VERSION, eventId: now.eventId, deviceId: now.deviceId, deviceSecret: now.deviceSecret, checkpointId: now.checkpointId, cursor: scans.cursor,
        compress: [...this.#deps.socket.encodings], ...(logId === undefined ? {} : { logId }), report: this.#report(),
      });
    }), 'hello');
  }

  #closed(): void {
    if (this.#link !== 'refused') this.#link = 'offline';
    this.#requests.failAll('closed');
    if (this.#batch) clearTimeout(this.#batch.timer);
    this.#batch = null;
    // The next welcome uploads anyway.
    if (this.#uploadRetry) clearTimeout(this.#uploadRetry);
    this.#uploadRetry = null;
    this.#pings.clear();
  }

  #receive(msg: Down): void {
    this.#lastContact = Date.now();
    try {
      this.#handle(msg);
    } catch (e) {
      console.error('sync message failed', msg.type, e);
    }
  }

  #handle(msg: Down): void {
    const ctx = this.#ctx;
    switch (msg.type) {
      case 'verdict':
        return this.#verdict(msg);
      case 'pong':
        return this.#pong(msg);
      case 'welcome':
        // Online first: nothing below may keep the phone from its online verdicts, not even
        // storage that cannot be read.
        this.#link = 'online';
        this.#conn.healthy();
        this.#deps.event.setCodeWord(msg.codeWord);
        for (let i = 0; i < 3; i++) setTimeout(() => this.#ping(), i * 300);
        this.#deps.onWelcome?.();
        this.#checkCursor(msg.cursor, msg.logId);
        this.#upload();
        return;
      case 'refused':
        // Too slow to say hello (storage blocked): not a refusal of this phone. The server
        // closes the socket, and the connection comes back with its backoff by itself.
        if (msg.reason === 'helloTimeout') return;
        this.#link = 'refused';
        this.#refusal = { reason: msg.reason, message: msg.message };
        this.#conn.stop();
        if (msg.reason === 'unauthenticated') this.#deps.onUnauthenticated();
        if (msg.reason === 'deviceRevoked') this.#deps.onRevoked?.();
        return;
      case 'scans':
        if (ctx) this.#gossip(msg, ctx);
        return;
      case 'uploadAck':
        if (!this.#batch || this.#batch.id !== msg.batchId) return;
        clearTimeout(this.#batch.timer);
        this.#batch = null;
        this.#uploadFailures = 0;
        this.#uploadRefused = null;
        this.#deps.scans.markUploaded(msg.results.map((r) => r.scanId));
        for (const r of msg.results) if (r.conflict) this.#alert(r.conflict);
        this.#upload();
        return;
      case 'conflict':
        this.#alert(msg.conflict);
        return;
      case 'codeWord':
        if (msg.eventId === ctx?.eventId) this.#deps.event.setCodeWord(msg.codeWord);
        return;
      case 'ticketsChanged':
        if (msg.eventId === ctx?.eventId) this.#deps.onTicketsChanged?.(msg.version);
        return;
      case 'checkpointsChanged':
        if (msg.eventId === ctx?.eventId) this.#deps.onCheckpointsChanged?.();
        return;
      case 'error':
        if (msg.ref && this.#requests.fail(msg.ref, 'error', msg.message)) return;
        if (msg.ref && this.#batch?.id === msg.ref) {
          clearTimeout(this.#batch.timer);
          this.#batch = null;
          this.#uploadRefused = msg.code;
          // The server stored none of it (`unavailable`: its disk is full; `rate_limited`:
          // this phone sent more than its limit; `internal`): the scans stay queued and go
          // again after a pause that grows while it lasts, and not before the server's advice.
          this.#retryUploadLater(msg.retryAfterMs ?? 0);
        }
        if (msg.code === 'unauthenticated') this.#deps.onUnauthenticated();
        console.warn('server error', msg.code, msg.message);
        return;
      default:
        return;
    }
  }

  /**
   * A cursor from another log than the server's (its database was replaced; scan-log.ts):
   * start over from 0. When our hello named our log, the server saw the difference and
   * already catches up from 0; otherwise we ask, and the catch-up of our hello answers with
   * one empty page carrying our old cursor, which is ignored. The cursor is reset before the
   * new log id is stored, so a phone stopped in between resets again next time.
   *
   * What the old log told us stays, other phones' scans included: those admissions happened
   * at this event's gates, and a fresh server database does not know them. Dropping them
   * would let this phone, offline, admit a ticket a second time that another gate already
   * let in; kept, they count in its offline decisions and merge by id with the new log.
   * This phone's own scans that the old log acknowledged are uploaded again (LocalScans
   * .restartCursor): the new log may lack them.
   */
  #checkCursor(serverCursor: number, logId: string): void {
    const scans = this.#deps.scans;
    const ours = scans.cursor;
    if (!cursorFromAnotherLog({ stored: scans.logId, ours, logId, serverCursor })) {
      scans.keepLogId(logId);
      return;
    }
    const serverRestarted = this.#helloLogId !== undefined && this.#helloLogId !== logId;
    scans.restartCursor(logId, this.#ctx?.deviceId);
    if (serverRestarted) return;
    this.#staleCursor = ours;
    this.#conn.send({ type: 'catchup', cursor: 0 });
  }

  #verdict(msg: DownOf<'verdict'>): void {
    const ours = this.#deps.scans.get(msg.scanId);
    const waited = this.#requests.answer(msg.scanId, { status: msg.status, verdict: msg.verdict, scan: msg.scan });
    // Merged whether we still wait for it or not: after the budget it is the server's copy of
    // a scan we decided offline, replaces ours and marks it uploaded.
    this.#deps.scans.merge([msg.scan], this.#ctx?.deviceId ?? null);
    // Too late: this phone already let the holder in offline, and the server (which had the
    // scan first) says another gate admitted the ticket before. The inspector must know now.
    const late = lateDisagreement(waited ? null : ours, msg);
    if (late) this.#alert(late);
  }

  #gossip(msg: DownOf<'scans'>, ctx: SyncContext): void {
    // Not from a quarantined scan: its stamp is what made it implausible (a day ahead, say),
    // and merging it would stamp this phone's own scans out of range too.
    for (const s of msg.scans) if (!s.quarantine) this.#deps.clock.hear(s.hlc);
    const fresh = this.#deps.scans.merge(msg.scans.filter((s) => s.eventId === ctx.eventId), ctx.deviceId);
    // The server sends every catch-up page by itself (more: true says another follows), so
    // nothing is asked for here. Cursors only move forward: a verdict's cursor can be ahead
    // of a gossip page still in flight.
    const staleEcho = msg.scans.length === 0 && msg.cursor === this.#staleCursor;
    if (staleEcho) this.#staleCursor = null;
    else this.#deps.scans.advanceCursor(msg.cursor);
    // The same arbitration every node runs: a conflict involving this phone is shown even
    // before the server's own conflict message arrives.
    const touched = fresh.filter((s) => s.ticketId).map((s) => s.ticketId as string);
    for (const c of this.#deps.scans.conflictsOf(touched)) {
      if (c.winner.deviceId === ctx.deviceId || c.loser.deviceId === ctx.deviceId) this.#alert(c);
    }
  }

  #alert(c: Conflict): void {
    if (c.eventId !== this.#ctx?.eventId || this.#seenConflicts.has(c.loser.scanId)) return;
    this.#seenConflicts.add(c.loser.scanId);
    this.#conflicts = [...this.#conflicts, c];
  }

  #upload(): void {
    const ctx = this.#ctx;
    if (!ctx || this.#batch || !this.online) return;
    const scans = this.#deps.scans.nextBatch(ctx.eventId, UPLOAD_BATCH);
    if (scans.length === 0) return;
    const id = newId('b');
    this.#batch = { id, timer: setTimeout(() => { this.#batch = null; this.#conn.drop(); }, UPLOAD_ACK_DEADLINE_MS) };
    if (!this.#conn.send({ type: 'upload', batchId: id, scans })) { clearTimeout(this.#batch.timer); this.#batch = null; }
  }

  #retryUploadLater(atLeastMs = 0): void {
    if (this.#uploadRetry) return;
    this.#uploadRetry = setTimeout(() => {
      this.#uploadRetry = null;
      this.#upload();
    }, Math.max(atLeastMs, backoffDelay(this.#uploadFailures++, UPLOAD_RETRY_BACKOFF)));
  }

  #ping(): void {
    if (!this.online) return;
    const oldest = Math.min(...this.#pings.values());
    if (Date.now() - oldest > PING_DEADLINE_MS) { this.#pings.clear(); this.#conn.drop(); return; }
    const id = ++this.#pingSeq;
    const clientTime = Date.now();
    this.#pings.set(id, clientTime);
    this.#conn.send({ type: 'ping', id, clientTime, report: this.#report() });
  }

  /** What the supervisors' fleet is told of this phone: it is in every ping, so never older than one. */
  #report(): DeviceReport {
    return { appVersion: this.#deps.appVersion, clockOffsetMs: this.#deps.clock.offsetMs, waiting: this.#deps.scans.pending };
  }

  #pong(msg: DownOf<'pong'>): void {
    this.#pings.delete(msg.id);
    const changed = this.#deps.clock.addSample({ clientSent: msg.clientTime, serverTime: msg.serverTime, clientReceived: Date.now() });
    if (changed !== null) this.#work.add(this.#deps.store.setMeta('clockOffset', changed), 'store clock offset');
  }
}


/** Our offline admission against the server's refusal of the same scan, as a conflict. */
export function lateDisagreement(ours: Scan | null, msg: DownOf<'verdict'>): Conflict | null {
  const { verdict, scan } = msg;
  if (!ours || !isAdmitting(ours.outcome) || isAdmitting(verdict.outcome)) return null;
  if (!verdict.firstScan || !verdict.ticketId) return null;
  return {
    eventId: scan.eventId, ticketId: verdict.ticketId, scope: scan.zone,
    winner: verdict.firstScan, loser: summarise(ours),
  };
}
