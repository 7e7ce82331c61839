// A hostile phone against a real server on loopback: forged offline uploads (a checkpoint
// that does not exist, codes that name other tickets, clock stamps from 1970 or next
// year) are stored as evidence but quarantined, so they never make a genuine holder
// ALREADY SCANNED, online or offline; and a device that floods the server is slowed down
// with a typed error, without losing a scan, and reported to supervisors.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { Checkpoint, Scan } from '@gatekeeper/shared/domain';
import { parseHlc } from '@gatekeeper/shared/hlc';
import { checkpointId, newId, scanId, type TicketId } from '@gatekeeper/shared/ids';
import { MAX_BATCH, type DownOf } from '@gatekeeper/shared/protocol/index';
import { Admitter } from '../../scanner-pwa/src/lib/scan/admitter.ts';
import type { Logger } from '../../sync-server/src/log.ts';
import { appPhone } from '../support/app-phone.ts';
import { stamp } from '../support/factories.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

const MAIN = checkpointId('main-gate');
const NOWHERE = checkpointId('nowhere');
let server: TestServer;
let tickets: TicketId[];
let main: Checkpoint;
let supervisor: HttpSession;

beforeAll(async () => {
  server = await startTestServer({ demoTickets: 120 });
  const paid = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  tickets = paid.map((t) => t.id);
  main = (await server.storage.getCheckpoint(DEMO_EVENT, MAIN))!;
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
});
afterAll(async () => { await server?.close(); });

const connect = (who: 'inspector' | 'inspector2' = 'inspector2') =>
  ScannerClient.connect(server.url, who, login(who).password, DEMO_EVENT, MAIN);

/** Scanners at the main gate, one signed in as each of `who`, for the length of `body`; closed after, whatever happens. */
async function withScanners(who: ReadonlyArray<'inspector' | 'inspector2'>, body: (...scanners: ScannerClient[]) => Promise<void>): Promise<void> {
  const scanners: ScannerClient[] = [];
  try {
    for (const w of who) scanners.push(await connect(w));
    await body(...scanners);
  } finally {
    for (const s of scanners) await s.close();
  }
}

/** What a phone that heard every scan of the event would decide offline for `ticket`. */
async function offlineDecision(ticket: TicketId): Promise<string> {
  const listener = await connect('inspector');
  try {
    const all = await server.storage.latestCursor(DEMO_EVENT);
    const caughtUp = listener.waitFor((m) => m.type === 'scans' && !m.more && m.cursor >= all);
    listener.send({ type: 'catchup', cursor: 0 });
    await caughtUp;
    const t = (await server.storage.getTicket(DEMO_EVENT, ticket))!;
    return decideAdmission(t, main, [...listener.heard.values()], Date.now(), { direction: 'entry', idChecked: false, offline: true }).outcome;
  } finally {
    await listener.close();
  }
}

describe('forged offline uploads', () => {
  it('1,000 scans at checkpoint "nowhere" stamped 1970 are stored but quarantined, and every genuine holder is still admitted online and offline', async () => {
    const forger = await connect();
    let ack: DownOf<'uploadAck'>;
    try {
      const forged: Scan[] = Array.from({ length: MAX_BATCH }, (_, i) => forger.offlineScan(forger.request(tickets[i % 40]!, tickets[i % 40]!, {
        checkpointId: NOWHERE, zone: 'nowhere', mode: 'once_per_event', hlc: stamp(i), at: 0,
      })));
      ack = await forger.upload(forged);
    } finally {
      await forger.close();
    }

    const gate = await connect('inspector');
    try {
      for (const ticket of tickets.slice(0, 5)) {
        const v = await gate.scan(gate.request(ticket, ticket));
        expect(v.verdict.outcome).toBe('valid');
      }
    } finally {
      await gate.close();
    }
    expect(await offlineDecision(tickets[5]!)).toBe('valid');

    // Never rejected: the offline scans are evidence, each marked with why it does not count.
    expect(ack.results.every((r) => r.status === 'accepted')).toBe(true);
    expect(ack.results.every((r) => r.quarantine === 'unknown_checkpoint')).toBe(true);
    expect((await server.storage.ticketScans(DEMO_EVENT, tickets[0]!)).filter((s) => s.quarantine === 'unknown_checkpoint')).not.toHaveLength(0);
  });
});

