// The scanner's side of the socket: hello, online verdicts, uploading the queue, gossip and
// catch-up from other scanners, conflicts, clock pings, the code word. Its state (online,
// scans waiting, conflicts) is what the status bar and the alerts show.
import { summarise, type Conflict, type Scan } from '@gatekeeper/shared/domain';
import { isAdmitting } from '@gatekeeper/shared/outcomes';
import { newId, type CheckpointId, type DeviceId, type EventId } from '@gatekeeper/shared/ids';
import { MAX_BATCH, PROTOCOL_VERSION, type Down, type DownOf, type RefusalReason, type ScanRequest } from '@gatekeeper/shared/protocol/index';
import { cursorKey, type Socket, type Store } from '../ports.ts';
import type { EventData } from '../state/event-data.svelte.ts';
import type { ServerClock } from '../state/server-clock.svelte.ts';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { Connection } from './connection.ts';
import { cursorFromAnotherLog, logIdKey } from './scan-log.ts';
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
  store: Store;
  event: EventData;
  clock: ServerClock;
  url: () => string;
  /** The server no longer knows our session. */
  onUnauthenticated: () => void;
  /** A supervisor revoked this phone (refused `deviceRevoked`). */
  onRevoked?: () => void;
  /** Welcomed by the server (again): a moment to fetch what changed in the manifest. */
  onWelcome?: () => void;
}

