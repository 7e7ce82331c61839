// A checkpoint's rules changed in the console reach phones at once (protocol 13,
// `checkpointsChanged`): the app's sync stack fetches the manifest when told, and its next
// offline decision uses the new rule, with no periodic refresh in between (this phone has
// none). A phone of protocol 12 is not told (it has no such message) and keeps its socket.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint, Ticket } from '@gatekeeper/shared/domain';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { Admitter } from '../../scanner-pwa/src/lib/scan/admitter.ts';
import { appPhone, MAIN } from '../support/app-phone.ts';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';
import { until } from '../support/until.ts';

let server: TestServer;
let supervisor: HttpSession;
beforeAll(async () => {
  server = await startTestServer({ demoTickets: 20 });
  supervisor = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
});
afterAll(async () => { await server?.close(); });

const put = (cp: Checkpoint) => supervisor.request('PUT', `/api/events/${DEMO_EVENT}/checkpoints/${cp.id}`, cp);

describe('a checkpoint\u2019s rules changed in the console', () => {
  it('reach a protocol 13 phone at once, and its next offline decision uses them', async () => {
    const phone = await appPhone(server.url, 'inspector');
    const main = (await server.storage.getCheckpoint(DEMO_EVENT, MAIN))!;
    try {
      await phone.event.open(DEMO_EVENT);
      phone.start();
      await until(() => phone.sync.online, 'the phone online');
      const ticket = (await server.storage.changesSince(DEMO_EVENT, 0)).tickets
        .find((t) => t.status === 'paid' && !t.idCheck && t.validFrom === null && t.validUntil === null && t.type === 'Adult')!;
      // Offline, as a phone whose network just went: the phone decides with what it holds.
      const admitter = new Admitter({ sync: { online: false, requestVerdict: () => Promise.reject(new Error('offline')) }, scans: phone.scans, clock: phone.clock, budgetMs: () => 1_000 });
      const decide = (t: Ticket) => admitter.admit({
        eventId: DEMO_EVENT, checkpoint: phone.event.checkpoint(MAIN)!, direction: 'entry', deviceId: phone.deviceId, inspectorId: phone.http.inspector!.id,
      }, t, t.id, false);
      expect(phone.event.checkpoint(MAIN)!.allowedTypes).toBeNull();

      const r = await put({ ...main, allowedTypes: ['VIP'] });
      expect(r.status).toBe(200);
      await until(() => phone.event.checkpoint(MAIN)?.allowedTypes?.[0] === 'VIP', 'the new rule on the phone');
      const { verdict } = await decide(phone.event.index!.ticket(ticket.id)!);
      expect(verdict).toMatchObject({ outcome: 'wrong_checkpoint', offline: true });
    } finally {
      await put(main);
      await phone.close();
    }
  });

  it('are told to protocol 13 sockets only, and only when the rules changed', async () => {
    const main = (await server.storage.getCheckpoint(DEMO_EVENT, MAIN))!;
    const connect = (version?: number) => ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, MAIN, { version });
    const [old, now] = [await connect(12), await connect()];
    /** Everything the server sent `c` before this ping: a pong comes after it on the same socket. */
    const settled = async (c: ScannerClient, id: number) => {
      c.send({ type: 'ping', id, clientTime: Date.now() });
      await c.waitFor((m) => m.type === 'pong' && m.id === id);
      return c.received.filter((m) => m.type === 'checkpointsChanged');
    };
    try {
      const told = now.waitFor<DownOf<'checkpointsChanged'>>((m) => m.type === 'checkpointsChanged');
      expect((await put({ ...main, zone: 'grounds-east' })).status).toBe(200);
      expect(await told).toEqual({ type: 'checkpointsChanged', eventId: DEMO_EVENT });
      // The manifest it then fetches carries the rule, whatever change number it asks from.
      const { version } = (await now.http.request('GET', `/api/events/${DEMO_EVENT}/manifest?since=0`)).json;
      const delta = (await now.http.request('GET', `/api/events/${DEMO_EVENT}/manifest?since=${version}`)).json;
      expect(delta.tickets).toEqual([]);
      expect(delta.checkpoints.find((c: Checkpoint) => c.id === MAIN).zone).toBe('grounds-east');
      // The same rules again change nothing and tell nobody.
      expect((await put({ ...main, zone: 'grounds-east' })).status).toBe(200);
      expect(await settled(now, 1)).toHaveLength(1);
      expect(await settled(old, 2)).toEqual([]);
      expect(old.received.map((m) => m.type)).not.toContain('error');
    } finally {
      await put(main);
      await old.close();
      await now.close();
    }
  });
});