describe('plausibility, decided once when a scan is stored', () => {
  it('a scan at a checkpoint the event does not have is quarantined unknown_checkpoint and listed for supervisors', async () => {
    await withScanners(['inspector2'], async (forger) => {
      const scan = forger.offlineScan(forger.request(tickets[40]!, tickets[40]!, { checkpointId: NOWHERE, zone: 'nowhere' }));
      const ack = await forger.upload([scan]);
      expect(ack.results).toEqual([{ scanId: scan.id, status: 'accepted', conflict: null, quarantine: 'unknown_checkpoint' }]);
      const listed = await supervisor.request('GET', `/api/events/${DEMO_EVENT}/quarantine?limit=500`);
      expect(listed.status).toBe(200);
      expect(listed.json.scans.find((r: { scan: Scan }) => r.scan.id === scan.id)).toMatchObject({ reason: 'unknown_checkpoint', scan: { id: scan.id, quarantine: 'unknown_checkpoint' } });
      // An inspector does not get the supervisors' list.
      expect((await forger.http.request('GET', `/api/events/${DEMO_EVENT}/quarantine`)).status).toBe(403);
    });
  });

  it('zone and mode come from the checkpoint: an admission claimed "unlimited" at the main gate still conflicts', async () => {
    await withScanners(['inspector', 'inspector2'], async (a, b) => {
      const ticket = tickets[41]!;
      const t0 = Date.now();
      const first = a.offlineScan(a.request(ticket, ticket, { hlc: stamp(t0 - 2000), at: t0 - 2000 }));
      const sneaky = b.offlineScan(b.request(ticket, ticket, { zone: 'anywhere', mode: 'unlimited', hlc: stamp(t0 - 1000), at: t0 - 1000 }));
      expect((await a.upload([first])).results[0]!.status).toBe('accepted');
      const ack = await b.upload([sneaky]);
      expect(ack.results[0]).toMatchObject({ status: 'conflict', quarantine: null, conflict: { winner: { scanId: first.id }, loser: { scanId: sneaky.id } } });
      const stored = (await server.storage.ticketScans(DEMO_EVENT, ticket)).find((s) => s.id === sneaky.id)!;
      expect([stored.zone, stored.mode]).toEqual([main.zone, main.mode]);
    });
  });

  it('a code that does not resolve to the ticket the scan names is quarantined code_mismatch and never makes that ticket used', async () => {
    await withScanners(['inspector2', 'inspector'], async (forger, gate) => {
      const [victim, own] = [tickets[42]!, tickets[43]!];
      const forged = [
        forger.offlineScan(forger.request(victim, own, { hlc: stamp(Date.now() - 1000) })), // another ticket's code
        forger.offlineScan(forger.request(victim, 'GK1.not-a-ticket', { hlc: stamp(Date.now() - 1000) })), // no ticket's code
      ];
      const ack = await forger.upload(forged);
      expect(ack.results.map((r) => r.quarantine)).toEqual(['code_mismatch', 'code_mismatch']);
      expect((await gate.scan(gate.request(victim, victim))).verdict.outcome).toBe('valid');
    });
  });

  it('a stamp before the device was registered is quarantined clock_before_device, one far in the future clock_ahead; neither makes a holder ALREADY SCANNED', async () => {
    await withScanners(['inspector2', 'inspector'], async (forger, gate) => {
      const [early, late] = [tickets[44]!, tickets[45]!];
      const day = 24 * 3600_000;
      const ack = await forger.upload([
        forger.offlineScan(forger.request(early, early, { hlc: stamp(Date.now() - day), at: Date.now() - day })),
        forger.offlineScan(forger.request(late, late, { hlc: stamp(Date.now() + day), at: Date.now() + day })),
        forger.offlineScan(forger.request(late, late, { hlc: stamp(Date.now() - 60_000) })), // a minute off: plausible
      ]);
      expect(ack.results.map((r) => r.quarantine)).toEqual(['clock_before_device', 'clock_ahead', null]);
      expect((await gate.scan(gate.request(early, early))).verdict.outcome).toBe('valid');
      // The plausible one counts: the genuine holder of `late` was let in a minute ago.
      expect((await gate.scan(gate.request(late, late))).verdict.outcome).toBe('already_used');
    });
  });

  it('an online scan stamped 1970 is decided but stored quarantined: it never sorts before a real admission', async () => {
    await withScanners(['inspector2', 'inspector'], async (forger, gate) => {
      const ticket = tickets[46]!;
      const v = await forger.scan(forger.request(ticket, ticket, { hlc: stamp(1000), at: 1000 }));
      expect(v.scan.quarantine).toBe('clock_before_device');
      expect((await gate.scan(gate.request(ticket, ticket))).verdict.outcome).toBe('valid');
    });
  });

  it('a scan sent again stays as stored, whatever the copy sent now says (idempotent by id)', async () => {
    await withScanners(['inspector2'], async (phone) => {
      const ticket = tickets[47]!;
      const bad = phone.offlineScan(phone.request(ticket, ticket, { checkpointId: NOWHERE }));
      const good = phone.offlineScan(phone.request(tickets[48]!, tickets[48]!));
      expect((await phone.upload([bad, good])).results.map((r) => r.quarantine)).toEqual(['unknown_checkpoint', null]);
      // The same ids again: the quarantined one "fixed", the counted one claiming a quarantine.
      const again = await phone.upload([{ ...bad, checkpointId: MAIN }, { ...good, quarantine: 'clock_ahead' }]);
      expect(again.results.map((r) => [r.status, r.quarantine])).toEqual([['duplicate', 'unknown_checkpoint'], ['duplicate', null]]);
      const stored = await server.storage.ticketScans(DEMO_EVENT, ticket);
      expect(stored.filter((s) => s.id === bad.id)).toEqual([{ ...bad, quarantine: 'unknown_checkpoint' }]);
      expect((await server.storage.ticketScans(DEMO_EVENT, tickets[48]!)).find((s) => s.id === good.id)?.quarantine).toBeUndefined();
    });
  });
});