export class SyncClient {
  #link = $state<LinkState>('offline');
  #refusal = $state.raw<{ reason: RefusalReason; message: string } | null>(null);
  #pending = $state(0);
  #pendingAsked = 0;
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
  #uploading = false;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #pings = new Map<number, number>();
  #pingSeq = 0;
  #seenConflicts = new Set<string>();
  /** Set when the server's log turned out to be younger than our cursor (see welcome). */
  #staleCursor: number | null = null;
  /** The log id our last hello named: the server catches up from 0 by itself when it has another. */
  #helloLogId: string | undefined;
  #chain: Promise<void> = Promise.resolve();
  /** Sockets opened so far: a hello whose cursor read outlived its socket is not sent on the next. */
  #opens = 0;
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
    deps.event.onUnsavedStored(() => this.queued());
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
  get pending() { return this.#pending; }
  get conflicts() { return this.#conflicts; }
  get lastContact() { return this.#lastContact; }
  get uploadRefused() { return this.#uploadRefused; }

  start(ctx: SyncContext): void {
    if (this.#ctx && (this.#ctx.eventId !== ctx.eventId || this.#ctx.deviceId !== ctx.deviceId || this.#ctx.deviceSecret !== ctx.deviceSecret || this.#ctx.checkpointId !== ctx.checkpointId)) this.stop();
    this.#ctx = ctx;
    this.#refusal = null;
    this.#link = 'connecting';
    this.#conn.start();
    this.#work.add(this.refreshPending(), 'count pending');
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

  /** A scan was queued: count it and try to upload it. */
  queued(): void {
    this.#work.add(this.refreshPending().then(() => this.#upload()), 'upload');
  }

  /** Recount the scans waiting to upload (never rejects: a storage failure is logged). */
  async refreshPending(): Promise<void> {
    const eventId = this.#ctx?.eventId;
    // Read-only IndexedDB transactions may finish out of order: only the newest count shows.
    const asked = ++this.#pendingAsked;
    if (!eventId) { this.#pending = 0; return; }
    const held = () => this.#deps.event.unsaved.countPending(eventId);
    let stored: number;
    try {
      stored = await this.#deps.store.countPending(eventId);
    } catch (e) {
      // Storage unreadable: at least the scans held in memory show as waiting.
      if (asked === this.#pendingAsked) this.#pending = Math.max(this.#pending, held());
      console.warn('sync: counting the queue failed', e);
      return;
    }
    if (asked === this.#pendingAsked) this.#pending = stored + held();
  }

  /**
   * Resolves once every storage write started so far has finished (or failed). Closing the
   * database before that would fail them; stopping, then waiting here, closes cleanly.
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
    // A cursor that cannot be read (storage gone) is 0: a full catch-up, merged by scan id,
    // rather than a hello never sent and a phone stuck on "connecting".
    const cursor = this.#deps.store.getMeta<number>(cursorKey(ctx.eventId)).catch((e: unknown) => {
      console.warn('sync: the cursor could not be read; catching up from 0', e);
      return 0;
    });
    const logId = this.#deps.store.getMeta<string>(logIdKey(ctx.eventId)).catch(() => undefined);
    this.#work.add(Promise.all([cursor, logId]).then(([cursor, logId]) => {
      if (opened !== this.#opens) return;
      this.#helloLogId = logId;
      this.#conn.send({
        type: 'hello', v: PROTOCOL_VERSION, eventId: ctx.eventId, deviceId: ctx.deviceId, deviceSecret: ctx.deviceSecret, checkpointId: ctx.checkpointId, cursor: cursor ?? 0,
        compress: [...this.#deps.socket.encodings], ...(logId === undefined ? {} : { logId }),
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
    // Verdicts and pongs are answered at once; everything that writes storage goes in order.
    if (msg.type === 'verdict') return this.#verdict(msg);
    if (msg.type === 'pong') return this.#pong(msg);
    this.#chain = this.#chain.then(() => this.#ordered(msg)).catch((e) => console.error('sync message failed', msg.type, e));
    this.#work.add(this.#chain, msg.type);
  }

  async #ordered(msg: Down): Promise<void> {
    const ctx = this.#ctx;
    switch (msg.type) {
      case 'welcome':
        // Online first: nothing below may keep the phone from its online verdicts, not even
        // storage that cannot be read.
        this.#link = 'online';
        this.#conn.healthy();
        this.#deps.event.setCodeWord(msg.codeWord);
        for (let i = 0; i < 3; i++) setTimeout(() => this.#ping(), i * 300);
        this.#deps.onWelcome?.();
        if (ctx) await this.#checkCursor(ctx, msg.cursor, msg.logId);
        await this.#upload();
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
        if (!ctx) return;
        await this.#gossip(msg, ctx);
        return;
      case 'uploadAck':
        if (!this.#batch || this.#batch.id !== msg.batchId) return;
        clearTimeout(this.#batch.timer);
        this.#batch = null;
        this.#uploadFailures = 0;
        this.#uploadRefused = null;
        {
          const ids = msg.results.map((r) => r.scanId);
          this.#deps.event.unsaved.markUploaded(ids);
          for (const r of msg.results) if (r.conflict) this.#alert(r.conflict);
          // The server has them now; a store that cannot mark them sends them again later,
          // which the server answers as duplicates.
          await this.#deps.store.markUploaded(ids).catch((e: unknown) => console.warn('sync: marking uploaded failed', e));
        }
        await this.refreshPending();
        await this.#upload();
        return;
      case 'conflict':
        this.#alert(msg.conflict);
        return;
      case 'codeWord':
        if (msg.eventId === ctx?.eventId) this.#deps.event.setCodeWord(msg.codeWord);
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
   */
  async #checkCursor(ctx: SyncContext, serverCursor: number, logId: string): Promise<void> {
    let ours: number;
    let stored: string | undefined;
    try {
      const [cursor, id] = await Promise.all([this.#deps.store.getMeta<number>(cursorKey(ctx.eventId)), this.#deps.store.getMeta<string>(logIdKey(ctx.eventId))]);
      ours = cursor ?? 0;
      stored = id;
    } catch (e) {
      console.warn('sync: the cursor could not be read', e);
      return;
    }
    const keepId = () => this.#deps.store.setMeta(logIdKey(ctx.eventId), logId).catch((e: unknown) => console.warn('sync: the log id could not be stored', e));
    if (!cursorFromAnotherLog({ stored, ours, logId, serverCursor })) {
      // Same log (or the first id this phone hears): nothing waits for this write.
      if (stored !== logId) this.#work.add(keepId(), 'store log id');
      return;
    }
    const serverRestarted = this.#helloLogId !== undefined && this.#helloLogId !== logId;
    await this.#deps.store.setMeta(cursorKey(ctx.eventId), 0).catch((e: unknown) => console.warn('sync: the cursor could not be reset', e));
    await keepId();
    if (serverRestarted) return;
    this.#staleCursor = ours;
    this.#conn.send({ type: 'catchup', cursor: 0 });
  }

  #verdict(msg: DownOf<'verdict'>): void {
    const ours = this.#deps.event.log.get(msg.scanId);
    const waited = this.#requests.answer(msg.scanId, { status: msg.status, verdict: msg.verdict, scan: msg.scan });
    // Stored whether we still wait for it or not: after the budget it is the server's copy of
    // a scan we decided offline, replaces ours and marks it uploaded.
    this.#work.add(this.#deps.event.addScans([{ ...msg.scan, uploaded: 1, own: 1 }]).then(() => this.refreshPending()), 'store verdict');
    // Too late: this phone already let the holder in offline, and the server (which had the
    // scan first) says another gate admitted the ticket before. The inspector must know now.
    const late = lateDisagreement(waited ? null : ours, msg);
    if (late) this.#alert(late);
  }

  async #gossip(msg: DownOf<'scans'>, ctx: SyncContext): Promise<void> {
    // Not from a quarantined scan: its stamp is what made it implausible (a day ahead, say),
    // and merging it would stamp this phone's own scans out of range too.
    for (const s of msg.scans) if (!s.quarantine) this.#deps.clock.hear(s.hlc);
    const fresh = await this.#deps.event.addScans(
      msg.scans.filter((s) => s.eventId === ctx.eventId).map((s) => ({ ...s, uploaded: 1, own: s.deviceId === ctx.deviceId ? 1 : 0 })),
    );
    // The server sends every catch-up page by itself (more: true says another follows), so
    // nothing is asked for here. Cursors only move forward: a verdict's cursor can be ahead
    // of a gossip page still in flight.
    const staleEcho = msg.scans.length === 0 && msg.cursor === this.#staleCursor;
    if (staleEcho) this.#staleCursor = null;
    else await this.#advanceCursor(ctx, msg.cursor);
    // The same arbitration every node runs: a conflict involving this phone is shown even
    // before the server's own conflict message arrives.
    const touched = fresh.filter((s) => s.ticketId).map((s) => s.ticketId as string);
    for (const c of this.#deps.event.log.conflictsOf(touched)) {
      if (c.winner.deviceId === ctx.deviceId || c.loser.deviceId === ctx.deviceId) this.#alert(c);
    }
    await this.refreshPending();
  }

  /** Storage that cannot take the cursor costs a longer catch-up next time, nothing else. */
  async #advanceCursor(ctx: SyncContext, cursor: number): Promise<void> {
    try {
      const known = (await this.#deps.store.getMeta<number>(cursorKey(ctx.eventId))) ?? 0;
      if (cursor > known) await this.#deps.store.setMeta(cursorKey(ctx.eventId), cursor);
    } catch (e) {
      console.warn('sync: the cursor could not be stored', e);
    }
  }

  #alert(c: Conflict): void {
    if (c.eventId !== this.#ctx?.eventId || this.#seenConflicts.has(c.loser.scanId)) return;
    this.#seenConflicts.add(c.loser.scanId);
    this.#conflicts = [...this.#conflicts, c];
  }

  async #upload(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx || this.#uploading || this.#batch || !this.online) return;
    this.#uploading = true;
    try {
      // Scans held in memory (storage refused them) first, then the stored queue.
      const held = this.#deps.event.unsaved.pending(ctx.eventId, UPLOAD_BATCH);
      const stored = await this.#deps.store.pending(ctx.eventId, UPLOAD_BATCH).catch((e: unknown) => {
        if (held.length === 0) throw e;
        return [];
      });
      const heldIds = new Set(held.map((r) => r.id));
      const records = [...held, ...stored.filter((r) => !heldIds.has(r.id))].slice(0, UPLOAD_BATCH);
      if (records.length === 0 || !this.online || this.#batch) return;
      const id = newId('b');
      const scans = records.map(({ uploaded: _u, own: _o, ...scan }) => scan);
      this.#batch = { id, timer: setTimeout(() => { this.#batch = null; this.#conn.drop(); }, UPLOAD_ACK_DEADLINE_MS) };
      if (!this.#conn.send({ type: 'upload', batchId: id, scans })) { clearTimeout(this.#batch.timer); this.#batch = null; }
    } finally {
      this.#uploading = false;
    }
  }

  #retryUploadLater(atLeastMs = 0): void {
    if (this.#uploadRetry) return;
    this.#uploadRetry = setTimeout(() => {
      this.#uploadRetry = null;
      this.#work.add(this.#upload(), 'upload again');
    }, Math.max(atLeastMs, backoffDelay(this.#uploadFailures++, UPLOAD_RETRY_BACKOFF)));
  }

  #ping(): void {
    if (!this.online) return;
    const oldest = Math.min(...this.#pings.values());
    if (Date.now() - oldest > PING_DEADLINE_MS) { this.#pings.clear(); this.#conn.drop(); return; }
    const id = ++this.#pingSeq;
    const clientTime = Date.now();
    this.#pings.set(id, clientTime);
    this.#conn.send({ type: 'ping', id, clientTime });
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
