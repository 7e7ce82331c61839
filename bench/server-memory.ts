// server.memory.slowReaders: how much the server's memory grows when 50 sockets stop
// reading and each asks for a catch-up of an event of 100,000 scans, thirty times over
// (the attack of issue 8: one such socket took the server from 185 MB to 1.3 GB in an
// event of 30,000 scans; 100,000 and more requests ran it out of memory). The server runs
// in its own process; its resident set is sampled every 20 ms there, and the row reports
// the peak during the attack minus the resident set just before it (after a full garbage
// collection). Then one of the
// sockets reads again and must receive every scan: bounded, and nothing lost.
import { inflateRawSync } from 'node:zlib';
import type { Socket } from 'node:net';
import { newId, type TicketId } from '@gatekeeper/shared/ids';
import { MAX_BATCH } from '@gatekeeper/shared/protocol/index';
import { Fleet, messageType, offlineScan, scanRequest, send } from './support/scanners.ts';
import { startServerProcess, type MemoryReport } from './support/server-process.ts';
import { absoluteRow, fmt } from './support/stats.ts';
import { allTickets } from './support/tickets.ts';
import type { Bench } from './types.ts';

const SCANS = 100_000;
const READERS = 50;
const REQUESTS_EACH = 30;
/** How long the stalled readers are left asking before the peak is read. */
const ATTACK_MS = 15_000;
const TARGET_MB = 100;
const MB = 1024 * 1024;

const tcp = (ws: { _socket?: Socket }) => ws._socket!;

export const run: Bench = async () => {
  const server = await startServerProcess({ demoTickets: SCANS });
  const fleets: Fleet[] = [];
  try {
    // The event's log: every ticket admitted once, offline, in batches of 1,000.
    const uploader = await Fleet.connect(server.info.url, 1, { usernames: ['supervisor'] });
    fleets.push(uploader);
    const scanner = uploader.scanners[0]!;
    const tickets = allTickets(SCANS);
    const t0 = Date.now() - 60 * 60_000;
    let acked = 0;
    uploader.onMessage = (_s, data, isBinary) => { if (messageType(data, isBinary) === 'uploadAck') acked++; };
    for (let i = 0; i < SCANS; i += MAX_BATCH) {
      const scans = tickets.slice(i, i + MAX_BATCH).map((t, k) => offlineScan(scanRequest(scanner, t as TicketId, t0 + i + k)));
      const want = acked + 1;
      send(scanner.ws, { type: 'upload', batchId: newId('b-'), scans });
      while (acked < want) await new Promise((r) => setTimeout(r, 5));
    }
    await uploader.close();
    const latest = await server.call<number>('latestCursor');

    const readers = await Fleet.connect(server.info.url, READERS);
    fleets.push(readers);
    await new Promise((r) => setTimeout(r, 2_000));
    // The baseline after a full collection: the seeding's garbage is not the attack's.
    const before = await server.call<MemoryReport>('memory', true);

    // The attack: stop reading, then ask for the whole log again and again.
    for (const s of readers.scanners) tcp(s.ws as unknown as { _socket?: Socket }).pause();
    for (const s of readers.scanners) for (let k = 0; k < REQUESTS_EACH; k++) send(s.ws, { type: 'catchup', cursor: 0 });
    let most = 0;
    const t1 = Date.now();
    while (Date.now() - t1 < ATTACK_MS) {
      await new Promise((r) => setTimeout(r, 500));
      most = Math.max(most, (await server.call<{ total: number }>('buffered')).total);
    }
    const during = await server.call<MemoryReport>('memory');
    const growthMb = (during.peakRss - before.rss) / MB;

    // One reader reads again: it must get every scan of the log.
    const one = readers.scanners[0]!;
    let cursor = 0;
    let received = 0;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the reader got to cursor ${cursor} of ${latest} within 120 s`)), 120_000);
      readers.onMessage = (s, data, isBinary) => {
        if (s !== one || messageType(data, isBinary) !== 'scans') return;
        const msg = JSON.parse(isBinary ? inflateRawSync(data).toString() : data.toString()) as { scans: unknown[]; cursor: number };
        received += msg.scans.length;
        cursor = Math.max(cursor, msg.cursor);
        if (cursor >= latest) { clearTimeout(timer); resolve(); }
      };
    });
    tcp(one.ws as unknown as { _socket?: Socket }).resume();
    await done;

    const notes = [
      `${READERS} sockets stop reading, each sends catchup from 0 ${REQUESTS_EACH} times; event of ${SCANS} scans (cursor ${latest}); ${ATTACK_MS / 1000} s`,
      `server RSS ${fmt(before.rss / MB)} MB before, peak ${fmt(during.peakRss / MB)} MB during; V8 heap used ${fmt(before.heapUsed / MB)} MB before, ${fmt(during.heapUsed / MB)} MB at the end; external ${fmt(before.external / MB)} → ${fmt(during.external / MB)} MB`,
      `unsent bytes in the server, all sockets, at most ${fmt(most / MB)} MB`,
      `one reader resumed and received ${received} scans up to cursor ${cursor}: nothing lost`,
    ].join('; ');
    return [absoluteRow({ id: 'server.memory.slowReaders', value: growthMb, unit: 'MB', target: `<= ${TARGET_MB} MB`, met: growthMb <= TARGET_MB, notes })];
  } finally {
    for (const f of fleets) await f.close();
    await server.close();
  }
};