describe('on the phone', () => {
  it('a phone that heard quarantined scans by gossip still admits the genuine holder offline, and keeps its clock', async () => {
    const p = await appPhone(server.url, 'inspector', { clockOffset: 0 });
    const forger = await connect();
    try {
      p.start();
      await until(() => p.sync.online, 'online');
      const ticket = tickets[50]!;
      const day = 24 * 3600_000;
      const forged = [
        forger.offlineScan(forger.request(ticket, ticket, { checkpointId: NOWHERE, zone: 'nowhere', hlc: stamp(5), at: 5 })),
        forger.offlineScan(forger.request(ticket, ticket, { hlc: stamp(1000), at: 1000 })),
        forger.offlineScan(forger.request(ticket, tickets[51]!)),
        forger.offlineScan(forger.request(ticket, ticket, { hlc: stamp(Date.now() + day / 2), at: Date.now() + day / 2 })),
      ];
      await forger.upload(forged);
      await until(() => forged.every((f) => p.scans.get(f.id)?.quarantine !== undefined), 'the forged scans heard, marked');

      // The gate's link drops; the genuine holder arrives; the app decides alone.
      p.sync.stop();
      const admitter = new Admitter({
        sync: { online: false, requestVerdict: () => Promise.reject(new Error('offline')) },
        scans: p.scans, clock: p.clock, budgetMs: () => 0,
      });
      const t = (await server.storage.getTicket(DEMO_EVENT, ticket))!;
      const { verdict, scan } = await admitter.admit({ eventId: DEMO_EVENT, checkpoint: main, direction: 'entry', deviceId: p.deviceId, inspectorId: p.http.inspector!.id }, t, ticket, false);
      expect(verdict.outcome).toBe('valid');
      // The stamp 12 hours ahead was not merged into the phone's clock.
      expect(parseHlc(scan.hlc).physical).toBeLessThan(Date.now() + 60_000);
    } finally {
      await forger.close();
      await p.close();
    }
  });
});

