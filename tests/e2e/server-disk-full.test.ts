// The server's disk fills up while a gate is online. The phone is told `unavailable`: it
// decides the scan itself (VALID OFFLINE, the same scan id), keeps it queued, says the
// server cannot store, and sends it again by itself; once there is room it lands once.
import { join } from 'node:path';
import { checkpointId } from '@gatekeeper/shared/ids';
import { describe, expect, test } from 'vitest';
import type { SqliteStorage } from '../../sync-server/src/storage/sqlite/index.ts';
import { WAIT_MS } from '../support/pages/scanner-page.ts';
import { ScannerClient } from '../support/scanner-client.ts';
import { DEMO_EVENT, eventually, login, serverScans, takeTicket, ticketCode, signedInGate, worldForFile } from './fixtures.ts';

const env = worldForFile();

describe('the server’s disk is full', () => {
  test('an online gate decides alone, says the server cannot store, and uploads once there is room', async () => {
    const storage = env.w.server.storage as SqliteStorage;
    const gate = await signedInGate(env);
    await gate.waitOnline();
    const t = takeTicket(env.w);
    const { code } = await ticketCode(env.w, t.id);

    // Fill the file: capped at its size, then bar scans in batches of 100, 10 and 1 until
    // not even one more fits.
    storage.setMaxPageCount(storage.pageCount());
    const bar = await ScannerClient.connect(env.w.server.url, 'inspector2', login('inspector2').password, DEMO_EVENT, checkpointId('bar'));
    try {
      let n = 0;
      for (const size of [100, 10, 1]) {
        for (let refused = false; !refused && n < 500; n++) {
          const batch = Array.from({ length: size }, () => bar.offlineScan(bar.request(t.id, t.id, { zone: 'bar', mode: 'unlimited' })));
          const answer = bar.waitFor((m) => (m.type === 'uploadAck' || m.type === 'error') && ('batchId' in m ? m.batchId : m.ref) === `fill-${n}`);
          bar.send({ type: 'upload', batchId: `fill-${n}`, scans: batch });
          refused = (await answer).type === 'error';
        }
      }
      expect(n).toBeLessThan(500);
    } finally {
      await bar.close();
    }

    await gate.wedge(code);
    await gate.expectVerdict('valid', { offline: true });
    await gate.dismissVerdict();
    const alert = gate.page.getByTestId('server-refused');
    await alert.waitFor();
    expect(await alert.getAttribute('data-code')).toBe('unavailable');
    await gate.waitPending(1);
    expect(await gate.page.getByTestId('link-state').getAttribute('data-state')).toBe('online');
    await gate.page.screenshot({ path: join(process.cwd(), 'docs/screenshots/19-server-cannot-store.png') });
    expect((await serverScans(env.w, t.id)).filter((s) => s.checkpointId === 'main-gate')).toHaveLength(0);

    // Room again: sent again by itself, once.
    storage.setMaxPageCount(null);
    await alert.waitFor({ state: 'detached', timeout: WAIT_MS });
    await gate.waitPending(0);
    const stored = await eventually(() => serverScans(env.w, t.id), (s) => s.some((x) => x.checkpointId === 'main-gate'));
    expect(stored.filter((s) => s.checkpointId === 'main-gate').map((s) => [s.outcome, s.offline])).toEqual([['valid', true]]);
  });
});
