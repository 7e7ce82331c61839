// A hostile phone against a real server on loopback: forged offline uploads (a checkpoint
// that does not exist, codes that name other tickets, clock stamps from 1970 or next
// year) are stored as evidence but quarantined, so they never make a genuine holder
// ALREADY SCANNED, online or offline; and a device that floods the server is slowed down
// with a typed error, without losing a scan, and reported to supervisors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAdmission } from '@gatekeeper/shared/admission';
import type { Checkpoint, Scan } from '@gatekeeper/shared/domain';
import { checkpointId, newId, type ScanId, type TicketId } from '@gatekeeper/shared/ids';
import { MAX_BATCH, type DownOf } from '@gatekeeper/shared/protocol/index';
import { HttpSession, ScannerClient, stamp } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

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