describe('per-device rate limits', () => {
  let limited: TestServer;
  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = { debug() {}, info() {}, error() {}, warn(msg, fields) { warnings.push({ msg, ...(fields ? { fields } : {}) }); } };

  beforeAll(async () => {
    // Tiny limits, so a test trips them: one upload message at once, then one every 5 s
    // (longer than a batch of 500 takes to store on a loaded machine).
    limited = await startTestServer({
      demoTickets: 60, deviceUploadBurst: 1, deviceUploadsPerMinute: 12, deviceScanBurst: 600, deviceScansPerMinute: 6000,
      supervisorAnnulBurst: 1, supervisorAnnulsPerMinute: 12,
    }, log);
  });
  afterAll(async () => { await limited?.close(); });

  it('a device over its limit gets rate_limited with the wait, nothing of that message is stored, supervisors are alerted and it is logged', async () => {
    const phone = await ScannerClient.connect(limited.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
    try {
      const ids = (await limited.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
      const scan = (i: number) => phone.offlineScan(phone.request(ids[i]!, ids[i]!, { checkpointId: checkpointId('bar') }));
      expect((await phone.upload([scan(0)])).results[0]!.status).toBe('accepted');
      const refused = phone.waitFor<DownOf<'error'>>((m) => m.type === 'error' && m.ref === 'b-flood');
      const second = scan(1);
      phone.send({ type: 'upload', batchId: 'b-flood', scans: [second] });
      const err = await refused;
      expect(err).toMatchObject({ code: 'rate_limited', ref: 'b-flood' });
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(await limited.storage.ticketScans(DEMO_EVENT, ids[1]!)).toEqual([]);

      const sup = await HttpSession.login(limited.url, 'supervisor', login('supervisor').password);
      const listed = await sup.request('GET', `/api/events/${DEMO_EVENT}/quarantine`);
      expect(listed.json.alerts).toEqual([expect.objectContaining({ deviceId: phone.deviceId, inspectorId: phone.inspectorId, kind: 'rate_limited' })]);
      expect(warnings.some((w) => w.msg === 'device over its rate limit' && w.fields?.device === phone.deviceId)).toBe(true);

      // After the advised wait the same batch goes through, once.
      await new Promise((r) => setTimeout(r, err.retryAfterMs! + 50));
      expect((await phone.upload([second])).results[0]!.status).toBe('accepted');
      expect((await limited.storage.ticketScans(DEMO_EVENT, ids[1]!)).map((s) => s.id)).toEqual([second.id]);
    } finally {
      await phone.close();
    }
  });

  it('undo over HTTP counts against the phone\u2019s upload limit: a flood of annulments is refused rate_limited', async () => {
    const phone = await ScannerClient.connect(limited.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN);
    try {
      const ids = (await limited.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
      const admitted = [];
      for (const i of [50, 51]) {
        const v = await phone.scan(phone.request(ids[i]!, ids[i]!, { checkpointId: checkpointId('bar') }));
        expect(v.verdict.outcome).toBe('valid');
        admitted.push(v.scan);
      }
      const annul = (id: string) => phone.http.request('POST', `/api/events/${DEMO_EVENT}/scans/${id}/annul`, {}, { 'x-device-id': phone.deviceId });
      expect((await annul(admitted[0]!.id)).status).toBe(201);
      const flood = await annul(admitted[1]!.id);
      expect(flood.status).toBe(429);
      expect(flood.json).toMatchObject({ error: { code: 'rate_limited' } });
      expect((await limited.storage.ticketScans(DEMO_EVENT, ids[51]!)).filter((s) => s.kind === 'annul')).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('a supervisor\u2019s undo over HTTP, from a laptop with no device, is limited per login: a flood is refused 429 with Retry-After', async () => {
    const phone = await ScannerClient.connect(limited.url, 'inspector2', login('inspector2').password, DEMO_EVENT, MAIN);
    const sup = await HttpSession.login(limited.url, 'supervisor', login('supervisor').password);
    // A second session of the same login shares the limit: a new login is no way around it.
    const again = await HttpSession.login(limited.url, 'supervisor', login('supervisor').password);
    try {
      const ids = (await limited.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
      const admitted = [];
      for (const i of [52, 53, 54]) {
        const v = await phone.scan(phone.request(ids[i]!, ids[i]!, { checkpointId: checkpointId('bar') }));
        expect(v.verdict.outcome).toBe('valid');
        admitted.push(v.scan);
      }
      const annul = (who: HttpSession, id: string) => who.request('POST', `/api/events/${DEMO_EVENT}/scans/${id}/annul`, {});
      expect((await annul(sup, admitted[0]!.id)).status).toBe(201);
      for (const [who, scan] of [[sup, admitted[1]!], [again, admitted[2]!]] as const) {
        const flood = await annul(who, scan.id);
        expect(flood.status).toBe(429);
        expect(flood.json).toMatchObject({ error: { code: 'rate_limited' } });
        expect(Number(flood.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await limited.storage.ticketScans(DEMO_EVENT, scan.ticketId!)).filter((s) => s.kind === 'annul')).toEqual([]);
      }
      expect(warnings.some((w) => w.msg === 'staff over its annulment limit' && w.fields?.staff === sup.inspector?.id)).toBe(true);
    } finally {
      await phone.close();
    }
  });

  it('the app keeps an upload refused rate_limited and sends it again later: every scan arrives once', async () => {
    const p = await appPhone(limited.url, 'inspector', { clockOffset: 0 });
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const ids = (await limited.storage.changesSince(DEMO_EVENT, 0)).tickets.map((t) => t.id);
      // Two batches' worth (UPLOAD_BATCH is 500): the second goes right after the first's ack.
      const queued = Array.from({ length: 520 }, (_, i) => {
        const now = Date.now();
        const ticket = ids[i % ids.length]!;
        return {
          id: scanId(newId('s-')), eventId: DEMO_EVENT, ticketId: ticket, orderId: null, code: ticket,
          checkpointId: checkpointId('bar'), zone: 'bar', mode: 'unlimited' as const, direction: 'entry' as const,
          deviceId: p.deviceId, inspectorId: p.http.inspector!.id, hlc: stamp(now), at: now, clockOffset: 0, idChecked: false,
          outcome: 'valid' as const, offline: true,
        };
      });
      for (const s of queued) p.scans.record(s);
      await p.scans.settled();
      p.start();
      await until(() => warned.mock.calls.some(([m, code]) => m === 'server error' && code === 'rate_limited'), 'the second upload refused');
      expect(p.sync.uploadRefused).toBe('rate_limited');
      await until(async () => ((await p.store.pendingIds(DEMO_EVENT)).length) === 0, 'the queue uploaded after the wait');
      const stored = (await limited.storage.history({ eventId: DEMO_EVENT, deviceId: p.deviceId, limit: 500 }));
      const all = [...stored.scans, ...(stored.next ? (await limited.storage.history({ eventId: DEMO_EVENT, deviceId: p.deviceId, limit: 500, before: stored.next })).scans : [])];
      expect(all).toHaveLength(queued.length);
      expect(new Set(all.map((s) => s.scan.id))).toEqual(new Set(queued.map((q) => q.id)));
      expect(p.socket.sentTypes().filter((t) => t === 'upload').length).toBe(3);
    } finally {
      warned.mockRestore();
      await p.close();
    }
  });
});
