// Child process: one scanner socket that only listens to its event's gossip, noting when
// each scan arrives (Date.now). A process of its own, as a phone is, so that its receipt
// times are not those of a load generator's busy event loop (pwa.live's baseline: the
// console page is a process of its own too). Started with startGossipListener below.
import { inflateRawSync } from 'node:zlib';
import { serveParent, startChild, type Child } from './child.ts';
import { Fleet, messageType, type Identity } from './scanners.ts';

export interface ListenerArg { url: string; identity: Identity }

export function startGossipListener(arg: ListenerArg): Promise<Child<Record<string, never>>> {
  return startChild<Record<string, never>>('./gossip-listener-process.ts', arg);
}

if (process.send && process.argv[1]?.endsWith('gossip-listener-process.ts')) {
  serveParent<ListenerArg, Record<string, never>>(async ({ url, identity }) => {
    const fleet = await Fleet.open(url, [identity], { hello: true });
    let heard: Array<[string, number]> = [];
    fleet.onMessage = (_s, data, isBinary) => {
      if (messageType(data, isBinary) !== 'scans') return;
      const now = Date.now();
      const msg = JSON.parse((isBinary ? inflateRawSync(data) : data).toString()) as { scans: Array<{ id: string }> };
      for (const scan of msg.scans) heard.push([scan.id, now]);
    };
    return {
      info: {},
      stop: () => fleet.close(),
      handlers: {
        /** Every scan heard since the last call: [scan id, ms]. */
        take: () => { const out = heard; heard = []; return out; },
      },
    };
  });
}
