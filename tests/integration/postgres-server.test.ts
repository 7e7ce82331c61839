// The server on PostgreSQL (GK_DATABASE_URL): demo seeding, online arbitration and gossip
// through real sockets, and first scan wins between two server instances on one database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointId, type TicketId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { runCli } from '@gatekeeper/sync-server/cli';
import { ScannerClient } from '../support/scanner-client.ts';
import { usePostgres } from '../support/postgres.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

const MAIN = checkpointId('main-gate');
const db = usePostgres();
let one: TestServer;
let two: TestServer;
let tickets: TicketId[];

const scanner = (server: TestServer, i: number) => {
  const who = login(i % 2 ? 'inspector2' : 'inspector');
  return ScannerClient.connect(server.url, who.username, who.password, DEMO_EVENT, MAIN);
};

beforeAll(async () => {
  // One after the other: the second finds the demo the first seeded.
  one = await startTestServer({ databaseUrl: db.url(), demoTickets: 60 });
  two = await startTestServer({ databaseUrl: db.url(), demoTickets: 60 });
  const paid = (await one.storage.changesSince(DEMO_EVENT, 0)).tickets.filter((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null);
  tickets = paid.map((t) => t.id);
}, 120_000);
afterAll(async () => {
  await one?.close();
  await two?.close();
});

describe('a server on PostgreSQL', () => {
  it('seeds the demo once, whichever instance starts first', async () => {
    expect(one.seeded).toBe(true);
    expect(two.seeded).toBe(false);
    expect((await two.storage.changesSince(DEMO_EVENT, 0)).tickets).toHaveLength(60);
  });

  it('admits one of six scanners, three on each instance, that submit the same ticket at once', async () => {
    const group = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => scanner(i % 2 ? two : one, i)));
    try {
      for (const ticket of tickets.slice(0, 5)) {
        const verdicts = await Promise.all(group.map((s) => s.scan(s.request(ticket, ticket))));
        const outcomes = verdicts.map((v) => v.verdict.outcome);
        expect(outcomes.filter((o) => o === 'valid')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'already_used')).toHaveLength(5);
        const winner = verdicts.find((v) => v.verdict.outcome === 'valid')!;
        for (const v of verdicts) if (v !== winner) expect(v.verdict.firstScan?.scanId).toBe(winner.scanId);
      }
    } finally {
      await Promise.all(group.map((s) => s.close()));
    }
  });

  it('the CLI makes the first admin in the database GK_DATABASE_URL names, and the servers see it', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), readPassword: async () => 'correct horse battery' };
    expect(await runCli(['create-admin', '--username', 'ada'], io, { GK_DATABASE_URL: db.url() })).toBe(0);
    expect(await two.storage.getStaffByUsername('ADA')).toMatchObject({ username: 'ada', role: 'admin' });
  });

  it('gossips an accepted scan to the other scanners on the same instance', async () => {
    const [a, b] = [await scanner(one, 0), await scanner(one, 1)];
    try {
      const ticket = tickets[10]!;
      const heard = b.waitFor<DownOf<'scans'>>((m) => m.type === 'scans' && m.scans.some((s) => s.ticketId === ticket));
      expect((await a.scan(a.request(ticket, ticket))).status).toBe('accepted');
      expect((await heard).scans.find((s) => s.ticketId === ticket)?.outcome).toBe('valid');
    } finally {
      await a.close(); await b.close();
    }
  });
});
