// What every verdict screen shows besides the verdict: the code word of the day (set by a
// supervisor, pushed to every scanner at once) and a clock measured against the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClockOffsetEstimator } from '@gatekeeper/shared/clock';
import { checkpointId } from '@gatekeeper/shared/ids';
import type { DownOf } from '@gatekeeper/shared/protocol/index';
import { HttpSession, ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, login, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.close(); });

describe('code word of the day', () => {
  it('is in the welcome, and a change by a supervisor reaches every scanner of the event at once', async () => {
    const a = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, checkpointId('main-gate'));
    try {
      const welcome = a.received.find((m) => m.type === 'welcome') as DownOf<'welcome'>;
      expect(welcome.codeWord).toBe('Blue Heron');
      expect(welcome.inspector.name).toBe('Ingrid Inspector');
      const pushed = a.waitFor<DownOf<'codeWord'>>((m) => m.type === 'codeWord');
      const sup = await HttpSession.login(server.url, 'supervisor', login('supervisor').password);
      expect((await sup.request('PUT', `/api/events/${DEMO_EVENT}/code-word`, { codeWord: 'Red Fox' })).status).toBe(200);
      expect((await pushed).codeWord).toBe('Red Fox');
      // An inspector may not set it.
      expect((await a.http.request('PUT', `/api/events/${DEMO_EVENT}/code-word`, { codeWord: 'Mine' })).json.error.code).toBe('forbidden');
    } finally { await a.close(); }
  });
});

describe('clock offset', () => {
  it('is estimated from ping round trips to within the round trip', async () => {
    const a = await ScannerClient.connect(server.url, 'inspector', login('inspector').password, DEMO_EVENT, checkpointId('main-gate'));
    try {
      const est = new ClockOffsetEstimator();
      for (let i = 0; i < 5; i++) {
        const sent = Date.now();
        const pong = a.waitFor<DownOf<'pong'>>((m) => m.type === 'pong' && m.id === i);
        a.send({ type: 'ping', id: i, clientTime: sent });
        const p = await pong;
        expect(p.clientTime).toBe(sent);
        est.add({ clientSent: sent, serverTime: p.serverTime, clientReceived: Date.now() });
      }
      const e = est.estimate()!;
      // Same machine, same clock: the offset is no larger than the round trip.
      expect(Math.abs(e.offsetMs)).toBeLessThanOrEqual(Math.max(e.rttMs, 1));
    } finally { await a.close(); }
  });
});
